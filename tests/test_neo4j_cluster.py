"""The CSV shards of `kg assemble` load into a real Neo4j through neo4j-admin's own importer, and
every named Cypher query there returns the rows its SPARQL twin returns on the `kg load` store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg import api
from kg.sinks.named import list_queries
from tests.helpers import CORPUS, need

pytest.importorskip("distributed", reason="the cluster tests need pip install 'kg[dask]'")


def test_csv_shards_import_and_queries_agree(tmp_path: Path, neo4j_server, patched: None) -> None:
    from kg.distributed import assemble
    from kg.distributed.extract import extract_sharded
    from tests.neo4j_server import Neo4jServer, run_admin_import

    corpus = _slice(tmp_path / "slice.jsonl")
    out = tmp_path / "run"
    from kg.distributed.cluster import connect

    with connect("local:2") as client:  # 2 worker processes on 127.0.0.1
        extract_sharded([corpus], out, scheduler="local:2", client=client, partition_bytes=100_000)
        manifest = assemble(out, client=client, buckets=3)
    store = tmp_path / "store"
    api.load_shards(out, store)

    r = run_admin_import(out / "graph" / "neo4j", tmp_path / "admin")
    log = r.stdout + r.stderr
    assert r.returncode == 0 and "IMPORT DONE" in log, log[-3000:]
    c = manifest["counts"]
    nodes = sum(c.get(k, 0) for k in ("Paper", "Method", "Dataset", "CodeRepository"))
    rels = sum(c.get(k, 0) for k in ("PROPOSES", "MENTIONS", "INTRODUCES", "USES", "HAS_CODE"))
    found = re.search(r"Imported:\s*(\d+) nodes\s*(\d+) relationships", log)
    assert found and (int(found.group(1)), int(found.group(2))) == (nodes, rels)

    server = Neo4jServer(copy_from=tmp_path / "admin" / "home")
    info = server.start()
    try:
        target = api.Neo4jTarget(info.uri, info.user, info.password, info.database)
        title = _paper_with_datasets(store)
        checked = 0
        for q in list_queries():
            params = {"paper": title} if any(p.name == "paper" for p in q.params) else {}
            sparql = api.run_query(name=q.name, params=params, store=store)
            cypher = api.run_query(name=q.name, params=params, neo4j=target)
            assert cypher == sparql, q.name
            assert sparql[1], f"{q.name} returned no rows: the test shows nothing"
            checked += 1
        assert checked >= 7
        with api.open_neo4j(target) as sink:
            _, rows = sink.query("MATCH (p:Paper) RETURN count(p) AS n", {})
        with api.open_store(store, read_only=True) as st:
            papers = st.counts()["Paper"]
        assert rows == [[c["Paper"]]] == [[papers]] and papers > N - 10  # a few titles occur twice
    finally:
        server.stop()


N = 400


def _slice(out: Path) -> Path:
    """The first 300 corpus abstracts and the first 100 later ones that link a GitHub repository
    (so every named query, repo-owners too, has rows)."""
    src = need(CORPUS / "amds123_arxiv_posts_2014-2019_derived.jsonl")
    lines = src.read_bytes().splitlines(keepends=True)
    code = [ln for ln in lines[300:] if b"github.com/" in ln][:N - 300]
    out.write_bytes(b"".join(lines[:300] + code))
    return out


def _paper_with_datasets(store: Path) -> str:
    _, rows = api.run_query(name="dataset-cooccurrence", store=store)
    assert rows, "no paper with two datasets in the slice"
    # a paper with a dataset some other paper uses too (shared-datasets has rows), most datasets first
    cols, found = api.run_query(text="""SELECT ?t WHERE { ?p kg:uses|kg:introduces ?d ; dcterms:title ?t .
                                          FILTER EXISTS { ?q kg:uses|kg:introduces ?d . FILTER(?q != ?p) } }
                                        GROUP BY ?t ORDER BY DESC(COUNT(DISTINCT ?d)) ?t LIMIT 1""",
                                store=store)
    return str(found[0][0])
