"""Neo4jSink against a real Neo4j: counts, idempotence, order independence, errors, hostile text."""

from __future__ import annotations

from dataclasses import replace

import logging

import pytest
from neo4j import GraphDatabase

from kg.errors import SinkError
from kg.graph import build_graph
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper
from kg.sinks.neo4j import Neo4jSink, batched, node_rows, relationship_rows
from tests.neo4j_server import Neo4jInfo, free_port


def _m(start: int, end: int, field: str = "abstract", rule: str = "kb") -> Mention:
    return Mention(field=field, start=start, end=end, sentence=f"s{start}", rule=rule)


def _method(name: str, role: str = "mentioned", key: str | None = None, aliases=(), ms=()) -> Entity:
    return Entity("Method", key or name.lower(), name, role, tuple(aliases), tuple(ms), kb_id=f"method:{key or name.lower()}")


def _dataset(name: str, role: str = "used", key: str | None = None, aliases=(), ms=()) -> Entity:
    return Entity("Dataset", key or name.lower(), name, role, tuple(aliases), tuple(ms), kb_id=f"dataset:{key or name.lower()}")


def _paper(n: int, title: str | None = None, source: str = "a.jsonl") -> Paper:
    return Paper(key=f"arxiv:2403.{n:05d}", title=title or f"Paper {n}", abstract=f"Abstract {n}.",
                 arxiv_id=f"2403.{n:05d}", url=None, authors=("Ann", "Bo"), date="2024-03-11",
                 source=source, line=n)


def _file_a() -> list[Extraction]:
    return [
        Extraction(_paper(1), methods=(_method("LoRA", "proposed", ms=[_m(0, 4), _m(10, 14, "title")]),),
                   datasets=(_dataset("CIFAR-100", key="cifar100", aliases=["CIFAR100"], ms=[_m(20, 29)]),
                             _dataset("ImageNet", ms=[_m(40, 48)])),
                   code_urls=(CodeUrl("https://github.com/ann/lora", "github.com/ann/lora", "github",
                                      "ann", "lora", (_m(50, 80),)),)),
        Extraction(_paper(2), methods=(_method("Adam", ms=[_m(3, 7)]),),
                   datasets=(_dataset("ImageNet", "introduced", ms=[_m(1, 9)]),)),
    ]


def _file_b() -> list[Extraction]:
    return [
        Extraction(_paper(3, source="b.jsonl"),
                   methods=(_method("LoRA", ms=[_m(5, 9)]), _method("Adam", "proposed")),
                   datasets=(_dataset("CIFAR100", key="cifar100", aliases=["C-100"], ms=[_m(7, 15)]),),
                   code_urls=(CodeUrl("https://github.com/ann/lora.git", "github.com/ann/lora", "github",
                                      "ann", "lora", (_m(60, 90),)),)),
    ]


def _dump(info: Neo4jInfo) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (ends, type, properties), sorted."""
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d:
        nodes, _, _ = d.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p",
                                      database_=info.database)
        rels, _, _ = d.execute_query(
            "MATCH (a)-[r]->(b) RETURN a.key AS a, type(r) AS t, b.key AS b, properties(r) AS p",
            database_=info.database)
    return (sorted((repr(r["l"]), repr(sorted(r["p"].items()))) for r in nodes),
            sorted((r["a"], r["t"], r["b"], repr(sorted(r["p"].items()))) for r in rels))


def _sink(info: Neo4jInfo, **kw) -> Neo4jSink:
    return Neo4jSink(info.uri, info.user, info.password, info.database, **kw)


def test_rows_are_plain_and_complete() -> None:
    g = build_graph(_file_a())
    nodes = node_rows(g)
    assert sorted(r["key"] for r in nodes["Dataset"]) == ["cifar100", "imagenet"]
    cifar = next(r for r in nodes["Dataset"] if r["key"] == "cifar100")
    assert cifar == {"key": "cifar100", "name": "CIFAR-100", "aliases": ["CIFAR100"], "name_key": "cifar100",
                     "sense": "kb", "ambiguous": False, "kb_id": "dataset:cifar100", "same_as": []}
    rels = relationship_rows(g)
    proposes = rels["arxiv:2403.00001"]["PROPOSES"]
    assert proposes == [{"paper": "arxiv:2403.00001", "key": "lora", "fields": ["abstract", "title"],
                         "starts": [0, 10], "ends": [4, 14], "sentences": ["s0", "s10"],
                         "rules": ["kb", "kb"], "source": "a.jsonl", "name": "LoRA", "aliases": []}]
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_write_counts_and_twice_changes_nothing(neo4j_db: Neo4jInfo) -> None:
    with _sink(neo4j_db) as sink:
        stats = sink.write(build_graph(_file_a()))
        # by hand from _file_a: 2 papers, LoRA, Adam, CIFAR-100, ImageNet, one repo
        expected = {"Paper": 2, "Method": 2, "Dataset": 2, "CodeRepository": 1,
                    "PROPOSES": 1, "MENTIONS": 1, "USES": 2, "INTRODUCES": 1, "HAS_CODE": 1}
        assert sink.counts() == expected
        assert (stats.papers, stats.nodes, stats.relationships) == (2, 7, 6)
        before = _dump(neo4j_db)
        sink.write(build_graph(_file_a()))
        assert sink.counts() == expected
        assert _dump(neo4j_db) == before
        _, rows = sink.query("MATCH (:Paper {key: $k})-[r:PROPOSES]->(m) RETURN m.name, r.starts, r.fields",
                             {"k": "arxiv:2403.00001"})
        assert rows == [["LoRA", [0, 10], ["abstract", "title"]]]


def test_second_file_merges_into_entities(neo4j_db: Neo4jInfo) -> None:
    with _sink(neo4j_db, batch_size=2) as sink:
        sink.write(build_graph(_file_a()))
        sink.write(build_graph(_file_b()))
        counts = sink.counts()
        assert counts["Paper"] == 3 and counts["Method"] == 2 and counts["Dataset"] == 2
        assert counts["CodeRepository"] == 1
        _, rows = sink.query("MATCH (d:Dataset {key: 'cifar100'}) RETURN d.name, d.aliases")
        # names given: CIFAR-100 (+CIFAR100) by paper 1, CIFAR100 (+C-100) by paper 3; '-' < 'C'? no:
        # min("CIFAR-100", "CIFAR100") compares '-' (0x2d) with '1' (0x31) -> "CIFAR-100"
        assert rows == [["CIFAR-100", ["C-100", "CIFAR100"]]]
        _, rows = sink.query("MATCH (p:Paper)-[:USES]->(:Dataset {key: 'cifar100'}) RETURN p.key ORDER BY p.key")
        assert rows == [["arxiv:2403.00001"], ["arxiv:2403.00003"]]
        _, rows = sink.query("MATCH (c:CodeRepository) RETURN c.url")
        assert rows == [["https://github.com/ann/lora"]]  # the smaller of the two URLs


def test_order_does_not_matter(neo4j_db: Neo4jInfo) -> None:
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(_file_a()))
        sink.write(build_graph(_file_b()))
        ab = _dump(neo4j_db)
    with GraphDatabase.driver(neo4j_db.uri, auth=(neo4j_db.user, neo4j_db.password)) as d:
        d.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_db.database)
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(_file_b()))
        sink.write(build_graph(_file_a()))
        assert _dump(neo4j_db) == ab
        # and the same as writing both files as one graph
    with GraphDatabase.driver(neo4j_db.uri, auth=(neo4j_db.user, neo4j_db.password)) as d:
        d.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_db.database)
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(_file_a() + _file_b()))
        nodes_ab, rels_ab = ab
        nodes_one, rels_one = _dump(neo4j_db)
        assert rels_one == rels_ab
        # graph.py keeps the first CodeRepository URL seen; Neo4j keeps the smallest, so compare the rest
        assert [n for n in nodes_one if "CodeRepository" not in n[0]] == \
               [n for n in nodes_ab if "CodeRepository" not in n[0]]


def test_rewriting_a_paper_replaces_its_relationships(neo4j_db: Neo4jInfo) -> None:
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(_file_a()))
        # a later version of the record (kg.graph.record_rank keeps the later date): LoRA, datasets, code gone
        changed = Extraction(replace(_paper(1), date="2024-03-12"), methods=(_method("Adam"),))
        sink.write(build_graph([changed]))
        _, rows = sink.query("MATCH (:Paper {key: 'arxiv:2403.00001'})-[r]->(e) RETURN type(r), e.key")
        assert rows == [["MENTIONS", "adam"]]
        assert sink.counts()["Paper"] == 2


HOSTILE = [
    'x"}) DETACH DELETE n //',
    "'; DROP CONSTRAINT kg_paper_key; //",
    "`Paper` `) MATCH (n) DETACH DELETE n",
    "ünïcødé ✓ 数据集 𝔘 \\n {braces} $rows",
]


def test_hostile_strings_stored_verbatim(neo4j_db: Neo4jInfo) -> None:
    exs = [Extraction(Paper(key=f"title:{i}{h}", title=h, abstract=h, authors=(h,), source=h),
                      methods=(_method(h, key=f"m{h}", aliases=[h + "!"], ms=[Mention("abstract", 0, 1, h, h)]),),
                      datasets=(_dataset(h, key=f"d{h}"),))
           for i, h in enumerate(HOSTILE)]
    with _sink(neo4j_db) as sink:
        sink.write(build_graph(_file_a()))
        sink.write(build_graph(exs))
        counts = sink.counts()
        assert counts["Paper"] == 2 + len(HOSTILE) and counts["Method"] == 2 + len(HOSTILE)
        _, rows = sink.query("MATCH (p:Paper) WHERE p.key STARTS WITH 'title:' "
                             "MATCH (p)-[r:MENTIONS]->(m) RETURN p.title, p.authors, m.name, m.aliases, "
                             "r.sentences, r.rules, p.source ORDER BY p.key")
        assert rows == [[h, [h], h, [h + "!"], [h], [h], h] for h in HOSTILE]
        _, rows = sink.query("SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'kg_' RETURN count(*)")
        assert rows == [[4]]


def test_unused_port_names_the_uri(neo4j_server: Neo4jInfo) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"
    with Neo4jSink(uri, password="irrelevant-pw") as sink, pytest.raises(SinkError) as ei:
        sink.write(build_graph(_file_a()))
    msg = str(ei.value)
    assert uri in msg and "did not answer" in msg and "\n" not in msg
    assert "irrelevant-pw" not in msg and isinstance(ei.value.__cause__, Exception)


def test_wrong_password_is_clear_and_secret(neo4j_server: Neo4jInfo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bad = "Wrong-Secret-4242"
    sink = Neo4jSink(neo4j_server.uri, neo4j_server.user, bad)
    assert bad not in repr(sink)
    with sink, pytest.raises(SinkError) as ei:
        sink.write(build_graph(_file_a()))
    msg = str(ei.value)
    assert "password" in msg and neo4j_server.uri in msg and "\n" not in msg
    assert bad not in msg and bad not in caplog.text
    with pytest.raises(SinkError) as ei:
        with Neo4jSink(neo4j_server.uri, neo4j_server.user, bad) as s2:
            s2.query("RETURN 1")
    assert bad not in str(ei.value)


def test_wrong_database(neo4j_server: Neo4jInfo) -> None:
    with _sink(neo4j_server) as good:
        good.ensure_constraints()
    with Neo4jSink(neo4j_server.uri, neo4j_server.user, neo4j_server.password, database="nosuchdb") as sink:
        with pytest.raises(SinkError, match="no database 'nosuchdb'"):
            sink.write(build_graph(_file_a()))


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687", "bolt+x://h:1"])
def test_bad_scheme(uri: str) -> None:
    with pytest.raises(SinkError, match="bolt://"):
        Neo4jSink(uri, password="pw-123456")


def test_tls_schemes_accepted() -> None:
    for uri in ("bolt+s://example.invalid:7687", "neo4j+ssc://example.invalid", "neo4j://h:1"):
        Neo4jSink(uri, password="pw-123456").close()  # the driver is lazy: nothing connects here


def test_uri_credentials_never_shown() -> None:
    with pytest.raises(SinkError, match="KG_NEO4J_PASSWORD") as ei:
        Neo4jSink("neo4j://neo4j:hunter22@127.0.0.1:1", password="other-pw-1")
    assert "hunter22" not in str(ei.value) and "127.0.0.1:1" in str(ei.value)


def test_constraint_conflict_with_existing_data(neo4j_db: Neo4jInfo) -> None:
    with GraphDatabase.driver(neo4j_db.uri, auth=(neo4j_db.user, neo4j_db.password)) as d:
        d.execute_query("DROP CONSTRAINT kg_paper_key IF EXISTS", database_=neo4j_db.database)
        d.execute_query("CREATE (:Paper {key: 'dup'}), (:Paper {key: 'dup'})", database_=neo4j_db.database)
    try:
        with _sink(neo4j_db) as sink, pytest.raises(SinkError) as ei:
            sink.write(build_graph(_file_a()))
        msg = str(ei.value)
        assert ":Paper(key)" in msg and "conflicts" in msg and "\n" not in msg
    finally:
        with GraphDatabase.driver(neo4j_db.uri, auth=(neo4j_db.user, neo4j_db.password)) as d:
            d.execute_query("MATCH (n:Paper {key: 'dup'}) DETACH DELETE n", database_=neo4j_db.database)
        with _sink(neo4j_db) as sink:
            sink.ensure_constraints()  # put it back for the other tests
