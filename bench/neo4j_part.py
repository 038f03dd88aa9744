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
        from tests.neo4j_server import (HOW_TO_RUN, SERVER_JVM_FLAGS, LauncherError, Neo4jServer, build_launcher,
                                        missing_tools)
    except ImportError as e:
        raise Skip(f"no --neo4j-uri and the test launcher (tests/neo4j_server.py) cannot be imported: {e}") from e
    missing = missing_tools()
    if missing:
        raise Skip(f"no --neo4j-uri, and starting one needs {' and '.join(missing)}: {HOW_TO_RUN}")
    b.log("starting a Neo4j with tests/neo4j_server.py (give --neo4j-uri to use your own)")
    try:
        build_launcher()
        server = Neo4jServer(jvm_flags=SERVER_JVM_FLAGS)  # full JIT, as a real server (tests use C1 only)
        info = server.start()
    except LauncherError as e:
        raise Skip(f"could not start Neo4j with the test launcher: {e}") from e
    b.log(f"Neo4j up at {info.uri} in {server.startup_seconds:.0f} s")
    target = Neo4jTarget(info.uri, info.user, info.password, info.database, a.neo4j_batch_size)
    return target, server


def _sink(target: Any) -> Any:
    from kg.api import open_neo4j

    return open_neo4j(target)


def _load_once(sink: Any, graphs: list) -> tuple[float, Any]:
    from kg.model import WriteStats

    stats = WriteStats()
    t0 = time.perf_counter()
    for g in graphs:
        stats.add(sink.write(g))
    return time.perf_counter() - t0, stats


def load_neo4j(b: Bench) -> dict[str, Any]:
    """Write the corpus graph to Neo4j in ingest-sized batches; only the sink's writes are timed.

    On a server started here the load runs twice: first on the fresh JVM (its JIT compiles the
    write path during the load), then, after deleting everything, again into the empty database
    on the now warm server, which is what a long-running server sees. A server given with
    --neo4j-uri is never wiped: only the first load runs there.
    """
    from kg.graph import build_graph

    target = b.neo4j()
    extractions = b.extractions()
    chunk = b.args.ingest_batch
    graphs = [build_graph(extractions[i:i + chunk]) for i in range(0, len(extractions), chunk)]
    with _sink(target) as sink:
        before = sink.counts() if hasattr(sink, "counts") else {}
        seconds, stats = _load_once(sink, graphs)
        warm = None
        if b.started_neo4j:  # ours: safe to wipe
            sink.query("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
            warm = _load_once(sink, graphs)
    b.mark_neo4j_loaded()
    result = {"seconds": seconds, "stats": stats, "before": before, "graphs": len(graphs), "warm": warm}
    b.results["neo4j"] = result
    return result


def _rate_figures(label: str, seconds: float, nodes: int, rels: int, note: str) -> list[Figure]:
    return [
        figure("neo4j", f"{label}: seconds", seconds, "s", note=note),
        figure("neo4j", f"{label}: nodes/s", nodes / seconds, "/s", note=f"{nodes:,} node writes"),
        figure("neo4j", f"{label}: relationships/s", rels / seconds, "/s", op=">=", limit=20_000,
               note=f"{rels:,} relationship writes"),
    ]


def neo4j(b: Bench) -> list[Figure]:
    """4. Neo4j load: seconds, nodes/s, relationships/s, batch size; and the neo4j-admin bulk import."""
    r = load_neo4j(b)
    st, s = r["stats"], r["seconds"]
    nonempty = any(v for v in r["before"].values()) if r["before"] else False
    note = f"{r['graphs']} write() calls of {b.args.ingest_batch} papers; graph building not timed"
    if nonempty:
        note += "; the database was NOT empty before (MERGE onto existing data)"
    first = "Neo4j load, fresh server" if r["warm"] else "Neo4j load"
    figs = _rate_figures(first, s, st.nodes, st.relationships, note)
    if r["warm"]:
        ws, wst = r["warm"]
        figs += _rate_figures("Neo4j load, warm server, empty database", ws, wst.nodes, wst.relationships,
                              "the same load again after deleting everything")
    figs.append(figure("neo4j", "Neo4j batch size (rows per transaction)", b.args.neo4j_batch_size))
    try:
        figs += _admin_import(b)
    except Skip as e:
        figs.append(skipped("neo4j", "neo4j-admin import", str(e)))
    return figs


def _admin_import(b: Bench) -> list[Figure]:
    """The bulk path for a first load: `kg export --format neo4j-admin`, then neo4j-admin's own
    importer (from the test launcher's classpath) into a new database; wall time with JVM start."""
    from kg.graph import build_graph
    from kg.sinks.neo4j_admin import export_neo4j_admin

    try:
        from tests.neo4j_server import SERVER_JVM_FLAGS, build_launcher, missing_tools, run_admin_import
    except ImportError as e:
        raise Skip(f"the test launcher (tests/neo4j_server.py) cannot be imported: {e}") from e
    if missing_tools():
        raise Skip(f"needs {' and '.join(missing_tools())}")
    build_launcher()
    out = b.tmp / "neo4j-admin"
    t0 = time.perf_counter()
    written = export_neo4j_admin(build_graph(b.extractions()), out / "csv")
    export_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = run_admin_import(out / "csv", out, SERVER_JVM_FLAGS, timeout=900)
    import_s = time.perf_counter() - t0
    if r.returncode != 0 or "IMPORT DONE" not in r.stdout + r.stderr:
        raise Skip(f"neo4j-admin import failed (exit {r.returncode}): {(r.stdout + r.stderr)[-500:]}")
    found = re.search(r"Imported:\s*(\d+) nodes\s*(\d+) relationships", r.stdout + r.stderr)
    nodes, rels = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    total = export_s + import_s
    done = re.search(r"IMPORT DONE in (?:(\d+)m )?(?:(\d+)s )?(\d+)ms", r.stdout + r.stderr)
    tool_s = (int(done.group(1) or 0) * 60 + int(done.group(2) or 0) + int(done.group(3)) / 1000) if done else 0.0
    return [
        figure("neo4j", "neo4j-admin CSV export: seconds", export_s, "s",
               note=f"{sum(written.values()):,} rows, whole corpus graph"),
        *_rate_figures("neo4j-admin import (export + import)", total, nodes, rels,
                       f"import {import_s:.1f} s wall incl. JVM start, {tool_s:.1f} s by the importer's "
                       "own clock; offline, into a new database"),
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
