"""Throughput of the store on a synthetic corpus: run with KG_PERF_PAPERS=20000 to measure.

``python -m tests.test_store_perf 20000`` prints the figures quoted in docs/DESIGN.md: writes
(papers/s, the loader thread's last batch included), each named query (median of 3), exports
(triples/s), ``to_networkx`` seconds, and the same queries and N-Triples dump on an in-memory
pyoxigraph store holding the same triples (the on-disk / in-memory ratio factors out machine load).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, RdfFormat, Store

from kg.sinks.named import bind_params, list_queries
from kg.sinks.rdf import PREFIXES, graph_to_ntriples
from kg.sinks.store import OxigraphStore
from tests.test_rdf_helpers import graph_of, synthetic

PAPERS = int(os.environ.get("KG_PERF_PAPERS", "0"))


def _median(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def measure(n: int, path: Path, out=print) -> dict[str, float]:
    figures: dict[str, float] = {}
    g = graph_of(synthetic(n))
    t = time.perf_counter()
    triples = sum(1 for _ in graph_to_ntriples(g))
    figures["render_papers_per_s"] = n / (time.perf_counter() - t)
    out(f"render {n} papers, {triples} triples: {figures['render_papers_per_s']:,.0f} papers/s")
    with OxigraphStore(path) as s:
        t, c = time.perf_counter(), time.process_time()
        st = s.write(g)
        _ = s.store  # waits for the loader's last batch
        dt = time.perf_counter() - t
        out(f"write CPU {time.process_time() - c:.1f}s (both threads)")
        figures["write_papers_per_s"] = n / dt
        out(f"write {n} papers, {st.triples} triples: {dt:.2f}s = {n / dt:,.0f} papers/s "
            f"({len(s.store)} triples stored)")
        t = time.perf_counter()
        st = s.write(g)
        _ = s.store
        dt = time.perf_counter() - t
        figures["rewrite_papers_per_s"] = n / dt
        out(f"rewrite unchanged: {dt:.2f}s = {n / dt:,.0f} papers/s ({st.extra['unchanged_papers']} unchanged)")
        mem = Store()
        mem.bulk_load(s.store.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph()), RdfFormat.N_TRIPLES)
        for q in list_queries():
            given = {"paper": "Paper number 17"} if q.name == "shared-datasets" else {}
            params = bind_params(q, given)
            c = time.process_time()
            dt, (_, rows) = _median(lambda: s.query(q.text, params))
            cpu = (time.process_time() - c) / 3
            figures[f"query_{q.name}_s"] = dt
            mdt, mrows = _median(lambda: list(mem.query(q.text, prefixes=PREFIXES, substitutions={
                __import__("pyoxigraph").Variable(k): __import__("pyoxigraph").Literal(v)
                for k, v in params.items()} or None)))
            figures[f"query_{q.name}_mem_s"] = mdt
            out(f"query {q.name}: {dt:.3f}s (CPU {cpu:.3f}s), {len(rows)} rows (in memory {mdt:.3f}s, {len(mrows)} rows; "
                f"disk/memory {dt / max(mdt, 1e-6):.1f}x)")
        for fmt in ("ntriples", "turtle", "nquads", "jsonld"):
            t, c = time.perf_counter(), time.process_time()
            items = s.export(fmt, io.BytesIO())
            dt = time.perf_counter() - t
            out(f"export {fmt} CPU {time.process_time() - c:.1f}s")
            figures[f"export_{fmt}_per_s"] = items / dt
            out(f"export {fmt}: {items} in {dt:.2f}s = {items / dt:,.0f}/s")
        for fmt, rf in (("ntriples", RdfFormat.N_TRIPLES), ("turtle", RdfFormat.TURTLE)):
            t = time.perf_counter()
            mem.dump(io.BytesIO(), rf, from_graph=DefaultGraph(), prefixes=None if fmt == "ntriples" else PREFIXES)
            dt = time.perf_counter() - t
            figures[f"export_{fmt}_mem_per_s"] = len(mem) / dt
            out(f"in-memory dump {fmt}: {len(mem) / dt:,.0f}/s")
        t, c = time.perf_counter(), time.process_time()
        nx_graph = s.to_networkx()
        figures["to_networkx_s"] = dt = time.perf_counter() - t
        out(f"to_networkx: {dt:.2f}s (CPU {time.process_time() - c:.1f}s) ({nx_graph.number_of_nodes()} nodes, {nx_graph.number_of_edges()} edges)")
    return figures


@pytest.mark.skipif(not PAPERS, reason="set KG_PERF_PAPERS=N to measure the store on N synthetic papers")
def test_store_throughput(tmp_path):
    f = measure(PAPERS, tmp_path / "perf")
    assert f["write_papers_per_s"] > 100  # a floor far below the measured figures: catches regressions only


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20000, Path(d) / "perf")
