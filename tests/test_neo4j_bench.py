"""Load speed of Neo4jSink on a synthetic graph (``python -m tests.test_neo4j_bench`` prints figures)."""

from __future__ import annotations

import random
import sys
import time

import networkx as nx
import pytest

from kg.graph import build_graph
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper
from kg.sinks.neo4j import REL_TARGET, Neo4jSink
from tests.neo4j_server import Neo4jInfo


def synthetic_graph(papers: int, seed: int = 7) -> nx.MultiDiGraph:
    """``papers`` papers over a shared pool of methods, datasets and repos; 5 relationships each."""
    rnd = random.Random(seed)
    n_ent = max(10, papers // 10)
    exs = []
    for i in range(papers):
        m = Mention("abstract", 10, 20, f"Sentence {i} about things.", "kb")
        meths = tuple(Entity("Method", f"method{j}", f"Method-{j}", role, (f"M{j}",), (m, m))
                      for j, role in ((rnd.randrange(n_ent), "proposed"), (rnd.randrange(n_ent), "mentioned")))
        dsets = tuple(Entity("Dataset", f"dataset{j}", f"Dataset-{j}", role, (), (m,))
                      for j, role in ((rnd.randrange(n_ent), "used"), (rnd.randrange(n_ent), "introduced")))
        if meths[0].key == meths[1].key or dsets[0].key == dsets[1].key:
            meths, dsets = meths[:1], dsets[:1]  # keep one edge per (paper, entity)
        owner = f"owner{rnd.randrange(n_ent)}"
        code = (CodeUrl(f"https://github.com/{owner}/r{i}", f"github.com/{owner}/r{i}", "github",
                        owner, f"r{i}", (m,)),)
        p = Paper(f"arxiv:2401.{i:05d}", f"Synthetic paper {i}", "An abstract. " * 20,
                  f"2401.{i:05d}", None, ("A. Author", "B. Author"), "2024-01-01", "synthetic.jsonl", i)
        exs.append(Extraction(p, meths, dsets, code))
    return build_graph(exs)


def run(info: Neo4jInfo, papers: int, batch_size: int) -> dict[str, float]:
    g = synthetic_graph(papers)
    with Neo4jSink(info.uri, info.user, info.password, info.database, batch_size=batch_size) as sink:
        sink.ensure_constraints()
        t = time.monotonic()
        first = sink.write(g)
        t1 = time.monotonic() - t
        t = time.monotonic()
        sink.write(g)  # the re-ingest path: delete + recreate every relationship
        t2 = time.monotonic() - t
        counts = sink.counts()
    return {"papers": first.papers, "relationships": first.relationships, "nodes": first.nodes,
            "first_s": t1, "rewrite_s": t2, "rels_per_s": first.relationships / t1,
            "rewrite_rels_per_s": first.relationships / t2,
            "db_rels": sum(counts.get(t, 0) for t in REL_TARGET)}


@pytest.mark.slow
def test_bench_small(neo4j_db: Neo4jInfo) -> None:
    r = run(neo4j_db, papers=2000, batch_size=5000)
    print(f"\nneo4j load: {r}")
    assert r["db_rels"] == r["relationships"]


if __name__ == "__main__":
    from tests.neo4j_server import Neo4jServer, build_launcher

    build_launcher()
    papers = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    sizes = [int(x) for x in sys.argv[2:]] or [5000]
    with Neo4jServer() as info:
        for bs in sizes:
            from neo4j import GraphDatabase
            with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d, d.session() as s:
                s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
            r = run(info, papers, bs)
            print(f"batch {bs}: " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                                              for k, v in r.items()), flush=True)
