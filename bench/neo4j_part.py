"""Parts 4 and 6 of the benchmark: Neo4j load, and query latency on the embedded store and Neo4j."""

from __future__ import annotations

import os
import re
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from bench.context import ROOT, Bench, Skip, need
from bench.figures import Figure, figure, skipped

__all__ = ["connect", "load_neo4j", "neo4j", "queries"]


def connect(b: Bench) -> tuple[Any, Any]:
    """(target, server): the server given by ``--neo4j-uri``, or one started with the test launcher."""
    need("kg.sinks.neo4j", "Neo4jSink", "the Neo4j sink")
    from kg.api import Neo4jTarget

    a = b.args
    if a.neo4j_uri:
        password = a.neo4j_password or os.environ.get("KG_NEO4J_PASSWORD") or os.environ.get("NEO4J_PASSWORD")
        return Neo4jTarget(a.neo4j_uri, a.neo4j_user, password, a.neo4j_database, a.neo4j_batch_size), None
    try:
        from tests.neo4j_server import HOW_TO_RUN, LauncherError, Neo4jServer, build_launcher, missing_tools
    except ImportError as e:
        raise Skip(f"no --neo4j-uri and the test launcher (tests/neo4j_server.py) cannot be imported: {e}") from e
    missing = missing_tools()
    if missing:
        raise Skip(f"no --neo4j-uri, and starting one needs {' and '.join(missing)}: {HOW_TO_RUN}")
    b.log("starting a Neo4j with tests/neo4j_server.py (give --neo4j-uri to use your own)")
    try:
        build_launcher()
        server = Neo4jServer()
        info = server.start()
    except LauncherError as e:
        raise Skip(f"could not start Neo4j with the test launcher: {e}") from e
    b.log(f"Neo4j up at {info.uri} in {server.startup_seconds:.0f} s")
    target = Neo4jTarget(info.uri, info.user, info.password, info.database, a.neo4j_batch_size)
    return target, server


def _sink(target: Any) -> Any:
    from kg.api import open_neo4j

    return open_neo4j(target)


def load_neo4j(b: Bench) -> dict[str, Any]:
    """Write the corpus graph to Neo4j in ingest-sized batches; only the sink's writes are timed."""
    from kg.graph import build_graph
    from kg.model import WriteStats

    target = b.neo4j()
    extractions = b.extractions()
    chunk = b.args.ingest_batch
    graphs = [build_graph(extractions[i:i + chunk]) for i in range(0, len(extractions), chunk)]
    stats = WriteStats()
    with _sink(target) as sink:
        before = sink.counts() if hasattr(sink, "counts") else {}
        t0 = time.perf_counter()
        for g in graphs:
            stats.add(sink.write(g))
        seconds = time.perf_counter() - t0
    b.mark_neo4j_loaded()
    result = {"seconds": seconds, "stats": stats, "before": before, "graphs": len(graphs)}
    b.results["neo4j"] = result
    return result


def neo4j(b: Bench) -> list[Figure]:
    """4. Neo4j load: seconds, nodes/s, relationships/s, batch size."""
    r = load_neo4j(b)
    st, s = r["stats"], r["seconds"]
    nonempty = any(v for v in r["before"].values()) if r["before"] else False
    note = f"{r['graphs']} write() calls of {b.args.ingest_batch} papers; graph building not timed"
    if nonempty:
        note += "; the database was NOT empty before (MERGE onto existing data)"
    return [
        figure("neo4j", "Neo4j load: seconds", s, "s", note=note),
        figure("neo4j", "Neo4j load: nodes/s", st.nodes / s, "/s", note=f"{st.nodes:,} node writes"),
        figure("neo4j", "Neo4j load: relationships/s", st.relationships / s, "/s", op=">=", limit=20_000,
               note=f"{st.relationships:,} relationship writes"),
        figure("neo4j", "Neo4j batch size (rows per transaction)", b.args.neo4j_batch_size),
    ]


@dataclass
class _Query:
    name: str
    text: dict[str, str] = field(default_factory=dict)  # lang -> text
    params: dict[str, Any] = field(default_factory=dict)  # name -> default (None: required)


_PARAM = re.compile(r"^\s*(?:#|//)\s*param\s+(\w+)\s*:.*?(?:\(default\s+([^)]*)\))?\s*$")


def _named_queries() -> tuple[list[str], Any]:
    """Query names, and a function (name, lang, params) -> (text, bound params)."""
    try:
        named = need("kg.sinks.named", "list_queries", "named queries")
        from kg.errors import KGError
        from kg.sinks.named import bind_params, load_query

        def bind(name: str, lang: str, params: dict[str, str]) -> tuple[str, dict[str, object]]:
            try:
                q = load_query(name, lang)
            except KGError as e:  # the twin in this language has not landed
                raise Skip(str(e)) from e
            wanted = {p.name for p in q.params}
            return q.text, bind_params(q, {k: v for k, v in params.items() if k in wanted})

        return [q.name for q in named()], bind
    except Skip:
        pass
    files = sorted((ROOT / "queries").glob("*.rq")) + sorted((ROOT / "queries").glob("*.cypher"))
    if not files:
        raise Skip("no named queries: kg.sinks.named is missing and queries/ is empty")

    def bind_files(name: str, lang: str, params: dict[str, str]) -> tuple[str, dict[str, object]]:
        path = ROOT / "queries" / f"{name}.{'rq' if lang == 'sparql' else 'cypher'}"
        if not path.exists():
            raise Skip(f"no {path.name}")
        text = path.read_text(encoding="utf-8")
        bound: dict[str, object] = {}
        for line in text.splitlines():
            m = _PARAM.match(line)
            if m and (m.group(1) in params or m.group(2) is not None):
                v = params.get(m.group(1), m.group(2))
                bound[m.group(1)] = int(v) if v.strip().isdigit() else v.strip()
        return text, bound

    return sorted({p.stem for p in files}), bind_files


def _paper_param(b: Bench) -> str:
    """A corpus paper title with at least two datasets (for queries that take ``paper``)."""
    best = max(b.extractions(), key=lambda e: len(e.datasets))
    return best.paper.title


def _median_seconds(run: Any, repeats: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        _, result = run()
        times.append(time.perf_counter() - t0)
        rows = len(result)
    return statistics.median(times), rows


def queries(b: Bench) -> list[Figure]:
    """6. Each named query on the corpus graph, embedded store and Neo4j: median of N runs."""
    names, bind = _named_queries()
    from kg.api import open_store

    params = {"paper": _paper_param(b)}
    figs: list[Figure] = []
    backends: list[tuple[str, Any]] = []
    try:
        backends.append(("embedded", ("sparql", open_store(b.store(), read_only=True))))
    except Skip as e:
        figs.append(skipped("query", "queries, embedded", str(e)))
    if "neo4j" in b.args.parts or b.args.neo4j_uri:
        try:
            backends.append(("Neo4j", ("cypher", _sink(b.neo4j_loaded()))))
        except Skip as e:
            figs.append(skipped("query", "queries, Neo4j", str(e)))
    else:
        figs.append(skipped("query", "queries, Neo4j", "the neo4j part is not selected (--parts)"))
    try:
        for label, (lang, conn) in backends:
            for name in names:
                fig_name = f"query {name} ({label}): median s"
                try:
                    text, bound = bind(name, lang, params)
                except Skip as e:
                    figs.append(skipped("query", fig_name, str(e)))
                    continue
                try:
                    seconds, rows = _median_seconds(lambda: conn.query(text, bound), b.args.repeats)
                except Exception as e:  # noqa: BLE001 - report this query, run the others
                    figs.append(skipped("query", fig_name, f"{type(e).__name__}: {e}", status="error"))
                    continue
                figs.append(figure("query", fig_name, seconds, "s", op="<=", limit=0.5,
                                   note=f"{rows} rows, median of {b.args.repeats}"))
    finally:
        for _, (_, conn) in backends:
            conn.close()
    return figs
