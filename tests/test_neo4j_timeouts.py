"""A Neo4j that stops answering (its JVM frozen with SIGSTOP) is a one-line error naming the server
within the timeout, not a wait for ever; a missing password is named as such."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import SinkError
from kg.graph import build_graph
from kg.sinks.neo4j import Neo4jSink
from tests.conftest import SERVER
from tests.helpers import DATA, REPO
from tests.neo4j_server import Neo4jInfo, Neo4jServer, wait_for_driver

TWO = DATA / "cli" / "two-papers.jsonl"


@pytest.fixture()
def frozen(request: pytest.FixtureRequest, neo4j_db: Neo4jInfo) -> Iterator[tuple[Neo4jInfo, callable]]:
    """(info, freeze): ``freeze()`` stops the server's JVM; it is continued (SIGCONT) afterwards
    whatever happens, and the test waits until it answers again, so later tests see it as before.
    A server given by NEO4J_URI is not ours to freeze: a separate one is started for this test."""
    server: Neo4jServer | None = request.config.stash.get(SERVER, None)
    own = None
    if server is None or server.pid is None:
        own = Neo4jServer()
        info = own.start()
        server = own
    else:
        info = neo4j_db
    pid = server.pid
    assert pid is not None
    stopped = []

    def freeze() -> None:
        os.kill(pid, signal.SIGSTOP)
        stopped.append(pid)

    try:
        yield info, freeze
    finally:
        if stopped:
            os.kill(pid, signal.SIGCONT)
            wait_for_driver(info, timeout=60)
        if own is not None:
            own.stop()


def _kg(*args: object, env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True,
                       env={**env, "PYTHONPATH": str(REPO)}, cwd=cwd, timeout=120)
    return p, time.monotonic() - t0


def _env(info: Neo4jInfo, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_NEO4J")}
    return {**env, "KG_NEO4J_PASSWORD": info.password, "KG_NEO4J_USER": info.user, **extra}


def test_ingest_into_a_frozen_server_stops_with_one_line_naming_it(frozen, tmp_path: Path) -> None:
    info, freeze = frozen
    freeze()
    p, seconds = _kg("ingest", TWO, "--no-store", "--neo4j", info.uri, "-q",
                     env=_env(info, KG_NEO4J_TIMEOUT="4"), cwd=tmp_path)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and info.uri in lines[0], p.stderr
    assert seconds < 40, f"took {seconds:.0f} s with a 4 s timeout (plus start-up)"


def test_a_server_frozen_between_batches_is_a_sink_error_within_the_timeout(frozen, extractor) -> None:
    """Connected and writing, then the server freezes: the next write gives up after the timeout
    (the driver alone would read its socket for ever)."""
    info, freeze = frozen
    from kg.sources import read

    graph = build_graph([extractor.extract(p) for p in read(TWO)])
    sink = Neo4jSink(info.uri, info.user, info.password, database=info.database, timeout=3)
    try:
        sink.write(graph)  # connected, constraints made, one batch in
        freeze()
        t0 = time.monotonic()
        with pytest.raises(SinkError, match=rf"Neo4j at {info.uri} did not answer within 3 s"):
            sink.write(graph)
        assert time.monotonic() - t0 < 10
    finally:
        sink.close()  # returns at once: the stuck connection is left to the abandoned thread


def test_no_password_says_kg_neo4j_password_is_not_set(neo4j_server: Neo4jInfo, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_NEO4J")}
    p, _ = _kg("query", "dataset-usage", "--neo4j", neo4j_server.uri, env=env, cwd=tmp_path)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert "KG_NEO4J_PASSWORD is not set" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
