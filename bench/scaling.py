"""Parts 9 and 10 of the benchmark: Dask workers against --workers, and the sharded bulk path at size."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Bench, Skip, child_env, dir_bytes, need
from bench.figures import Figure, figure

__all__ = ["scaling", "bulk", "copy_shards"]

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


def copy_shards(src: Path, dst: Path, copies: int) -> int:
    """A sharded extraction of ``copies`` x the papers of ``src``: copy k of each paper gets the
    fresh key ``KEY~benchK`` (bench.corpus.fresh_key), entities keep theirs. Returns papers."""
    from bench.corpus import fresh_key
    from kg.distributed.extract import MANIFEST, shard_files
    from kg.distributed.shards import write_json

    folder = dst / "extract"
    folder.mkdir(parents=True, exist_ok=True)
    parts, papers, index = [], 0, 0
    for k in range(copies):
        for shard, pfile in shard_files(src):
            xs = shard.read_text(encoding="utf-8").splitlines()
            ps = pfile.read_text(encoding="utf-8").splitlines()
            with (folder / f"part-{index:05d}.jsonl").open("w", encoding="utf-8") as fx, \
                    (folder / f"part-{index:05d}.papers.jsonl").open("w", encoding="utf-8") as fp:
                for x, p in zip(xs, ps):
                    dx, dp = json.loads(x), json.loads(p)
                    dx["id"] = dp["key"] = fresh_key(dp["key"], k)
                    fx.write(json.dumps(dx, ensure_ascii=False) + "\n")
                    fp.write(json.dumps(dp, ensure_ascii=False) + "\n")
                    papers += 1
            parts.append({"index": index, "shard": f"part-{index:05d}.jsonl"})
            index += 1
    write_json(dst / MANIFEST, {"partitions": parts, "papers": papers, "synthetic_copies": copies})
    return papers


def bulk(b: Bench) -> list[Figure]:
    """10. The sharded bulk path at the largest size run here: the corpus' shards repeated with
    fresh paper keys (`--bulk-copies`), `kg assemble` on a local:2 cluster, neo4j-admin's importer
    on the CSV shards, and `kg load` of the N-Triples shards into the embedded store."""
    need("distributed", None, "Dask (pip install 'kg[dask]')")
    try:
        from tests.neo4j_server import SERVER_JVM_FLAGS, build_launcher, missing_tools, run_admin_import
    except ImportError as e:
        raise Skip(f"the test launcher (tests/neo4j_server.py) cannot be imported: {e}") from e
    from kg.distributed import assemble, load_store

    src = Path(b.results.get("scaling", {}).get("shards") or "")
    if not (src / "manifest.json").exists():
        from kg.distributed.extract import extract_sharded

        src = b.tmp / "bulk-src"
        extract_sharded(b.files, src, scheduler="local:2", partition_bytes=int(b.args.partition_mb * MIB))
    k = b.args.bulk_copies
    out = b.tmp / f"bulk-x{k}"
    t0 = time.perf_counter()
    papers = copy_shards(src, out, k)
    b.log(f"bulk: {papers:,} papers in {k} copies of the corpus shards ({time.perf_counter() - t0:.0f} s to write)")
    m = assemble(out, scheduler="local:2")
    c = m["counts"]
    rels = sum(c.get(t, 0) for t in ("PROPOSES", "MENTIONS", "INTRODUCES", "USES", "HAS_CODE"))
    nodes = sum(c.get(t, 0) for t in ("Paper", "Method", "Dataset", "CodeRepository"))
    neo = out / "graph" / "neo4j"
    figs = [
        figure("bulk", f"kg assemble x{k} on local:2: seconds", m["seconds"], "s",
               note=f"{papers:,} papers, {nodes:,} nodes, {rels:,} relationships, {c['triples']:,} triples, "
                    f"{m['buckets']} buckets; CSV {dir_bytes(neo) / MIB:,.0f} MiB, N-Triples "
                    f"{dir_bytes(out / 'graph' / 'ntriples') / MIB:,.0f} MiB"),
        figure("bulk", "kg assemble: papers/s", papers / m["seconds"], "/s"),
    ]
    if missing_tools():
        raise Skip(f"neo4j-admin needs {' and '.join(missing_tools())}")
    build_launcher()
    t0 = time.perf_counter()
    r = run_admin_import(neo, out / "admin", SERVER_JVM_FLAGS, timeout=3600)
    wall = time.perf_counter() - t0
    log = r.stdout + r.stderr
    if r.returncode != 0 or "IMPORT DONE" not in log:
        raise RuntimeError(f"neo4j-admin import failed (exit {r.returncode}): {log[-800:]}")
    done = re.search(r"IMPORT DONE in (?:(\d+)m )?(?:(\d+)s )?(\d+)ms", log)
    tool = (int(done.group(1) or 0) * 60 + int(done.group(2) or 0) + int(done.group(3)) / 1000) if done else wall
    found = re.search(r"Imported:\s*(\d+) nodes\s*(\d+) relationships", log)
    if not found or (int(found.group(1)), int(found.group(2))) != (nodes, rels):
        raise RuntimeError(f"neo4j-admin imported {found.groups() if found else '?'}, expected {(nodes, rels)}")
    store_bytes = dir_bytes(out / "admin" / "home" / "data")
    figs += [
        figure("bulk", f"neo4j-admin import x{k}: relationships/s", rels / tool, "/s", op=">=", limit=100_000,
               note=f"{rels:,} relationships in {tool:.1f} s by the importer's clock ({wall:.1f} s wall with JVM "
                    f"start: {rels / wall:,.0f}/s); {nodes:,} nodes; database {store_bytes / MIB:,.0f} MiB"),
    ]
    t0 = time.perf_counter()
    loaded = load_store(out, out / "store")
    figs.append(figure("bulk", f"kg load x{k}: triples/s", loaded["triples"] / loaded["seconds"], "/s",
                       note=f"{loaded['triples']:,} triples in {loaded['seconds']:.1f} s (compaction included); "
                            f"store {dir_bytes(out / 'store') / MIB:,.0f} MiB"))
    b.results["bulk"] = {"papers": papers, "relationships": rels, "nodes": nodes, "triples": c["triples"],
                         "import_seconds": tool, "assemble_seconds": m["seconds"]}
    return figs
