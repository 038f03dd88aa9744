"""Every named query: the Cypher twin gives the rows derived by hand, and the same rows as SPARQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import build_graph
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper
from kg.sinks.named import bind_params, list_queries, load_query
from kg.sinks.neo4j import Neo4jSink
from tests.neo4j_server import Neo4jInfo

M = (Mention("abstract", 0, 3, "s", "kb"),)


def _e(kind: str, key: str, name: str, role: str) -> Entity:
    return Entity(kind, key, name, role, (), M, kb_id=f"{kind.lower()}:{key}")  # known: one node by name


def _code(owner: str, repo: str, host: str = "github") -> CodeUrl:
    site = "github.com" if host == "github" else "huggingface.co"
    return CodeUrl(f"https://{site}/{owner}/{repo}", f"{site}/{owner}/{repo}", host, owner, repo, M)


def _p(key: str, title: str) -> Paper:
    return Paper(key, title, "abstract", source="hand.jsonl")


LORA, ADAM = ("lora", "LoRA"), ("adam", "Adam")
IMAGENET, COCO = ("imagenet", "ImageNet"), ("coco", "COCO")
EXTRACTIONS = [
    Extraction(_p("arxiv:2401.00001", "Alpha paper"),
               methods=(_e("Method", *LORA, "proposed"), _e("Method", *ADAM, "mentioned")),
               datasets=(_e("Dataset", *IMAGENET, "used"), _e("Dataset", "cifar10", "CIFAR-10", "used")),
               code_urls=(_code("ann", "lora"),)),
    Extraction(_p("arxiv:2401.00002", "Beta paper"),
               methods=(_e("Method", *LORA, "mentioned"),),
               datasets=(_e("Dataset", *IMAGENET, "used"), _e("Dataset", *COCO, "introduced")),
               code_urls=(_code("ann", "other"), _code("bob", "model", "huggingface"))),
    Extraction(_p("arxiv:2401.00003", "Gamma paper"),
               methods=(_e("Method", "vit", "ViT", "proposed"), _e("Method", *ADAM, "mentioned"),
                        _e("Method", *LORA, "mentioned")),
               datasets=(_e("Dataset", *IMAGENET, "used"), _e("Dataset", *COCO, "used"),
                         _e("Dataset", "cifar10", "CIFAR10", "used"))),
    Extraction(_p("title:0123abcd", "Delta paper"), methods=(_e("Method", "diffx", "DiffX", "proposed"),)),
    # identity: two papers propose different PRISMs (owned senses), a third names PRISM without
    # saying which (the ambiguous name node) and defines SGAN by a long form (a defined sense)
    Extraction(_p("arxiv:2401.00005", "Eps paper"), methods=(Entity("Method", "prism", "PRISM", "proposed", (), M),)),
    Extraction(_p("arxiv:2401.00006", "Zeta paper"), methods=(Entity("Method", "prism", "PRISM", "proposed", (), M),)),
    Extraction(_p("arxiv:2401.00007", "Eta paper"),
               methods=(Entity("Method", "prism", "PRISM", "mentioned", (), M),
                        Entity("Method", "sgan", "SGAN", "mentioned", ("Stacked GAN",), M, long_form="Stacked GAN"))),
]

# Derived by reading EXTRACTIONS above (names: min("CIFAR-10", "CIFAR10") == "CIFAR-10").
EXPECTED: dict[tuple[str, tuple[tuple[str, object], ...]], list[list[object]]] = {
    ("dataset-usage", ()): [["ImageNet", 3], ["CIFAR-10", 2], ["COCO", 2]],
    ("dataset-usage", (("min_papers", "3"),)): [["ImageNet", 3]],
    ("method-mentions", ()): [["LoRA", 3], ["Adam", 2]],
    ("method-mentions", (("min_papers", "1"),)): [["LoRA", 3], ["Adam", 2], ["DiffX", 1], ["PRISM", 1],
                                                  ["PRISM", 1], ["PRISM", 1], ["SGAN", 1], ["ViT", 1]],
    ("proposed-with-code", ()): [["Alpha paper", "LoRA", "https://github.com/ann/lora"],
                                 ["Delta paper", "DiffX", None], ["Eps paper", "PRISM", None],
                                 ["Gamma paper", "ViT", None], ["Zeta paper", "PRISM", None]],
    ("papers-without-code", ()): [["Delta paper", "title:0123abcd"], ["Eps paper", "arxiv:2401.00005"],
                                  ["Eta paper", "arxiv:2401.00007"], ["Gamma paper", "arxiv:2401.00003"],
                                  ["Zeta paper", "arxiv:2401.00006"]],
    ("senses", ()): [["Method", "prism", "PRISM", 2, 1, 3]],
    ("senses", (("min_senses", "3"),)): [],
    ("repo-owners", ()): [["github", "ann", 2]],
    ("repo-owners", (("min_papers", "1"),)): [["github", "ann", 2], ["huggingface", "bob", 1]],
    ("dataset-cooccurrence", ()): [["CIFAR-10", "ImageNet", 2], ["COCO", "ImageNet", 2],
                                   ["CIFAR-10", "COCO", 1]],
    ("dataset-cooccurrence", (("min_papers", "2"),)): [["CIFAR-10", "ImageNet", 2], ["COCO", "ImageNet", 2]],
    ("shared-datasets", (("paper", "alpha PAPER"),)): [["Beta paper", "ImageNet"], ["Gamma paper", "CIFAR-10"],
                                                       ["Gamma paper", "ImageNet"]],
    ("shared-datasets", (("paper", "ARXIV:2401.00002"),)): [["Alpha paper", "ImageNet"], ["Gamma paper", "COCO"],
                                                            ["Gamma paper", "ImageNet"]],
    ("shared-datasets", (("paper", "no such paper"),)): [],
}


@pytest.fixture(scope="module")
def loaded(neo4j_server: Neo4jInfo, tmp_path_factory: pytest.TempPathFactory):
    """The hand-made graph in Neo4j and, when kg.sinks.store exists, in the embedded store."""
    from neo4j import GraphDatabase

    graph = build_graph(EXTRACTIONS)
    info = neo4j_server
    with GraphDatabase.driver(info.uri, auth=(info.user, info.password)) as d, d.session(database=info.database) as s:
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    sink = Neo4jSink(info.uri, info.user, info.password, info.database)
    sink.write(graph)
    store = None
    try:
        from kg.sinks.store import OxigraphStore
    except ImportError:
        OxigraphStore = None  # noqa: N806 - the twin store is written by another change
    if OxigraphStore is not None:
        store = OxigraphStore(Path(tmp_path_factory.mktemp("store")) / "kg")
        store.write(graph)
    yield sink, store
    sink.close()
    if store is not None:
        store.close()


def _run_cypher(sink: Neo4jSink, name: str, given: dict[str, str]) -> tuple[list[str], list[list[object]]]:
    q = load_query(name, "cypher")
    return sink.query(q.text, bind_params(q, given))


def test_every_sparql_query_has_a_cypher_twin() -> None:
    assert [q.name for q in list_queries("cypher")] == [q.name for q in list_queries("sparql")]
    assert {name for name, _ in EXPECTED} == {q.name for q in list_queries("cypher")}
    for q in list_queries("cypher"):
        assert q.description, f"{q.path}: no comment header saying what it answers"


@pytest.mark.parametrize("name,given", sorted(EXPECTED), ids=lambda v: v if isinstance(v, str) else "")
def test_cypher_rows_match_hand_derived(loaded, name: str, given) -> None:
    sink, _ = loaded
    _, rows = _run_cypher(sink, name, dict(given))
    assert rows == EXPECTED[(name, given)]


@pytest.mark.parametrize("name,given", sorted(EXPECTED), ids=lambda v: v if isinstance(v, str) else "")
def test_cypher_and_sparql_agree(loaded, name: str, given) -> None:
    sink, store = loaded
    if store is None:
        pytest.skip("kg.sinks.store is absent: no embedded store to compare with")
    columns, rows = _run_cypher(sink, name, dict(given))
    rq = load_query(name, "sparql")
    s_columns, s_rows = store.query(rq.text, bind_params(rq, dict(given)))
    assert columns == s_columns
    assert rows == s_rows
