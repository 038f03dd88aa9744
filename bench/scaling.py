"""Part 9 of the benchmark: Dask workers against --workers (part 10, the bulk path, is bench/bulk.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Bench, child_env, need
from bench.figures import Figure, figure

__all__ = ["scaling"]

MIB = 2**20


def _kg(*args: str) -> float:
    """Seconds for one `python -m kg ARGS` as a user runs it (a fresh process: start-up included)."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "kg", *args, "-q"], env=child_env(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - t0
    if r.returncode not in (0, 3):
        raise RuntimeError(f"`kg {' '.join(args)}` failed (exit {r.returncode}): {r.stderr[-800:]}")
    return seconds


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _warm(b: Bench, w: int, k: int) -> tuple[float, int, int]:
    from kg.distributed.cluster import connect
    from kg.distributed.extract import extract_sharded

    with connect(f"local:{w}") as client:
        client.wait_for_workers(w, timeout=300)
        client.run(lambda: None)  # the plugin has loaded the extractor on every worker
        t0 = time.perf_counter()
        r = extract_sharded(b.files, b.tmp / f"dask-warm-{w}-{k}", scheduler="warm", client=client,
                            partition_bytes=int(b.args.partition_mb * MIB))
        return time.perf_counter() - t0, r.papers, r.partitions


def scaling(b: Bench) -> list[Figure]:
    """9. Throughput of `kg extract` with --workers 1 and 2, and on a Dask LocalCluster of 1 and 2
    worker processes, in one run over the same corpus files: end to end as a user runs them (fresh
    process, extractor loads, cluster start), and on a warm cluster (workers up, extractor loaded),
    as on a long-running cluster. With --scaling-repeats R the six runs go round R times, in turn,
    and each figure is the best of its R (the machine is shared: the best is the least disturbed)."""
    need("distributed", None, "Dask (pip install 'kg[dask]')")
    files = [str(f) for f in b.files]
    mb = str(b.args.partition_mb)
    out = b.tmp / "extract-w1.jsonl"
    best: dict[str, float] = {}
    n, parts = 0, 0
    runs = [(f"workers={w}", w) for w in (1, 2)] + [(f"dask-cold={w}", w) for w in (1, 2)] + \
           [(f"dask={w}", w) for w in (1, 2)]
    for k in range(max(1, b.args.scaling_repeats)):
        for name, w in runs:
            if name.startswith("workers"):
                s = _kg("extract", *files, "-o", str(out), "--workers", str(w))
                n = n or _lines(out)
            elif name.startswith("dask-cold"):
                s = _kg("extract", *files, "--scheduler", f"local:{w}", "-o", str(b.tmp / f"cold-{w}-{k}"),
                        "--partition-mb", mb)
            else:
                s, papers, parts = _warm(b, w, k)
                if papers != n:
                    raise RuntimeError(f"Dask with {w} workers wrote {papers} papers, kg extract {n}")
            best[name] = min(best.get(name, s), s)
            b.log(f"   {name} round {k + 1}: {s:.1f} s")
    rates = {name: n / s for name, s in best.items()}
    reps = f"best of {max(1, b.args.scaling_repeats)}"
    figs: list[Figure] = []
    for w in (1, 2):
        figs.append(figure("scaling", f"kg extract --workers {w}: abstracts/s", rates[f"workers={w}"], "/s",
                           note=f"{n:,} papers in {best[f'workers={w}']:.1f} s ({reps}), fresh process, "
                                "extractor load and pool start included"))
    for w in (1, 2):
        figs.append(figure("scaling", f"kg extract --scheduler local:{w}: abstracts/s", rates[f"dask-cold={w}"], "/s",
                           note=f"{best[f'dask-cold={w}']:.1f} s ({reps}), fresh process, cluster start and "
                                "worker extractor load included"))
    for w in (1, 2):
        figs.append(figure("scaling", f"Dask, {w} warm worker{'s' * (w > 1)}: abstracts/s", rates[f"dask={w}"], "/s",
                           note=f"{best[f'dask={w}']:.1f} s ({reps}), {parts} partitions of {b.args.partition_mb} MiB; "
                                f"per core {rates[f'dask={w}'] / w:,.0f}/s"))
    cores = os.cpu_count()
    figs += [
        figure("scaling", "Dask 2 workers / 1 worker (warm)", rates["dask=2"] / rates["dask=1"], "x", op=">=", limit=1.7,
               note=f"{cores} cores; --workers 2 / 1: {rates['workers=2'] / rates['workers=1']:.2f}x; "
                    f"cold local:2 / local:1: {rates['dask-cold=2'] / rates['dask-cold=1']:.2f}x"),
        figure("scaling", "Dask overhead vs --workers 2 (warm)", 1 - rates["dask=2"] / rates["workers=2"], "",
               op="<=", limit=0.10,
               note=f"1 - rate(Dask, 2 workers) / rate(--workers 2); cold local:2: "
                    f"{1 - rates['dask-cold=2'] / rates['workers=2']:+.2f}"),
        figure("scaling", "per-core rate, Dask 2 warm workers", rates["dask=2"] / 2, "/s"),
    ]
    b.results["scaling"] = {"papers": n, "rates": rates, "shards": str(b.tmp / "dask-warm-2-0")}
    return figs
