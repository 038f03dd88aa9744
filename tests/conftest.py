"""Shared fixtures: a real Neo4j for the whole session (started here unless NEO4J_URI is given)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.neo4j_server import (
    HOW_TO_RUN,
    LauncherError,
    Neo4jInfo,
    Neo4jServer,
    build_launcher,
    missing_tools,
    wait_for_driver,
)

__all__ = ["neo4j_server", "neo4j_db", "extractor", "patched"]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in a ``test_neo4j*.py`` file carries the ``neo4j`` mark (``-m neo4j`` works too)."""
    for item in items:
        if item.path.name.startswith("test_neo4j"):
            item.add_marker(pytest.mark.neo4j)


def _from_environment() -> Neo4jInfo | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    password = os.environ.get("NEO4J_PASSWORD")
    if password is None:
        pytest.fail("NEO4J_URI is set but NEO4J_PASSWORD is not: set both (and NEO4J_USER if not neo4j)")
    info = Neo4jInfo(
        uri=uri,
        user=os.environ.get("NEO4J_USER", "neo4j"),
        password=password,
        database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
    try:
        wait_for_driver(info, timeout=30)
    except LauncherError as e:
        pytest.fail(f"NEO4J_URI={uri} is given but Neo4j there is not usable: {e}")
    return info


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest) -> Iterator[Neo4jInfo]:
    """(uri, user, password) of a real Neo4j; a ``Neo4jInfo`` that also has ``.database``.

    ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD`` (and ``NEO4J_DATABASE``) win, and the tests
    then empty that database: never point them at data you keep. Otherwise the launcher in
    ``tools/neo4j-launcher`` is built (Maven) and started on a free port of 127.0.0.1.
    Without java or mvn the Neo4j tests skip, except under ``CI=true``, where they fail.
    """
    given = _from_environment()
    if given is not None:
        yield given
        return
    missing = missing_tools()
    if missing:
        msg = f"Neo4j tests need {' and '.join(missing)} on PATH: {HOW_TO_RUN}"
        if _in_ci():
            pytest.fail(f"CI=true: {msg}")
        pytest.skip(msg)
    try:
        build_launcher()
    except LauncherError as e:
        if _in_ci():
            pytest.fail(f"CI=true and the Neo4j launcher did not build: {e}")
        pytest.skip(f"the Neo4j launcher did not build ({e}); {HOW_TO_RUN}")
    server = Neo4jServer()
    try:
        info = server.start()
    except LauncherError as e:
        pytest.fail(f"Neo4j did not start: {e}")
    request.config.stash[_STARTUP] = server.startup_seconds
    request.config.stash[SERVER] = server
    try:
        yield info
    finally:
        server.stop()


_STARTUP = pytest.StashKey[float]()
SERVER = pytest.StashKey[Neo4jServer]()  # the session's own server, when the tests started it


@pytest.fixture()
def neo4j_db(neo4j_server: Neo4jInfo) -> Iterator[Neo4jInfo]:
    """The session's Neo4j with an empty database (nodes and relationships deleted; constraints kept)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as d:
        with d.session(database=neo4j_server.database) as s:  # auto-commit: IN TRANSACTIONS needs it
            s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    yield neo4j_server


@pytest.fixture(scope="module")
def extractor():  # -> kg.extract.Extractor
    """The real extractor with the shipped knowledge base, built once per test module (it takes seconds)."""
    from kg.extract import Extractor

    return Extractor()


@pytest.fixture(scope="module")
def patched(extractor) -> Iterator[None]:
    """`kg.api.ingest` uses the module's extractor instead of building one per call."""
    import kg.api

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kg.api, "_extractor", lambda kb_files, model=None: extractor)
        yield
