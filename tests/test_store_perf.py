"""Throughput of the store on a synthetic corpus: run with KG_PERF_PAPERS=20000 to measure.

``python -m tests.test_store_perf 20000`` prints the figures quoted in kg/sinks/store.py.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kg.sinks.named import bind_params, list_queries
from kg.sinks.rdf import graph_to_nquads
from kg.sinks.store import OxigraphStore
from tests.test_rdf_helpers import graph_of, synthetic

PAPERS = int(os.environ.get("KG_PERF_PAPERS", "0"))


def measure(n: int, path: Path, out=print) -> dict[str, float]:
    figures: dict[str, float] = {}
    g = graph_of(synthetic(n))
    t = time.perf_counter()
    quads = sum(1 for _ in graph_to_nquads(g))
    figures["render_papers_per_s"] = n / (time.perf_counter() - t)
    with OxigraphStore(path) as s:
        st = s.write(g)
        figures["write_papers_per_s"] = n / st.seconds
        out(f"write {n} papers, {st.triples} quads ({quads}): {st.seconds:.2f}s = {n / st.seconds:,.0f} papers/s")
        st = s.write(g)
        figures["rewrite_papers_per_s"] = n / st.seconds
        out(f"rewrite unchanged: {st.seconds:.2f}s = {n / st.seconds:,.0f} papers/s")
        for q in list_queries():
            given = {"paper": "Paper number 17"} if q.name == "shared-datasets" else {}
            t = time.perf_counter()
            _, rows = s.query(q.text, bind_params(q, given))
            figures[f"query_{q.name}_s"] = dt = time.perf_counter() - t
            out(f"query {q.name}: {dt:.3f}s, {len(rows)} rows")
        for fmt in ("ntriples", "turtle", "nquads", "jsonld"):
            t = time.perf_counter()
            items = s.export(fmt, io.BytesIO())
            dt = time.perf_counter() - t
            figures[f"export_{fmt}_per_s"] = items / dt
            out(f"export {fmt}: {items} in {dt:.2f}s = {items / dt:,.0f}/s")
        t = time.perf_counter()
        s.to_networkx()
        out(f"to_networkx: {time.perf_counter() - t:.2f}s")
    return figures


@pytest.mark.skipif(not PAPERS, reason="set KG_PERF_PAPERS=N to measure the store on N synthetic papers")
def test_store_throughput(tmp_path):
    f = measure(PAPERS, tmp_path / "perf")
    assert f["write_papers_per_s"] > 100  # a floor far below the measured figures: catches regressions only


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        measure(int(sys.argv[1]) if len(sys.argv) > 1 else 20000, Path(d) / "perf")
