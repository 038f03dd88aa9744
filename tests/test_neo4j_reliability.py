"""Neo4j under `kg ingest`: A twice == A and A then B == B then A on every node and relationship
with its properties; a server that goes away mid-load gives a clear error, and once it is back
the same command completes to exactly an uninterrupted load. Real servers only, no mocks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from neo4j import GraphDatabase

from kg.api import Neo4jTarget, ingest
from tests.helpers import corpus_slice as write_corpus_slice
from tests.neo4j_server import Neo4jInfo, Neo4jServer, free_port
from tests.test_properties import field_text

SLICE = 400


def dump(info: Neo4jInfo) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (end keys, type, properties), sorted."""
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
        nodes, _, _ = d.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_=info.database)
        rels, _, _ = d.execute_query(
            "MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS t, b.key AS b, properties(r) AS p",
            database_=info.database)
    return (sorted((repr(sorted(r["l"])), repr(sorted(r["p"].items()))) for r in nodes),
            sorted((r["a"], r["t"], r["b"], repr(sorted(r["p"].items()))) for r in rels))


def clear(info: Neo4jInfo) -> None:
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
        d.execute_query("MATCH (n) DETACH DELETE n", database_=info.database)


def papers_in(info: Neo4jInfo) -> int:
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
        recs, _, _ = d.execute_query("MATCH (p) WHERE 'Paper' IN labels(p) RETURN count(p) AS n",
                                      database_=info.database)
    return int(recs[0]["n"])




# ---- properties ---------------------------------------------------------------------------------

papers_of = st.integers(1, 4).flatmap(lambda n: st.lists(field_text, min_size=n, max_size=n))


def _file(path: Path, tag: str, abstracts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"title": f"{tag} paper {i}", "abstract": "We use MNIST. " + a}) + "\n"
                            for i, a in enumerate(abstracts)), encoding="utf-8")
    return path


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=papers_of, b=papers_of)
def test_neo4j_ingest_is_idempotent_and_order_free(neo4j_db: Neo4jInfo, patched: None, a: list, b: list) -> None:
    target = Neo4jTarget(neo4j_db.uri, neo4j_db.user, neo4j_db.password, neo4j_db.database, batch_size=3)

    def load(*files: Path) -> tuple[list, list]:
        clear(neo4j_db)
        for f in files:
            ingest([f], store=None, neo4j=target, batch_size=2)
        return dump(neo4j_db)

    with tempfile.TemporaryDirectory() as tmp:
        fa, fb = _file(Path(tmp) / "a.jsonl", "A", a), _file(Path(tmp) / "b.jsonl", "B", b)
        once = load(fa)  # (a record with a control character is rejected, the rest load)
        assert load(fa, fa) == once
        ab = load(fa, fb)
        assert load(fb, fa) == ab
        assert load(fa, fb, fb, fa) == ab


# ---- a server that goes away in the middle of a load ---------------------------------------------

@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first SLICE lines of the shared JSONL corpus, copied to tmp (never into the repo)."""
    return write_corpus_slice(tmp_path_factory.mktemp("corpus") / "slice.jsonl", SLICE)


def kg_ingest(path: Path, uri: str, password: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "KG_NEO4J_PASSWORD": password}
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "ingest", str(path), "--no-store", "--neo4j", uri,
         "--batch-size", "20", "--neo4j-batch-size", "50", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)


def wait_mid_load(proc: subprocess.Popen[str], info: Neo4jInfo, at_least: int = 40, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while papers_in(info) < at_least:
        assert proc.poll() is None, f"ingest ended before the cut: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def assert_clear_failure(proc: subprocess.Popen[str], uri: str, password: str) -> str:
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1, (proc.returncode, out, err)
    assert "Traceback" not in out + err and password not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[-3000:]
    line = lines[0]
    assert line.startswith(f"Error: Neo4j at {uri}"), line
    assert "did not answer" in line or ("connection broke" in line and "run the same command again" in line), line
    return line


def test_neo4j_killed_mid_load_is_a_clear_one_line_error(corpus_slice: Path, tmp_path: Path) -> None:
    """A private server (the session's stays up), SIGKILLed while kg writes to it."""
    server = Neo4jServer()
    try:
        info = server.start()
        proc = kg_ingest(corpus_slice, info.uri, info.password, tmp_path)
        wait_mid_load(proc, info)
        assert server._proc is not None
        server._proc.kill()  # the JVM dies: no shutdown, sockets reset
        assert_clear_failure(proc, info.uri, info.password)
    finally:
        server.stop()


class _Proxy:
    """A TCP forwarder in front of the session server: ``cut()`` makes the server vanish (every
    connection dropped, the port refusing), ``restore()`` brings it back on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._socks: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self._listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def _accept(self, ls: socket.socket) -> None:
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            self._socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        assert self._listener is not None
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        except OSError:
            pass
        self._listener.close()
        socks, self._socks = self._socks, []
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def test_neo4j_gone_mid_load_then_back_same_command_completes_to_an_uninterrupted_load(
        neo4j_db: Neo4jInfo, corpus_slice: Path, tmp_path: Path) -> None:
    host, port = neo4j_db.uri.removeprefix("bolt://").rsplit(":", 1)
    # the uninterrupted load, straight to the server
    proc = kg_ingest(corpus_slice, neo4j_db.uri, neo4j_db.password, tmp_path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    reference = dump(neo4j_db)
    assert len(reference[0]) > SLICE
    clear(neo4j_db)
    # the same load through a connection that goes away mid-way
    proxy = _Proxy((host, int(port)))
    uri = f"bolt://127.0.0.1:{proxy.port}"
    try:
        proc = kg_ingest(corpus_slice, uri, neo4j_db.password, tmp_path)
        wait_mid_load(proc, neo4j_db)
        proxy.cut()
        assert_clear_failure(proc, uri, neo4j_db.password)
        partial = papers_in(neo4j_db)
        assert 0 < partial < SLICE
        proxy.restore()
        proc = kg_ingest(corpus_slice, uri, neo4j_db.password, tmp_path)
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    finally:
        proxy.cut()
    assert dump(neo4j_db) == reference
