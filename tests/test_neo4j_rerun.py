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


def _target(info: Neo4jInfo):
    from kg.api import Neo4jTarget

    return Neo4jTarget(info.uri, info.user, info.password, info.database)


def _hashes(info: Neo4jInfo) -> dict[str, str | None]:
    with _sink(info) as sink:
        _, rows = sink.query("MATCH (p:Paper) RETURN p.key, p.content_hash")
    return dict(rows)


def test_a_paper_is_skipped_only_when_store_and_neo4j_both_hold_it(neo4j_db: Neo4jInfo, tmp_path, patched) -> None:
    import kg.api
    from tests.test_neo4j_sink import _dump
    from tests.test_rerun import _records

    src, store = _records(tmp_path / "p.jsonl", 6), tmp_path / "s"
    assert kg.api.ingest([src], store=store).new == 6  # the store only
    both = kg.api.ingest([src], store=store, neo4j=_target(neo4j_db))
    assert (both.new, both.updated, both.unchanged) == (0, 6, 0)  # Neo4j lacked them: extracted
    hashes = _hashes(neo4j_db)
    with kg.api.open_store(store, read_only=True) as st:
        assert {k: st.content_hashes([k])[k] for k in hashes} == hashes
    assert len(hashes) == 6 and all(hashes.values())
    before = _dump(neo4j_db)
    again = kg.api.ingest([src], store=store, neo4j=_target(neo4j_db))
    assert (again.new, again.updated, again.unchanged, again.duplicates) == (0, 0, 6, 2)
    assert _dump(neo4j_db) == before
    changed = kg.api.ingest([_records(src, 6, changed=3)], store=store, neo4j=_target(neo4j_db))
    assert (changed.updated, changed.unchanged) == (1, 5)
    assert _hashes(neo4j_db)["arxiv:2401.00003"] != hashes["arxiv:2401.00003"]
    with _sink(neo4j_db) as sink:
        _, rows = sink.query("MATCH (:Paper {key: 'arxiv:2401.00003'})-[:USES]->(d) RETURN d.key")
    assert rows == [["coco"]]


def test_rewriting_a_paper_without_a_hash_removes_the_old_one(neo4j_db: Neo4jInfo) -> None:
    g = build_graph([Extraction(paper("title:h", "H"), methods=(method("M"),))])
    with _sink(neo4j_db) as sink:
        g.nodes["Paper:title:h"]["content_hash"] = "abc"
        sink.write(g)
        assert sink.content_hashes(["title:h", "title:none"]) == {"title:h": "abc"}
        del g.nodes["Paper:title:h"]["content_hash"]
        sink.write(g)
        assert sink.content_hashes(["title:h"]) == {"title:h": ""}


def test_the_real_importer_takes_the_lean_csv(tmp_path, neo4j_server) -> None:
    from kg.sinks.neo4j_admin import export_neo4j_admin
    from tests.neo4j_server import run_admin_import
    from tests.test_neo4j_admin import _graph

    export_neo4j_admin(_graph(), tmp_path / "csv", provenance=False)
    r = run_admin_import(tmp_path / "csv", tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    # the same 5 nodes and 4 relationships as the full files (test_neo4j_admin counts 58
    # properties); here the nodes' only: papers 10 + 5, method 7, dataset 7, repo 5 = 34
    assert "IMPORT DONE" in out and "5 nodes" in out and "4 relationships" in out
    assert "34 properties" in out


def test_duplicates_a_batch_apart_are_skipped_by_neo4j_too(neo4j_db: Neo4jInfo, tmp_path, monkeypatch, patched) -> None:
    import json

    import kg.api
    from tests.test_neo4j_sink import _dump

    rows = [{"title": f"A study number {i}", "abstract": f"We propose Net{i} on ImageNet.",
             "arxiv_id": f"2401.{i:05d}"} for i in range(3)]
    other = [dict(rows[1], abstract=f"Version {v} evaluates Net1 on COCO.") for v in range(3)]
    src, store = tmp_path / "p.jsonl", tmp_path / "s"
    src.write_text("".join(json.dumps(r) + "\n" for r in [*rows, *other, *rows]))
    kg.api.ingest([src], store=store, neo4j=_target(neo4j_db), batch_size=1)
    before = _dump(neo4j_db)
    monkeypatch.setattr(kg.api, "_extractor", lambda *_: (_ for _ in ()).throw(AssertionError("extractor loaded")))
    again = kg.api.ingest([src], store=store, neo4j=_target(neo4j_db), batch_size=1)
    assert (again.unchanged, again.duplicates) == (3, 6)
    assert _dump(neo4j_db) == before
