"""Neo4j and issue 12's re-run items: author order, content hashes on Paper nodes, skipped re-runs."""

from __future__ import annotations

from kg.graph import build_graph
from kg.model import Extraction
from kg.sinks.neo4j import Neo4jSink
from tests.neo4j_server import Neo4jInfo
from tests.test_rdf_helpers import method, paper

ORDERED = ("Zoe Z", "Ann A", "Mia M", "Ann A")


def _sink(info: Neo4jInfo) -> Neo4jSink:
    return Neo4jSink(info.uri, info.user, info.password, info.database)


def test_a_paper_keeps_its_author_order(neo4j_db: Neo4jInfo) -> None:
    ex = [Extraction(paper("title:o", "Ordered", authors=ORDERED), methods=(method("M"),))]
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(ex))
        _, rows = sink.query("MATCH (p:Paper {key: 'title:o'}) RETURN p.authors")
    assert rows == [[list(ORDERED)]]
