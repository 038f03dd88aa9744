"""Benchmark kg on the shared corpus: `python bench/run.py [--corpus DIR] [--parts ...] [--json FILE]`."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on sys.path, and bench/profile.py would shadow the
# standard library's profile module (spaCy imports cProfile): use the repo root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.context import Bench, Skip  # noqa: E402
from bench.corpus import DEFAULT_CORPUS, corpus_files  # noqa: E402
from bench.figures import Figure, render_table, skipped, write_json  # noqa: E402

__all__ = ["main", "PARTS", "DEFAULT_PARTS"]


def _parts() -> dict[str, tuple[str, Callable[[Bench], list[Figure]]]]:
    from bench import adversarial, bulk, neo4j_part, parts, scaling

    return {
        "tokenizer": ("1. tokenizer floor", parts.tokenizer),
        "extract": ("2. extraction", parts.extraction),
        "store": ("3. ingest into the embedded store", parts.ingest_store),
        "neo4j": ("4. ingest into Neo4j", neo4j_part.neo4j),
        "export": ("5. exports", parts.exports),
        "query": ("6. query latency", neo4j_part.queries),
        "memory": ("7. peak RSS of extraction, 1x and 4x", parts.memory),
        "million": ("8. the 1M-paper point", parts.million),
        "scaling": ("9. Dask workers against --workers", scaling.scaling),
        "bulk": ("10. the sharded bulk path at size", bulk.bulk),
        "adversarial": ("11. adversarial fields (linear time)", adversarial.adversarial),
    }


PARTS = ("tokenizer", "extract", "store", "neo4j", "export", "query", "memory", "scaling", "million", "bulk",
         "adversarial")
DEFAULT_PARTS = tuple(p for p in PARTS if p not in ("million", "bulk"))


def _parse_parts(text: str) -> list[str]:
    names = [p.strip() for p in text.replace(",", " ").split() if p.strip()]
    bad = [p for p in names if p not in PARTS]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown part {', '.join(bad)}; choose from {', '.join(PARTS)}")
    return [p for p in PARTS if p in names]


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Measure kg on this machine and compare with the targets of issue 5.",
        epilog="Example: python bench/run.py --parts tokenizer,extract,store --json bench.json",
    )
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                    help=f"folder of paper files (default {DEFAULT_CORPUS})")
    ap.add_argument("--parts", type=_parse_parts, default=list(DEFAULT_PARTS),
                    help=f"comma-separated parts to run (default all but million and bulk): {', '.join(PARTS)}")
    ap.add_argument("--million", action="store_true", help="also run the 1M-paper point (long)")
    ap.add_argument("--million-papers", type=int, default=1_000_000, help="size of the --million point")
    ap.add_argument("--partition-mb", type=float, default=2.0,
                    help="MiB of JSON Lines per Dask partition in the scaling and bulk parts (2)")
    ap.add_argument("--scaling-repeats", type=int, default=1,
                    help="rounds of the scaling part's six runs; each figure is the best of them (1)")
    ap.add_argument("--bulk-copies", type=int, default=26,
                    help="corpus copies (fresh paper keys) for the bulk part (26: about 1M relationships)")
    ap.add_argument("--bulk-import-copies", type=lambda t: [int(x) for x in t.split(",") if x], default=[],
                    help="also import the bulk part's CSV shards repeated N times with fresh paper keys, "
                         "for each N of this comma-separated list (e.g. 3,10: about 3M and 10M relationships)")
    ap.add_argument("--adversarial-sizes", type=lambda t: [int(x) for x in t.split(",")], default=[100_000, 1_000_000],
                    help="field sizes in characters for the adversarial part (100000,1000000)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    ap.add_argument("--workers", type=int, default=2, help="extraction processes for the parallel figures (2)")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="extraction batch size (default: the extractor's default)")
    ap.add_argument("--ingest-batch", type=int, default=1000, help="papers per graph write (1000, as kg ingest)")
    ap.add_argument("--memory-copies", type=int, default=4, help="corpus copies for the memory figure (4)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per query; the median is reported (3)")
    ap.add_argument("--neo4j-uri", default=None, help="use this Neo4j instead of starting one")
    ap.add_argument("--neo4j-user", default="neo4j")
    ap.add_argument("--neo4j-password", default=None,
                    help="default: KG_NEO4J_PASSWORD or NEO4J_PASSWORD from the environment")
    ap.add_argument("--neo4j-database", default="neo4j")
    ap.add_argument("--neo4j-batch-size", type=int, default=5000, help="rows per Neo4j transaction (5000)")
    ap.add_argument("--tmp", default=None, help="folder for the temporary stores (default: system temp)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary stores and exports")
    args = ap.parse_args(argv)
    if args.million and "million" not in args.parts:
        args.parts.append("million")
    return args


def _git(*cmd: str) -> str:
    try:
        r = subprocess.run(["git", *cmd], cwd=_ROOT, capture_output=True, text=True, timeout=10, check=False)
        return r.stdout.strip()
    except OSError:
        return ""


def _machine(args: argparse.Namespace) -> dict[str, object]:
    try:
        import spacy

        spacy_version = spacy.__version__
    except ImportError:
        spacy_version = "not installed"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "kg"))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "spacy": spacy_version,
        "platform": platform.platform(),
        "kg_commit": _git("rev-parse", "--short", "HEAD") + (" + uncommitted kg/ changes" if dirty else ""),
        "corpus": str(args.corpus),
        "parts": args.parts,
    }


def _run_part(bench: Bench, name: str, title: str, fn: Callable[[Bench], list[Figure]]) -> list[Figure]:
    bench.log(f"== {title}")
    try:
        figs = fn(bench)
    except Skip as e:
        bench.log(f"   skipped: {e}")
        return [skipped(name, title, str(e))]
    except Exception as e:  # noqa: BLE001 - one broken part must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        bench.log(f"   error: {type(e).__name__}: {e}")
        return [skipped(name, title, f"{type(e).__name__}: {e}", status="error")]
    for f in figs:
        bench.log(f"   {f.name}: {f.value if f.status == 'ok' else f.status}")
    return figs


def main(argv: list[str] | None = None) -> int:
    """Run the selected parts, print the machine, the table and write JSON; 1 if a part failed."""
    args = _args(argv)
    machine = _machine(args)
    print(f"kg benchmark, {machine['date']}: {machine['cpu_count']} CPUs (os.cpu_count()), "
          f"Python {machine['python']}, spaCy {machine['spacy']}, {machine['platform']}, "
          f"kg {machine['kg_commit']}")
    if not args.corpus.is_dir() or not corpus_files(args.corpus):
        why = f"no corpus at {args.corpus} (a folder of .json/.jsonl/.csv paper files): give --corpus DIR"
        print(f"skipped: {why}")
        if args.json:
            write_json(args.json, {**machine, "skipped": why}, [])
        return 0
    print(f"corpus: {args.corpus} ({', '.join(p.name for p in corpus_files(args.corpus))})")
    bench = Bench(args)
    figures: list[Figure] = []
    registry = _parts()
    try:
        for name in args.parts:
            title, fn = registry[name]
            figures += _run_part(bench, name, title, fn)
    finally:
        bench.close()
    print()
    print(render_table(figures))
    if args.json:
        write_json(args.json, machine, figures)
        print(f"\nwrote {args.json}")
    return 1 if any(f.status == "error" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
