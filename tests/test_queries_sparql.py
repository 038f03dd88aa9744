"""Every named SPARQL query in queries/: header, columns, and rows derived by hand from the corpus."""

from __future__ import annotations

import pytest

from kg.errors import KGError
from kg.sinks.named import QueryParam, bind_params, list_queries, load_query, query_dir
from kg.sinks.store import OxigraphStore
from tests.test_rdf_helpers import HOSTILE, graph_of, hostile_corpus, small_corpus

# The named-query table of docs/DESIGN.md: name -> (params with defaults, columns)
TABLE = {
    "dataset-usage": ({"min_papers": 1}, ["dataset", "papers"]),
    "shared-datasets": ({"paper": None}, ["paper", "dataset"]),
    "method-mentions": ({"min_papers": 2}, ["method", "papers"]),
    "proposed-with-code": ({}, ["paper", "method", "code_url"]),
    "papers-without-code": ({}, ["paper", "key"]),
    "repo-owners": ({"min_papers": 2}, ["host", "owner", "papers"]),
    "dataset-cooccurrence": ({"min_papers": 1}, ["dataset_a", "dataset_b", "papers"]),
    "senses": ({"min_senses": 2}, ["kind", "name_key", "name", "senses", "unresolved", "papers"]),
}
A, B, G, D, E = ("Alpha: a new detector", "Beta learns faster", "Gamma: a benchmark",
                 "Delta without code", "Epsilon on the hub")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with OxigraphStore(tmp_path_factory.mktemp("q") / "kg-data") as s:
        s.write(graph_of(small_corpus()))
        yield s


def run(store: OxigraphStore, name: str, **given: str) -> tuple[list[str], list[list[object]]]:
    q = load_query(name)
    return store.query(q.text, bind_params(q, given))


def test_every_table_row_has_a_query_with_its_header_and_columns(tmp_path):
    assert {q.name for q in list_queries()} == set(TABLE)
    with OxigraphStore(tmp_path / "empty") as empty:
        for name, (params, columns) in TABLE.items():
            q = load_query(name)
            assert q.description and q.path == query_dir() / f"{name}.rq"
            assert {p.name: p.default for p in q.params} == params
            given = {"paper": "x"} if "paper" in params else {}
            assert empty.query(q.text, bind_params(q, given)) == (columns, [])


def test_dataset_usage(store):
    # ImageNet: Alpha Beta Delta; COCO: Alpha Gamma Epsilon; CIFAR-100/CIFAR100: Beta Gamma
    assert run(store, "dataset-usage")[1] == [["COCO", 3], ["ImageNet", 3], ["CIFAR-100", 2], ["GammaBench", 1]]
    assert run(store, "dataset-usage", min_papers="3")[1] == [["COCO", 3], ["ImageNet", 3]]


def test_method_mentions(store):
    # ResNet: Alpha Beta Delta; GPT-3: Beta Gamma Epsilon; the rest once each
    assert run(store, "method-mentions")[1] == [["GPT-3", 3], ["ResNet", 3]]
    rows = run(store, "method-mentions", min_papers="1")[1]
    assert rows == [["GPT-3", 3], ["ResNet", 3], ["AlphaNet", 1], ["BetaNet", 1], ["DeltaNet", 1]]


def test_shared_datasets_by_key_or_title_case_insensitive(store):
    expected = [[B, "ImageNet"], [D, "ImageNet"], [E, "COCO"], [G, "COCO"]]
    assert run(store, "shared-datasets", paper="arxiv:2401.00001")[1] == expected
    assert run(store, "shared-datasets", paper="ALPHA: A NEW DETECTOR")[1] == expected
    assert run(store, "shared-datasets", paper="title:gamma")[1] == [[A, "COCO"], [B, "CIFAR-100"], [E, "COCO"]]
    assert run(store, "shared-datasets", paper="no such paper")[1] == []


def test_proposed_with_code(store):
    assert run(store, "proposed-with-code")[1] == [
        [A, "AlphaNet", "https://github.com/acme/alpha"],
        [B, "BetaNet", "https://github.com/acme/beta"],
        [D, "DeltaNet", None],
    ]


def test_papers_without_code(store):
    assert run(store, "papers-without-code")[1] == [[D, "arxiv:2401.00004"], [G, "title:gamma"]]


def test_repo_owners(store):
    assert run(store, "repo-owners")[1] == [["github", "acme", 2]]
    assert run(store, "repo-owners", min_papers="1")[1] == [["github", "acme", 2], ["huggingface", "solo", 1]]


def test_dataset_cooccurrence(store):
    # Alpha {COCO, ImageNet}; Beta {CIFAR-100, ImageNet}; Gamma {CIFAR-100, COCO, GammaBench}
    assert run(store, "dataset-cooccurrence")[1] == [
        ["CIFAR-100", "COCO", 1], ["CIFAR-100", "GammaBench", 1], ["CIFAR-100", "ImageNet", 1],
        ["COCO", "GammaBench", 1], ["COCO", "ImageNet", 1],
    ]
    assert run(store, "dataset-cooccurrence", min_papers="2")[1] == []


def test_hostile_names_and_params(tmp_path):
    with OxigraphStore(tmp_path / "h") as s:
        s.write(graph_of(hostile_corpus()))
        before = set(s.store.quads_for_pattern(None, None, None, None))
        # every hostile paper uses ImageNet and its own dataset named by the hostile string
        title0 = f"{HOSTILE[0]} title 0"
        expected = sorted([f"{h} title {i}", "ImageNet"] for i, h in enumerate(HOSTILE) if i)
        assert run(s, "shared-datasets", paper=title0)[1] == expected
        assert run(s, "shared-datasets", paper=f"title:{HOSTILE[0]}")[1] == expected
        assert run(s, "shared-datasets", paper='" } ; DROP ALL ; #')[1] == []
        rows = run(s, "dataset-usage")[1]
        assert rows[0] == ["ImageNet", len(HOSTILE)]
        assert sorted(r[0] for r in rows[1:]) == sorted(HOSTILE)
        assert run(s, "repo-owners", min_papers="1")[1] == sorted(["other", h, 1] for h in HOSTILE)
        assert set(s.store.quads_for_pattern(None, None, None, None)) == before


def test_bind_params_defaults_ints_and_errors():
    q = load_query("dataset-usage")
    assert bind_params(q, {}) == {"_min_papers": 1}
    assert bind_params(q, {"min_papers": " 3 "}) == {"_min_papers": 3}
    with pytest.raises(KGError, match="whole number"):
        bind_params(q, {"min_papers": "three"})
    with pytest.raises(KGError, match="no parameter paper"):
        bind_params(q, {"paper": "x"})
    with pytest.raises(KGError, match="needs parameter paper"):
        bind_params(load_query("shared-datasets"), {})
    with pytest.raises(KGError, match="known queries: dataset-cooccurrence"):
        load_query("../pyproject")
    with pytest.raises(KGError, match="unknown query language"):
        load_query("dataset-usage", "sql")


def test_cypher_headers_parse_the_same_way(tmp_path, monkeypatch):
    (tmp_path / "top.cypher").write_text(
        "// Top things by papers.\n// second line of description\n"
        "// param min_papers: keep things with at least this many papers (default 2)\n"
        "// param who: a name, exact\n"
        "MATCH (n) WHERE n.x >= $min_papers RETURN n.name AS thing\n", encoding="utf-8")
    (tmp_path / "bad.rq").write_text("# bad\n# param : nothing\nSELECT * {}\n", encoding="utf-8")
    monkeypatch.setenv("KG_QUERIES", str(tmp_path))
    q = load_query("top", "cypher")
    assert q.description == "Top things by papers. second line of description"
    assert q.params == (QueryParam("min_papers", "keep things with at least this many papers", 2),
                        QueryParam("who", "a name, exact", None))
    assert bind_params(q, {"who": "x"}) == {"min_papers": 2, "who": "x"}
    assert [c.name for c in list_queries("cypher")] == ["top"]
    with pytest.raises(KGError, match=r"bad.rq:2: bad parameter line"):
        load_query("bad")
