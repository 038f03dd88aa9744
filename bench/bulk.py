"""Part 10 of the benchmark: the sharded bulk path at size (kg assemble, neo4j-admin's importer, kg load)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from bench.context import Bench, Skip, dir_bytes, need
from bench.figures import Figure, figure

__all__ = ["bulk", "copy_shards", "replicate_csv", "admin_import", "RELATIONSHIP_TYPES", "NODE_LABELS"]

MIB = 2**20
RELATIONSHIP_TYPES = ("PROPOSES", "MENTIONS", "INTRODUCES", "USES", "HAS_CODE")
NODE_LABELS = ("Paper", "Method", "Dataset", "CodeRepository")


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


def _copy_key(key: str, k: int) -> str:
    return key if k == 0 else f"{key}~x{k}"


def replicate_csv(src: Path, dst: Path, copies: int) -> None:
    """The neo4j-admin CSV files of an assembled graph (``src``: its ``neo4j/`` folder) with
    ``copies`` x the papers: copy k > 0 of every Paper row and relationship row gets the paper key
    ``KEY~xK`` (not fresh_key's ``~benchK``: the assembled copies already use those), entity rows
    are written once: what `kg assemble` writes for a ``copies`` x
    larger extraction of the same kind, without assembling it. A multiline piece is repeated as
    ``copies`` pieces (each stays within MULTILINE_MAX_BYTES). Writes ``dst/import-command.txt``."""
    from kg.distributed.assemble import _headers_and_command
    from kg.sinks.neo4j_admin import data_writer

    dst.mkdir(parents=True, exist_ok=True)
    pieces = sorted(src.glob("*-ml-[0-9]*.csv"))
    for f in sorted(src.glob("*.csv")):
        per_paper = f.name.startswith(("nodes-Paper-", "relationships-")) and not f.name.endswith("-header.csv")
        if f.name.endswith("-header.csv"):
            continue  # written again with the command
        if not per_paper:
            shutil.copyfile(f, dst / f.name)
            continue
        with f.open(newline="", encoding="utf-8") as fi:
            rows = list(csv.reader(fi))
        if f in pieces:  # header row first; one piece per copy
            name, i = f.name[:-4].rsplit("-", 1)
            n = sum(1 for p in pieces if p.name.startswith(name + "-"))
            for k in range(copies):
                with (dst / f"{name}-{k * n + int(i):05d}.csv").open("w", newline="", encoding="utf-8") as fo:
                    data_writer(fo).writerows([rows[0], *([_copy_key(r[0], k), *r[1:]] for r in rows[1:])])
            continue
        with (dst / f.name).open("w", newline="", encoding="utf-8") as fo:
            w = data_writer(fo)
            for k in range(copies):
                w.writerows([_copy_key(r[0], k), *r[1:]] for r in rows)
    (dst / "import-command.txt").write_text(_headers_and_command(dst.resolve()) + "\n", encoding="utf-8")


def _seconds(log: str) -> float | None:
    done = re.search(r"IMPORT DONE in (?:(\d+)m )?(?:(\d+)s )?(\d+)ms", log)
    return int(done.group(1) or 0) * 60 + int(done.group(2) or 0) + int(done.group(3)) / 1000 if done else None


def admin_import(neo: Path, workdir: Path, expect: tuple[int, int] | None = None,
                 extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """neo4j-admin's importer (tests.neo4j_server.run_admin_import, the server's JVM flags) on the
    CSV shards in ``neo``: its own clock, the wall time with the JVM start, counts, database size
    and the load average before and after. ``expect``: (nodes, relationships) it must report."""
    from tests.neo4j_server import SERVER_JVM_FLAGS, run_admin_import

    shutil.rmtree(workdir, ignore_errors=True)
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    r = run_admin_import(neo, workdir, SERVER_JVM_FLAGS, timeout=3600, heap="3g", extra=extra)
    wall = time.perf_counter() - t0
    load1 = os.getloadavg()
    log = r.stdout + r.stderr
    if r.returncode != 0 or "IMPORT DONE" not in log:
        raise RuntimeError(f"neo4j-admin import failed (exit {r.returncode}): {log[-800:]}")
    found = re.search(r"Imported:\s*(\d+) nodes\s*(\d+) relationships", log)
    got = (int(found.group(1)), int(found.group(2))) if found else None
    if expect is not None and got != expect:
        raise RuntimeError(f"neo4j-admin imported {got or '?'} (nodes, relationships), expected {expect}")
    tool = _seconds(log) or wall
    out = {"nodes": got[0] if got else 0, "relationships": got[1] if got else 0, "seconds": tool, "wall": wall,
           "database_bytes": dir_bytes(workdir / "home" / "data"), "load": (load0[0], load1[0]),
           "csv_bytes": sum(p.stat().st_size for p in neo.glob("*.csv")), "files": len(list(neo.glob("*.csv")))}
    shutil.rmtree(workdir / "home" / "data", ignore_errors=True)  # gigabytes; the figures are taken
    return out


def _import_figure(name: str, m: dict[str, Any], *, target: bool) -> Figure:
    rels = m["relationships"]
    note = (f"{rels:,} relationships and {m['nodes']:,} nodes in {m['seconds']:.1f} s by the importer's clock "
            f"({m['wall']:.1f} s wall with JVM start: {rels / m['wall']:,.0f}/s); {m['files']} CSV files, "
            f"{m['csv_bytes'] / MIB:,.0f} MiB; database {m['database_bytes'] / MIB:,.0f} MiB; load average "
            f"{m['load'][0]:.1f} before, {m['load'][1]:.1f} after; {os.cpu_count()} cores")
    if target:
        return figure("bulk", name, rels / m["seconds"], "/s", op=">=", limit=100_000, note=note)
    return figure("bulk", name, rels / m["seconds"], "/s", note=note)


def bulk(b: Bench) -> list[Figure]:
    """10. The sharded bulk path at the largest size run here: the corpus' shards repeated with
    fresh paper keys (`--bulk-copies`), `kg assemble` on a local:2 cluster, neo4j-admin's importer
    on the CSV shards, the same import at `--bulk-import-copies` times that size (the CSV shards
    repeated with fresh paper keys, see replicate_csv), and `kg load` of the N-Triples shards."""
    need("distributed", None, "Dask (pip install 'kg[dask]')")
    try:
        from tests.neo4j_server import build_launcher, missing_tools
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
    rels = sum(c.get(t, 0) for t in RELATIONSHIP_TYPES)
    nodes = sum(c.get(t, 0) for t in NODE_LABELS)
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
    sizes = sorted({1, *b.args.bulk_import_copies})
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        folder = neo if n == 1 else b.tmp / f"csv-x{k}x{n}"
        if n > 1:
            replicate_csv(neo, folder, n)
        papers_n = c["Paper"] * n
        results[n] = admin_import(folder, out / "admin", expect=(nodes + papers_n - c["Paper"], rels * n))
        b.log(f"   neo4j-admin x{n}: {results[n]['relationships']:,} relationships in {results[n]['seconds']:.1f} s")
        figs.append(_import_figure(f"neo4j-admin import, {results[n]['relationships'] / 1e6:.1f}M relationships: "
                                   "relationships/s", results[n], target=n == sizes[-1]))
        if n > 1:
            shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    loaded = load_store(out, out / "store")
    figs.append(figure("bulk", f"kg load x{k}: triples/s", loaded["triples"] / loaded["seconds"], "/s",
                       note=f"{loaded['triples']:,} triples in {loaded['seconds']:.1f} s (compaction included); "
                            f"store {dir_bytes(out / 'store') / MIB:,.0f} MiB"))
    b.results["bulk"] = {"papers": papers, "relationships": rels, "nodes": nodes, "triples": c["triples"],
                         "imports": {str(n): r for n, r in results.items()}, "assemble_seconds": m["seconds"]}
    return figs
