"""Profile extraction (or store ingest) with pyinstrument: `python bench/profile.py [--papers 3000]`."""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on sys.path, and bench/profile.py would shadow the
# standard library's profile module (spaCy imports cProfile): use the repo root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.corpus import DEFAULT_CORPUS, corpus_files, read_papers  # noqa: E402

__all__ = ["main"]

_INSTALL = "pyinstrument is not installed: `pip install pyinstrument` (PyPI), then run this again"


def main(argv: list[str] | None = None) -> int:
    """Extract (or ingest) the first N corpus papers under pyinstrument; print the top of the profile."""
    ap = argparse.ArgumentParser(prog="python bench/profile.py", description=__doc__,
                                 epilog="Example: python bench/profile.py --papers 3000 --html prof.html")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--papers", type=int, default=3000, help="papers to extract (3000)")
    ap.add_argument("--what", choices=["extract", "ingest"], default="extract",
                    help="extract only, or ingest (extract, build graph, write a temp store)")
    ap.add_argument("--top", type=int, default=25, help="rows of the flat (self time) view (25)")
    ap.add_argument("--tree-lines", type=int, default=60, help="lines of the call tree to print (60)")
    ap.add_argument("--html", type=Path, default=None, help="also write pyinstrument's HTML report here")
    ap.add_argument("--interval", type=float, default=0.001, help="sampling interval in seconds")
    args = ap.parse_args(argv)
    try:
        from pyinstrument import Profiler
        from pyinstrument.renderers import ConsoleRenderer
    except ImportError:
        print(_INSTALL, file=sys.stderr)
        return 2
    if not args.corpus.is_dir() or not corpus_files(args.corpus):
        print(f"skipped: no corpus at {args.corpus}: give --corpus DIR")
        return 0
    from kg.extract import Extractor

    papers = list(itertools.islice(read_papers(corpus_files(args.corpus)), args.papers))
    ex = Extractor()
    profiler = Profiler(interval=args.interval)
    with tempfile.TemporaryDirectory(prefix="kg-profile-") as tmp:
        run = _ingest(ex, papers, Path(tmp)) if args.what == "ingest" else _extract(ex, papers)
        t0 = time.perf_counter()
        profiler.start()
        n = run()
        profiler.stop()
        seconds = time.perf_counter() - t0
    done = "extracted" if args.what == "extract" else "ingested"
    print(f"{done} {n:,} papers in {seconds:.2f} s ({n / seconds:,.0f}/s, under the profiler)\n")
    session = profiler.last_session
    flat = ConsoleRenderer(flat=True, time="percent_of_total", unicode=True).render(session)
    print(f"== top {args.top} functions by self time")
    print("\n".join(_body(flat)[: args.top]))
    print("\n== self time by source file")
    for path, share in _by_module(session)[: args.top]:
        print(f"{share:6.1%}  {path}")
    tree = ConsoleRenderer(unicode=True, time="percent_of_total").render(session)
    print(f"\n== call tree (first {args.tree_lines} lines)")
    print("\n".join(_body(tree)[: args.tree_lines]))
    if args.html:
        args.html.write_text(profiler.output_html(), encoding="utf-8")
        print(f"\nwrote {args.html}")
    return 0


def _extract(ex: Any, papers: list[Any]) -> Callable[[], int]:
    return lambda: sum(1 for _ in ex.extract_all(papers))


def _ingest(ex: Any, papers: list[Any], tmp: Path) -> Callable[[], int]:
    """What kg.api.ingest does per batch of 1000: extract, build the graph, write the store."""
    from kg.graph import build_graph
    from kg.sinks.store import OxigraphStore

    def run() -> int:
        it, n = ex.extract_all(papers), 0
        with OxigraphStore(tmp / "store") as store:
            while chunk := list(itertools.islice(it, 1000)):
                store.write(build_graph(chunk))
                n += len(chunk)
        return n

    return run


def _body(text: str) -> list[str]:
    """The report's lines without pyinstrument's banner and its "Profile at" line."""
    blocks = [b for b in text.strip("\n").split("\n\n") if b.strip()]
    keep = [b for b in blocks[1:] if not b.startswith("Profile at")]
    return [ln for b in keep for ln in b.splitlines() if ln.strip()]


def _by_module(session: object) -> list[tuple[str, float]]:
    """Self time summed per source file; built-ins (regex, str methods) count for their caller's file."""
    root = session.root_frame()  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    stack = [(root, "?")] if root is not None else []
    while stack:
        f, parent = stack.pop()
        path = f.file_path_short or "?"
        if path == "<built-in>":
            path = parent
        elif path.startswith("<thread") or path == "?":
            path = "(unattributed: mostly C code of spaCy's tokenizer loop)"
        own = f.time - sum(c.time for c in f.children)
        totals[path] = totals.get(path, 0.0) + max(own, 0.0)
        stack.extend((c, path) for c in f.children)
    total = sum(totals.values()) or 1.0
    return sorted(((k, v / total) for k, v in totals.items()), key=lambda kv: -kv[1])


if __name__ == "__main__":
    sys.exit(main())
