"""Neo4j sink: graph -> rows -> batches -> ``UNWIND $rows AS row MERGE ...`` in managed transactions."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import networkx as nx

from kg.errors import SinkError
from kg.graph import without_papers
from kg.keys import arxiv_iri
from kg.model import WriteStats

__all__ = [
    "Neo4jSink",
    "SCHEMES",
    "REL_TARGET",
    "batched",
    "node_rows",
    "relationship_rows",
    "statement",
]

log = logging.getLogger(__name__)
# The driver logs each retry and dropped connection as a WARNING; with no handler configured,
# Python would print those to stderr next to kg's own one-line error. A NullHandler stops only
# that fallback: an application that configures logging still receives the records.
logging.getLogger("neo4j").addHandler(logging.NullHandler())
T = TypeVar("T")

SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
# relationship type -> label of its end node (the start is always a Paper)
REL_TARGET = {
    "PROPOSES": "Method",
    "MENTIONS": "Method",
    "INTRODUCES": "Dataset",
    "USES": "Dataset",
    "HAS_CODE": "CodeRepository",
}
_LABEL_ORDER = ("Method", "Dataset", "CodeRepository", "Paper")


@cache
def statement(name: str) -> str:
    """The statement in ``kg/sinks/cypher/NAME.cypher`` (package data, one statement per file)."""
    return resources.files("kg.sinks").joinpath("cypher", f"{name}.cypher").read_text("utf-8")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """Lists of at most ``n`` consecutive items (``itertools.batched`` arrived only in 3.12)."""
    if n < 1:
        raise ValueError(f"batch size must be at least 1, got {n}")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def _node_row(attrs: dict[str, Any]) -> dict[str, Any]:
    label = attrs["label"]
    if label == "Paper":
        row = {k: attrs.get(k) for k in ("key", "title", "abstract", "arxiv_id", "url", "date", "record")}
        row["authors"] = list(attrs.get("authors") or ())
        row["source"] = attrs.get("source") or ""
        row["same_as"] = arxiv_iri(attrs["arxiv_id"]) if attrs.get("arxiv_id") else None
        return row
    if label in ("Method", "Dataset"):
        return {"key": attrs["key"], "name": attrs["name"], "aliases": sorted(attrs.get("aliases") or ()),
                "name_key": attrs.get("name_key") or attrs["key"], "sense": attrs.get("sense") or "name",
                "ambiguous": bool(attrs.get("ambiguous")), "kb_id": attrs.get("kb_id"),
                "same_as": sorted(attrs.get("same_as") or ())}
    return {k: attrs.get(k) for k in ("key", "url", "host", "owner", "repo")}


def node_rows(graph: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """Rows per node label (Method, Dataset, CodeRepository, Paper), each row the node's properties."""
    out: dict[str, list[dict[str, Any]]] = {label: [] for label in _LABEL_ORDER}
    for _, attrs in graph.nodes(data=True):
        label = attrs.get("label")
        if label not in out:
            raise SinkError(f"graph node {attrs.get('key')!r} has unknown label {label!r}; "
                            f"expected one of {', '.join(_LABEL_ORDER)}")
        out[label].append(_node_row(attrs))
    return out


def _rel_row(graph: nx.MultiDiGraph, u: str, v: str, data: dict[str, Any]) -> dict[str, Any]:
    ms = data.get("mentions") or ()
    return {
        "name": data.get("name") or graph.nodes[v].get("name"),
        "aliases": list(data.get("aliases") or ()),
        "paper": graph.nodes[u]["key"],
        "key": graph.nodes[v]["key"],
        "fields": [m.field for m in ms],
        "starts": [m.start for m in ms],
        "ends": [m.end for m in ms],
        "sentences": [m.sentence for m in ms],
        "rules": [m.rule for m in ms],
        "source": data.get("source") or "",
    }


def relationship_rows(graph: nx.MultiDiGraph) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Rows per paper key, then per relationship type: ``{paper_key: {TYPE: [row, ...]}}``.

    Every paper in the graph appears, even one with no relationships (its old ones must go).
    """
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for nid, attrs in graph.nodes(data=True):
        if attrs.get("label") != "Paper":
            continue
        per_type = out.setdefault(attrs["key"], {})
        for _, v, data in graph.out_edges(nid, data=True):
            rtype = data.get("type")
            if rtype not in REL_TARGET:
                raise SinkError(f"edge {attrs['key']!r} -> {v!r} has unknown type {rtype!r}; "
                                f"expected one of {', '.join(REL_TARGET)}")
            per_type.setdefault(rtype, []).append(_rel_row(graph, nid, v, data))
    return out


def _paper_batches(rels: dict[str, dict[str, list[dict[str, Any]]]], n: int) -> Iterator[list[str]]:
    """Paper keys in groups whose relationships add up to about ``n`` (a paper is never split)."""
    group: list[str] = []
    size = 0
    for key, per_type in rels.items():
        group.append(key)
        size += 1 + sum(len(rows) for rows in per_type.values())
        if size >= n:
            yield group
            group, size = [], 0
    if group:
        yield group


def _safe_uri(uri: str) -> str:
    """``uri`` without any ``user:password@`` part, fit for a message."""
    parts = urlsplit(uri)
    if parts.username is None and parts.password is None:
        return uri
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Neo4jSink:
    """Writes a kg graph into Neo4j; re-writing a paper replaces its relationships, entities merge.

    >>> with Neo4jSink("bolt://localhost:7687", password="...") as sink:   # doctest: +SKIP
    ...     stats = sink.write(graph)
    """

    name = "neo4j"

    def __init__(self, uri: str, user: str = "neo4j", password: str | None = None,
                 database: str = "neo4j", batch_size: int = 5000, timeout: float = 60.0) -> None:
        from neo4j import GraphDatabase

        try:
            urlsplit(uri).port  # noqa: B018 - parses the host and port: raises on a broken one
        except ValueError as e:
            raise SinkError(f"Neo4j URI {uri.split('@')[-1]!r} is not a valid URI ({e}); write it as "
                            "bolt://HOST:PORT, for example bolt://localhost:7687 or bolt://[::1]:7687") from e
        if not timeout > 0:
            raise SinkError(f"Neo4j timeout must be a positive number of seconds, got {timeout} (KG_NEO4J_TIMEOUT)")
        self.timeout = float(timeout)
        self._stuck = False
        self.uri = _safe_uri(uri)
        self.user = user
        self.database = database
        if batch_size < 1:
            raise SinkError(f"Neo4j batch size must be at least 1, got {batch_size} (KG_NEO4J_BATCH_SIZE)")
        self.batch_size = batch_size
        if hasattr(password, "get_secret_value"):  # a pydantic SecretStr from kg.config
            password = password.get_secret_value()  # type: ignore[union-attr]
        self._secret = password or ""
        scheme = urlsplit(uri).scheme.lower()
        if scheme not in SCHEMES:
            raise SinkError(f"Neo4j URI {self.uri!r} has scheme {scheme or '(none)'!r}; use one of "
                            f"{', '.join(s + '://' for s in SCHEMES)} (for example bolt://localhost:7687)")
        if "@" in urlsplit(uri).netloc:
            raise SinkError(f"Neo4j URI {self.uri!r} carries a user name or password: give them as "
                            "KG_NEO4J_USER / KG_NEO4J_PASSWORD (or --neo4j-user), not in the URI")
        auth = (user, password) if password is not None else None
        try:
            # fail in ~7 s, not ~60 s, when the server is gone; a frozen server is bounded by
            # self.timeout (see _bounded): the driver has no read timeout of its own
            self._driver = GraphDatabase.driver(
                uri, auth=auth, max_transaction_retry_time=min(5.0, self.timeout),
                connection_timeout=min(15.0, self.timeout), connection_acquisition_timeout=self.timeout)
        except Exception as e:  # noqa: BLE001 - the driver validates the URI and options here
            raise SinkError(self._scrub(f"cannot use Neo4j URI {self.uri!r}: {e}")) from e
        self._schema_ready = False
        self._connected = False

    def __repr__(self) -> str:
        return f"Neo4jSink(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"

    def __enter__(self) -> "Neo4jSink":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver and its connections (safe to call twice). After a timeout the
        connection in use belongs to a thread still waiting on the server: it is left to die
        with the process rather than waited for."""
        if self._stuck:
            return
        try:
            self._bounded("closing the connection", self._driver.close, timeout=5.0)
        except SinkError:
            self._stuck = True

    def _bounded(self, doing: str, fn: Any, *args: Any, timeout: float | None = None) -> Any:
        """``fn(*args)`` in a worker thread, waiting at most ``timeout`` (default ``self.timeout``)
        seconds: a server that stops answering (a frozen process, a dead link with no reset) would
        otherwise leave the driver reading its socket for ever. Ctrl-C still interrupts the wait."""
        if self._stuck:
            raise SinkError(f"Neo4j at {self.uri} stopped answering earlier; run the command again")
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["value"] = fn(*args)
            except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = e
            finally:
                done.set()

        threading.Thread(target=work, name="kg-neo4j", daemon=True).start()
        limit = self.timeout if timeout is None else timeout
        if not done.wait(limit):
            self._stuck = True
            raise SinkError(f"Neo4j at {self.uri} did not answer within {limit:g} s while {doing}: the "
                            "server may be frozen or overloaded; check it (or raise KG_NEO4J_TIMEOUT), "
                            "then run the same command again (writes are idempotent)")
        if "error" in box:
            raise box["error"]
        return box.get("value")

    # -- errors -------------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _fail(self, e: Exception, doing: str) -> SinkError:
        from neo4j import exceptions as ne

        code = getattr(e, "code", None) or ""
        where = f"Neo4j at {self.uri}"
        if (isinstance(e, ne.AuthError) or "Security.Unauthorized" in code) and not self._secret:
            msg = (f"{where} refused the login of user {self.user!r}: KG_NEO4J_PASSWORD is not set; "
                   "set it in the environment or in .env (git-ignored)")
        elif isinstance(e, ne.AuthError) or "Security.Unauthorized" in code:
            msg = (f"{where} refused the login of user {self.user!r}: wrong user name or password "
                   "(set KG_NEO4J_USER / KG_NEO4J_PASSWORD)")
        elif "Database.DatabaseNotFound" in code:
            msg = (f"{where} has no database {self.database!r} (Community edition has only 'neo4j'; "
                   "set KG_NEO4J_DATABASE or --neo4j-database)")
        elif isinstance(e, ne.IncompleteCommit):
            msg = (f"{where}: the connection broke while {doing} was committing, so that batch may "
                   "or may not be stored; run the same command again (writes are idempotent)")
        elif isinstance(e, (ne.ServiceUnavailable, ne.SessionExpired, OSError)):
            msg = (f"{where}: the server did not answer ({type(e).__name__}); is it running and is "
                   "the URI right? (docker compose up -d starts one on bolt://localhost:7687)")
        elif "Schema." in code or isinstance(e, ne.ConstraintError):
            msg = (f"{where}: {doing} conflicts with data or schema already in database "
                   f"{self.database!r}: {getattr(e, 'message', None) or e}; remove the duplicate "
                   "nodes or the conflicting index/constraint, or use an empty database")
        else:
            msg = f"{where}: {doing} failed: {type(e).__name__}: {getattr(e, 'message', None) or e}"
        return SinkError(self._scrub(" ".join(str(msg).split())))

    def _session(self):
        return self._driver.session(database=self.database)

    def _connect(self) -> None:
        """Fail fast (no retry loop) when the server is down, the login or the database is wrong."""
        if self._connected:
            return
        def check() -> None:
            self._driver.verify_connectivity()
            with self._session() as s:
                s.run("RETURN 1").consume()

        try:
            self._bounded("connecting", check)
        except SinkError:
            raise
        except Exception as e:  # noqa: BLE001 - mapped to SinkError
            raise self._fail(e, "connecting") from e
        self._connected = True

    # -- schema -------------------------------------------------------------------------------
    def ensure_constraints(self) -> None:
        """Uniqueness constraints on ``key`` of every label (``IF NOT EXISTS``, so re-runs are no-ops)."""
        if self._schema_ready:
            return
        self._connect()
        for label in ("Paper", "Method", "Dataset", "CodeRepository"):
            try:
                self._bounded(f"creating the uniqueness constraint on :{label}(key)",
                              self._run_auto, statement(f"constraint-{label.lower()}"), {})
            except SinkError:
                raise
            except Exception as e:  # noqa: BLE001 - mapped to SinkError below
                raise self._fail(e, f"creating the uniqueness constraint on :{label}(key)") from e
        for label in ("Method", "Dataset"):
            try:
                with self._session() as s:
                    s.run(statement(f"index-{label.lower()}-name-key")).consume()
            except Exception as e:  # noqa: BLE001 - mapped to SinkError below
                raise self._fail(e, f"creating the index on :{label}(name_key)") from e
        self._schema_ready = True

    # -- writing ------------------------------------------------------------------------------
    def write(self, graph: nx.MultiDiGraph) -> WriteStats:
        """Write ``graph``: entities merge, each paper's relationships are replaced. Idempotent."""
        t0 = time.monotonic()
        self.ensure_constraints()
        given = {d["key"]: d["content_hash"] for _, d in graph.nodes(data=True)
                 if d.get("label") == "Paper" and d.get("content_hash")}
        graph, kept = self._newer_records(graph)
        if kept:  # a kept record is complete: it takes this input's content hash (kg.changes)
            left = set(given) - {d["key"] for _, d in graph.nodes(data=True) if d.get("label") == "Paper"}
            if left:
                self._run_write(f"writing the content hashes of {len(left)} papers", _write_rows,
                                statement("set-paper-hashes"), [{"key": k, "hash": given[k]} for k in sorted(left)])
        nodes = node_rows(graph)
        rels = relationship_rows(graph)
        stats = WriteStats()
        for label in _LABEL_ORDER:
            for batch in batched(nodes[label], self.batch_size):
                self._run_write(f"writing {len(batch)} :{label} nodes",
                                _write_rows, statement(f"merge-{label.lower()}"), batch)
                stats.nodes += len(batch)
        stats.papers = len(nodes["Paper"])
        hashes = given
        deleted = 0
        for keys in _paper_batches(rels, self.batch_size):
            by_type: dict[str, list[dict[str, Any]]] = {}
            for k in keys:
                for rtype, rows in rels[k].items():
                    by_type.setdefault(rtype, []).extend(rows)
            done = [{"key": k, "hash": hashes[k]} for k in keys if k in hashes]
            deleted += self._run_write(f"writing the relationships of {len(keys)} papers",
                                       _replace_relationships, keys, by_type, done)
            stats.relationships += sum(len(rows) for rows in by_type.values())
        stats.extra = {f"nodes:{label}": len(nodes[label]) for label in _LABEL_ORDER}
        stats.extra["relationships_replaced"] = deleted
        stats.extra["superseded_papers"] = kept
        stats.seconds = time.monotonic() - t0
        log.info("neo4j %s: %d nodes, %d relationships in %.2f s", self.uri, stats.nodes,
                 stats.relationships, stats.seconds)
        return stats

    def _newer_records(self, graph: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, int]:
        """``graph`` without the papers Neo4j holds a later record of (kg.graph.record_rank), nor
        the names only they give; and how many were left out. The same record is written again:
        a load cut between a paper's node and its relationships must complete when re-run."""
        papers = {d["key"]: n for n, d in graph.nodes(data=True) if d.get("label") == "Paper"}
        if not papers:
            return graph, 0
        _, rows = self.query(statement("read-paper-records"), {"keys": sorted(papers)})
        stored = {k: r for k, r in rows if r is not None}
        skip = {papers[k] for k, r in stored.items()
                if k in papers and str(r) > (graph.nodes[papers[k]].get("record") or "")}
        if not skip:
            return graph, 0
        return without_papers(graph, skip), len(skip)

    def _run_write(self, doing: str, fn: Any, *args: Any) -> Any:
        from neo4j import unit_of_work  # a server-side limit too, for a server that is only slow

        def write() -> Any:
            with self._session() as s:
                return s.execute_write(unit_of_work(timeout=self.timeout)(fn), *args)

        try:
            return self._bounded(doing, write)
        except SinkError:
            raise
        except Exception as e:  # noqa: BLE001 - mapped to SinkError
            raise self._fail(e, doing) from e

    def _run_auto(self, cypher: str, params: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
        with self._session() as s:
            result = s.run(cypher, params)
            return list(result.keys()), [list(r.values()) for r in result]

    # -- reading ------------------------------------------------------------------------------
    def content_hashes(self, keys: list[str]) -> dict[str, str]:
        """The stored content hash (kg.changes) of each paper of ``keys`` in Neo4j, ``""`` for
        one written without a hash; absent papers are left out."""
        if not keys:
            return {}
        self.ensure_constraints()  # the lookup by key needs the index (a neo4j-admin import has none)
        _, rows = self.query(statement("paper-hashes"), {"keys": keys})
        return {str(k): str(h or "") for k, h in rows}

    def query(self, cypher: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[list[object]]]:
        """Run one statement (auto-commit) with ``params``; returns (column names, rows as lists)."""
        self._connect()
        try:
            return self._bounded("running the query", self._run_auto, cypher, params or {})
        except SinkError:
            raise
        except Exception as e:  # noqa: BLE001 - mapped to SinkError
            raise self._fail(e, "running the query") from e

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type, e.g. ``{"Paper": 3, "USES": 5, ...}``."""
        out: dict[str, int] = {}
        _, rows = self.query("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")
        out.update({str(r[0]): int(r[1]) for r in rows})  # type: ignore[call-overload]
        _, rows = self.query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
        out.update({str(r[0]): int(r[1]) for r in rows})  # type: ignore[call-overload]
        return out


def _write_rows(tx: Any, statement: str, rows: Sequence[dict[str, Any]]) -> int:
    tx.run(statement, rows=list(rows)).consume()
    return 0


def _replace_relationships(tx: Any, keys: list[str], by_type: dict[str, list[dict[str, Any]]],
                           hashes: Sequence[dict[str, str]] = ()) -> int:
    """One transaction: drop these papers' relationships, write their current ones, then their
    content hashes (so a paper with a hash has its relationships)."""
    rec = tx.run(statement("delete-paper-relationships"), keys=keys).single()
    for rtype, rows in by_type.items():
        tx.run(statement("merge-" + rtype.lower().replace("_", "-")), rows=rows).consume()
    if hashes:
        tx.run(statement("set-paper-hashes"), rows=list(hashes)).consume()
    if not rec or not rec["deleted"]:
        return 0
    for label, field in (("method", "methods"), ("dataset", "datasets"), ("coderepository", "code")):
        if rec[field]:  # entities a replaced record named: drop those left unlinked, rename the rest
            tx.run(statement(f"drop-orphan-{label}"), keys=rec[field]).consume()
            if label != "coderepository":
                tx.run(statement(f"rename-{label}"), keys=rec[field]).consume()
    return int(rec["deleted"])
