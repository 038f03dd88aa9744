"""Parts 1-3, 5, 7, 8 of the benchmark: tokenizer floor, extraction, store ingest, exports, memory, 1M."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.context import Bench, child_env, dir_bytes, need
from bench.figures import Figure, figure

__all__ = ["tokenizer", "extraction", "ingest_store", "exports", "memory", "million", "run_child"]

MIB = 2**20


def tokenizer(b: Bench) -> list[Figure]:
    """1. spaCy's blank English tokenizer alone over the same texts, batched as the extractor."""
    papers = b.papers()
    seconds = b.floor_seconds()
    _, what = b.texts()
    note = f"{what}; nlp.pipe batch_size={b.batch_size()}"
    return [
        figure("tokenizer", "abstracts in corpus", len(papers), note=f"{len(b.rejects)} records rejected"),
        figure("tokenizer", "tokenizer floor: seconds", seconds, "s", note=note),
        figure("tokenizer", "tokenizer floor: abstracts/s", len(papers) / seconds, "/s"),
    ]


def extraction(b: Bench) -> list[Figure]:
    """2. Extraction, one process and ``--workers`` processes, against the tokenizer floor."""
    papers = b.papers()
    floor = b.floor_seconds()
    t0 = time.perf_counter()
    ex = b.extractor()
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = list(ex.extract_all(papers, batch_size=b.batch_size()))
    seconds = time.perf_counter() - t0
    b.set_extractions(out)
    w = b.args.workers
    t0 = time.perf_counter()
    n = sum(1 for _ in ex.extract_all(papers, batch_size=b.batch_size(), workers=w))
    seconds_w = time.perf_counter() - t0
    if n != len(papers):
        raise RuntimeError(f"extract_all(workers={w}) gave {n} extractions for {len(papers)} papers")
    found = sum(len(e.methods) + len(e.datasets) + len(e.code_urls) for e in out)
    return [
        figure("extract", "extractor load: seconds", load, "s", note="Extractor() once, not in the rates"),
        figure("extract", "extraction: seconds", seconds, "s", note=f"{found:,} entities and URLs found"),
        figure("extract", "extraction: abstracts/s", len(papers) / seconds, "/s"),
        figure("extract", "extraction / tokenizer floor", seconds / floor, "x", op="<=", limit=1.5),
        figure("extract", f"extraction, workers={w}: seconds", seconds_w, "s",
               note="includes starting the worker processes"),
        figure("extract", f"extraction, workers={w}: abstracts/s", n / seconds_w, "/s", op=">=", limit=1500),
    ]


def ingest_store(b: Bench) -> list[Figure]:
    """3. ``kg.api.ingest`` of the corpus files into a fresh embedded store, end to end."""
    need("kg.extract", "Extractor", "the extractor")
    need("kg.sinks.store", "OxigraphStore", "the embedded store")
    from kg import api

    path = b.tmp / "store"
    w = b.args.workers
    report = api.ingest(b.files, store=path, workers=w)
    b.set_store(path)
    stats = report.sinks.get("oxigraph")
    triples = stats.triples if stats is not None else 0
    size = dir_bytes(path)
    again = api.ingest(b.files, store=path, workers=w)  # unchanged: every paper skipped by its hash
    return [
        figure("store", f"store ingest, workers={w}: seconds", report.seconds, "s",
               note=f"kg.api.ingest, batch 1000; {report.summary()}"),
        figure("store", f"store ingest, workers={w}: papers/s", report.papers / report.seconds, "/s",
               op=">=", limit=1000),
        figure("store", "store ingest: triples written", triples),
        figure("store", "store size on disk", size / MIB, "MiB"),
        figure("store", "re-run of the unchanged corpus: seconds", again.seconds, "s", op="<=", limit=5,
               note=f"the same kg.api.ingest again; {again.summary()}"),
    ]


def exports(b: Bench) -> list[Figure]:
    """5. Turtle and N-Triples export of the whole corpus graph from the embedded store."""
    need("kg.sinks.export", "EXPORTERS", "the exporters")
    from kg import api

    store = b.store()
    figs = []
    for fmt, label, ext in (("turtle", "Turtle", "ttl"), ("ntriples", "N-Triples", "nt")):
        out = b.tmp / f"graph.{ext}"
        with out.open("wb") as f:
            t0 = time.perf_counter()
            n = api.export(store, fmt, f)
            seconds = time.perf_counter() - t0
        figs += [
            figure("export", f"{label} export: seconds", seconds, "s",
                   note=f"{n:,} triples, {out.stat().st_size / MIB:.0f} MiB"),
            figure("export", f"{label} export: triples/s", n / seconds, "/s", op=">=", limit=500_000),
        ]
    return figs


def run_child(b: Bench, *args: str) -> dict:
    """Run ``python -m bench.rss ARGS`` and return the JSON it prints last."""
    cmd = [sys.executable, "-m", "bench.rss", *args, "--corpus", str(b.args.corpus),
           "--batch-size", str(b.batch_size()), "--tmp", str(b.tmp)]
    r = subprocess.run(cmd, env=child_env(), stdout=subprocess.PIPE, text=True, check=False)
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"`{' '.join(cmd)}` failed with exit code {r.returncode} (its stderr is above)")
    return json.loads(lines[-1])


def memory(b: Bench) -> list[Figure]:
    """7. Peak RSS of extraction (one process) at 1x and 4x the corpus, 4x streamed with fresh ids."""
    need("kg.extract", "Extractor", "the extractor")
    k = b.args.memory_copies
    one = run_child(b, "extract", "--copies", "1")
    many = run_child(b, "extract", "--copies", str(k))
    if many["papers"] != k * one["papers"]:
        raise RuntimeError(f"{k}x stream gave {many['papers']} papers, expected {k * one['papers']}")
    figs = [
        figure("memory", "extraction peak RSS, 1x", one["peak_rss"] / MIB, "MiB",
               note=f"{one['papers']:,} papers, child process, workers=1, "
                    f"{one['rss_after_load'] / MIB:.0f} MiB after loading the extractor"),
        figure("memory", f"extraction peak RSS, {k}x", many["peak_rss"] / MIB, "MiB",
               note=f"{many['papers']:,} papers streamed in {many['seconds']:.0f} s"),
        figure("memory", f"extraction peak RSS, {k}x / 1x", many["peak_rss"] / one["peak_rss"], "x",
               op="<=", limit=1.2),
    ]
    if one.get("peak_rss_extracting") and many.get("peak_rss_extracting"):
        grow = [(r["peak_rss_extracting"] - r["rss_after_load"]) / MIB for r in (one, many)]
        figs.append(figure("memory", f"extraction-phase RSS growth, {k}x", grow[1], "MiB",
                           note=f"peak while extracting minus RSS after loading: 1x {grow[0]:.0f} MiB, "
                                f"{k}x {grow[1]:.0f} MiB (peak reset via /proc/self/clear_refs)"))
    return figs


def million(b: Bench) -> list[Figure]:
    """8. The 1M-paper point: extraction and store ingest of a synthetic corpus, in a child process."""
    need("kg.extract", "Extractor", "the extractor")
    need("kg.sinks.store", "OxigraphStore", "the embedded store")
    n = b.args.million_papers
    w = b.args.workers
    b.log(f"1M point: {n:,} papers, workers={w}; progress below")
    r = run_child(b, "ingest", "--limit", str(n), "--workers", str(w), "--progress")
    if r["papers"] != n:
        raise RuntimeError(f"asked for {n:,} papers, the child ingested {r['papers']:,}")
    return [
        figure("million", f"{n:,}-paper ingest: seconds", r["seconds"], "s",
               note=f"{r['papers']:,} papers, workers={w}, extraction + embedded store, "
                    f"{r.get('compact_seconds', 0):.0f} s of it the final compaction"),
        figure("million", f"{n:,}-paper ingest: papers/s", r["papers"] / r["seconds"], "/s"),
        figure("million", f"{n:,}-paper ingest: peak RSS", r["peak_rss"] / MIB, "MiB",
               note=f"largest worker {r['peak_rss_workers'] / MIB:.0f} MiB"),
        figure("million", f"{n:,}-paper ingest: triples", r["triples"]),
        figure("million", f"{n:,}-paper store size on disk", r["store_bytes"] / MIB, "MiB"),
    ]

