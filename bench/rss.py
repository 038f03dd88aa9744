"""Child process for memory figures: extract (or ingest) a streamed N-fold corpus, report peak RSS as JSON.

Run by ``bench/run.py``; by hand: ``python -m bench.rss extract --corpus ../shared/corpus --copies 4``.
The last line of stdout is a JSON object; peak RSS is this process's own (``RUSAGE_SELF``), plus
the largest worker process it waited for (``RUSAGE_CHILDREN``) when ``--workers`` > 1.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main", "peak_rss_bytes"]

_ROOT = Path(__file__).resolve().parent.parent


def peak_rss_bytes(who: int = resource.RUSAGE_SELF) -> int:
    """Peak resident set size in bytes (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(who).ru_maxrss * 1024


def _status_kib(field: str) -> int:
    """A ``/proc/self/status`` field in KiB (``VmRSS``, ``VmHWM``), 0 when unreadable."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak() -> bool:
    """Reset this process's peak RSS (VmHWM) so later peaks exclude the set-up; False if unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _extract(args: argparse.Namespace, papers) -> dict:
    from kg.extract import Extractor

    ex = Extractor()
    loaded_rss = _status_kib("VmRSS") * 1024
    reset = _reset_peak()
    t0 = time.perf_counter()
    n = entities = 0
    for e in ex.extract_all(papers, batch_size=args.batch_size, workers=args.workers):
        n += 1
        entities += len(e.methods) + len(e.datasets) + len(e.code_urls)
    seconds = time.perf_counter() - t0
    return {"papers": n, "entities": entities, "seconds": seconds, "rss_after_load": loaded_rss,
            "peak_rss_extracting": _status_kib("VmHWM") * 1024 if reset else None}


def _ingest(args: argparse.Namespace, papers) -> dict:
    """What ``kg.api.ingest`` does (extract, build a graph per batch, write it), on a paper stream."""
    import itertools

    from kg.extract import Extractor
    from kg.graph import build_graph
    from kg.model import WriteStats
    from kg.sinks.store import OxigraphStore

    with tempfile.TemporaryDirectory(prefix="kg-bench-", dir=args.tmp) as tmp:
        store_dir = Path(tmp) / "store"
        store = OxigraphStore(store_dir)
        stats = WriteStats()
        n = 0
        t0 = time.perf_counter()
        try:
            it = Extractor().extract_all(papers, batch_size=args.batch_size, workers=args.workers)
            while chunk := list(itertools.islice(it, args.ingest_batch)):
                stats.add(store.write(build_graph(chunk)))
                n += len(chunk)
                if args.progress and n % (args.ingest_batch * 10) == 0:
                    print(f"  {n:,} papers, {time.perf_counter() - t0:.0f} s, "
                          f"peak RSS {peak_rss_bytes() / 2**20:.0f} MiB", file=sys.stderr, flush=True)
        finally:
            store.close()
        seconds = time.perf_counter() - t0
        return {"papers": n, "seconds": seconds, "triples": stats.triples,
                "store_bytes": _dir_bytes(store_dir), "compact_seconds": store.compact_seconds}


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run the measurement, print one JSON line."""
    sys.path.insert(0, str(_ROOT))
    from bench.corpus import corpus_files, stream_papers

    ap = argparse.ArgumentParser(prog="python -m bench.rss")
    ap.add_argument("mode", choices=["extract", "ingest"])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--ingest-batch", type=int, default=1000)
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args(argv)
    papers = stream_papers(corpus_files(args.corpus), copies=args.copies, limit=args.limit)
    result = (_extract if args.mode == "extract" else _ingest)(args, papers)
    result["peak_rss"] = peak_rss_bytes()
    result["peak_rss_workers"] = peak_rss_bytes(resource.RUSAGE_CHILDREN)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
