"""The test Neo4j itself: it answers, the fixture empties it, and the password stays hidden."""

from __future__ import annotations

from neo4j import GraphDatabase

from tests.neo4j_server import Neo4jInfo


def _count(info: Neo4jInfo) -> int:
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
        recs, _, _ = d.execute_query("MATCH (n) RETURN count(n) AS c", database_=info.database)
        return recs[0]["c"]


def test_neo4j_answers_and_hides_password(neo4j_server: Neo4jInfo) -> None:
    uri, user, password = neo4j_server
    assert uri.startswith(("bolt://", "neo4j://", "bolt+s://", "neo4j+s://", "bolt+ssc://", "neo4j+ssc://"))
    assert password not in repr(neo4j_server)
    with GraphDatabase.driver(uri, auth=(user, password)) as d:
        recs, _, _ = d.execute_query("RETURN 1 AS one")
        assert recs[0]["one"] == 1


def test_neo4j_db_fixture_starts_empty_1(neo4j_db: Neo4jInfo) -> None:
    assert _count(neo4j_db) == 0
    with GraphDatabase.driver(neo4j_db.uri, auth=(neo4j_db.user, neo4j_db.password)) as d:
        d.execute_query("CREATE (:Scratch {x: 1}), (:Scratch {x: 2})", database_=neo4j_db.database)
    assert _count(neo4j_db) == 2


def test_neo4j_db_fixture_starts_empty_2(neo4j_db: Neo4jInfo) -> None:
    assert _count(neo4j_db) == 0
