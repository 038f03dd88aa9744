"""The pyoxigraph store: idempotent per-paper writes, merging, order independence, locking, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import NamedNode
from tests.test_rdf_helpers import dataset, graph_of, hostile_corpus, method, paper, small_corpus

from kg.errors import SinkError
from kg.model import Extraction
from kg.sinks.store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]


def _quads(store: OxigraphStore) -> set:
    return set(store.store.quads_for_pattern(None, None, None, None))


@pytest.fixture
def store(tmp_path):
    with OxigraphStore(tmp_path / "kg-data") as s:
        yield s


def test_counts_match_the_corpus_read_by_hand(store):
    store.write(graph_of(small_corpus()))
    c = store.counts()
    # 5 papers; methods AlphaNet BetaNet DeltaNet ResNet GPT-3; datasets ImageNet COCO
    # CIFAR-100(=CIFAR100) GammaBench; repos acme/alpha acme/beta solo/eps
    assert (c["Paper"], c["Method"], c["Dataset"], c["CodeRepository"]) == (5, 5, 4, 3)
    assert (c["PROPOSES"], c["MENTIONS"], c["INTRODUCES"], c["USES"], c["HAS_CODE"]) == (3, 6, 1, 8, 3)
    assert c["mentions"] == 22
    assert c["quads"] == c["triples"] == len(store.store)  # one graph: a triple is a quad
    assert list(store.store.named_graphs()) == []


def test_writing_the_same_graph_twice_changes_nothing(store):
    g = graph_of(small_corpus() + hostile_corpus())
    first = store.write(g)
    before, counts = _quads(store), store.counts()
    second = store.write(g)
    assert _quads(store) == before and store.counts() == counts
    assert first.triples == second.triples == len(store.store)
    assert first.papers == 5 + len(hostile_corpus())
    assert first.extra["unchanged_papers"] == 0 and second.extra["unchanged_papers"] == first.papers


def test_write_order_does_not_matter(tmp_path):
    ex = small_corpus() + hostile_corpus()
    results = []
    for name, order in (("ab", ex), ("ba", ex[::-1])):
        with OxigraphStore(tmp_path / name) as s:
            for e in order:
                s.write(graph_of([e]))
            results.append(_quads(s))
    assert results[0] == results[1]


def test_reingesting_a_paper_with_fewer_entities_removes_its_old_edges(store):
    ex = small_corpus()
    store.write(graph_of(ex))
    alpha = ex[0]
    smaller = Extraction(paper(alpha.paper.key, "Alpha, revised"), methods=(method("ResNet"),),
                         datasets=(dataset("ImageNet"),))
    assert store.write(graph_of([smaller])).extra["unchanged_papers"] == 0
    c = store.counts()
    assert c["Paper"] == 5 and c["PROPOSES"] == 2 and c["HAS_CODE"] == 2 and c["USES"] == 7
    assert c["CodeRepository"] == 2 and c["Method"] == 4  # AlphaNet and acme/alpha named by no one now
    _, rows = store.query("SELECT ?t ?k WHERE { ?p dcterms:identifier ?k ; dcterms:title ?t }",
                          {"k": alpha.paper.key})
    assert rows == [["Alpha, revised"]]
    _, rows = store.query("SELECT ?d ?k WHERE { ?p dcterms:identifier ?k ; kg:uses ?d }", {"k": alpha.paper.key})
    assert [r[0].rsplit("/", 1)[1] for r in rows] == ["imagenet"]


def test_store_persists_across_opens(tmp_path):
    with OxigraphStore(tmp_path / "s") as s:
        s.write(graph_of(small_corpus()))
        counts = s.counts()
    with OxigraphStore(tmp_path / "s", read_only=True) as s:
        assert s.counts() == counts
        with pytest.raises(SinkError, match="read-only"):
            s.write(graph_of(small_corpus()))


def test_query_returns_plain_python_values(store):
    store.write(graph_of(small_corpus()))
    cols, rows = store.query(
        "SELECT ?k (COUNT(?s) AS ?n) ?none WHERE { ?p dcterms:identifier ?k ; a kg:Paper "
        "OPTIONAL { ?p kg:hasCode ?s } } GROUP BY ?k ?none ORDER BY ?k")
    assert cols == ["k", "n", "none"]
    assert rows[0] == ["arxiv:2401.00001", 1, None]
    assert all(type(r[1]) is int for r in rows)
    assert store.query("ASK { ?p a kg:Paper }") == (["ask"], [[True]])


@pytest.mark.parametrize("hostile", [
    'x"}) DETACH DELETE n //', '" } ; DROP ALL ; #', "> } INSERT DATA { <a> <b> <c> } #",
    "\\\" ) || true || (\"", "?p", "<https://kg.example.org/paper/arxiv%3A2401.00001>",
])
def test_hostile_parameters_are_bound_as_literals(store, hostile):
    store.write(graph_of(small_corpus() + hostile_corpus()))
    before = _quads(store)
    _, rows = store.query("SELECT ?p ?k WHERE { ?p dcterms:identifier ?k }", {"k": hostile})
    assert rows == []
    _, rows = store.query("SELECT ?k ?v WHERE { ?p dcterms:identifier ?k FILTER(?k = ?v) }", {"v": f"title:{hostile}"})
    assert rows == ([[f"title:{hostile}"]] if hostile == 'x"}) DETACH DELETE n //' else [])
    assert _quads(store) == before


def test_bad_queries_and_params_raise_sink_errors(store):
    with pytest.raises(SinkError, match="does not parse"):
        store.query("SELECT WHERE {")
    with pytest.raises(SinkError, match="top-level SELECT"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", {"nope": 1})
    with pytest.raises(SinkError, match="must be a str"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", {"s": None})


def test_store_path_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SinkError, match="is a file"):
        OxigraphStore(f)
    with pytest.raises(SinkError, match="cannot create store directory"):
        OxigraphStore(f / "below")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_unwritable_store_path_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(SinkError, match="writable"):
            OxigraphStore(ro / "store")
    finally:
        ro.chmod(0o700)


def test_missing_store_opened_read_only_says_how_to_fix(tmp_path):
    with pytest.raises(SinkError, match="kg ingest"):
        OxigraphStore(tmp_path / "none", read_only=True)


def _other_process(path: Path, read_only: bool) -> subprocess.CompletedProcess:
    code = textwrap.dedent(f"""
        import sys
        from kg.errors import SinkError
        from kg.sinks.store import OxigraphStore
        try:
            with OxigraphStore({str(path)!r}, read_only={read_only}) as s:
                print("opened", s.counts()["Paper"])
        except SinkError as e:
            print("SinkError:", e)
            sys.exit(3)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_a_second_process_is_refused_and_the_store_survives(tmp_path):
    path = tmp_path / "locked"
    with OxigraphStore(path) as s:
        s.write(graph_of(small_corpus()))
        before = _quads(s)
        for read_only in (False, True):
            r = _other_process(path, read_only)
            assert r.returncode == 3, r.stderr
            assert f"store {path} is in use by another kg process" in r.stdout
        assert _quads(s) == before
        s.write(graph_of(small_corpus()))  # the first process still works
    r = _other_process(path, False)
    assert r.returncode == 0 and r.stdout.split() == ["opened", "5"], r.stderr
    r = _other_process(path, True)
    assert r.returncode == 0 and r.stdout.split() == ["opened", "5"], r.stderr


def test_same_process_second_open_is_refused(tmp_path):
    with OxigraphStore(tmp_path / "s"):
        with pytest.raises(SinkError, match="in use"):
            OxigraphStore(tmp_path / "s")


def _fresh(tmp_path: Path, name: str, extractions: list) -> set:
    with OxigraphStore(tmp_path / name) as s:
        s.write(graph_of(extractions))
        return _quads(s)


def test_reingesting_a_changed_paper_equals_a_fresh_ingest_of_the_new_version(tmp_path):
    ex = small_corpus()
    smaller = Extraction(paper(ex[0].paper.key, "Alpha, revised"), methods=(method("ResNet"),),
                         datasets=(dataset("ImageNet"),))
    with OxigraphStore(tmp_path / "re") as s:
        s.write(graph_of(ex + hostile_corpus()))
        s.write(graph_of([smaller]))
        s.write(graph_of(hostile_corpus()))  # A then A == A
        got = _quads(s)
    # AlphaNet and acme/alpha are named by no paper any more: they go too
    assert got == _fresh(tmp_path, "fresh", [smaller] + ex[1:] + hostile_corpus())


def test_records_of_one_paper_that_spell_a_name_differently_leave_no_trace_of_the_loser(tmp_path):
    # issue 14: the replaced record's spelling stayed as a label, so order and re-runs changed triples
    a = Extraction(paper("title:x", "X"), datasets=(dataset("cifar100"),))
    b = Extraction(paper("title:x", "X"), datasets=(dataset("CIFAR-100"),))
    stores = []
    for name, order in (("ab", [a, b]), ("ba", [b, a]), ("abab", [a, b, a, b])):
        with OxigraphStore(tmp_path / name) as s:
            for ex in order:
                s.write(graph_of([ex]))
            stores.append(_quads(s))
            _, rows = s.query("SELECT ?l WHERE { ?d a kg:Dataset ; rdfs:label|skos:altLabel ?l }")
            assert len(rows) == 1  # one record wins (kg.graph.record_rank) and only its name is left
    assert stores[0] == stores[1] == stores[2] == _fresh(tmp_path, "fresh", [a, b])


def test_a_fresh_ingest_never_reads_old_papers_and_loader_errors_surface(tmp_path, monkeypatch):
    def boom(self, iri, *_):
        raise RuntimeError(f"read old triples of {iri.value}")

    monkeypatch.setattr(OxigraphStore, "_unchanged", boom)
    monkeypatch.setattr(OxigraphStore, "_owned", boom)
    g = graph_of(small_corpus())
    s = OxigraphStore(tmp_path / "s")
    s.write(g)  # no paper exists yet: nothing is read back or deleted
    assert s.counts()["Paper"] == 5
    s.write(g)  # returns while the loader thread fails
    with pytest.raises(SinkError, match="read old triples of .*re-run the ingest"):
        s.counts()
    s.write(graph_of([Extraction(paper("title:new", "New"), methods=(method("M"),))]))
    assert s.counts()["Paper"] == 6  # a new paper is never read back either
    s.write(g)
    with pytest.raises(SinkError, match="re-run the ingest"):
        s.close()  # close() reports the last batch's failure and still releases the store
    with OxigraphStore(tmp_path / "s", read_only=True) as again:
        assert again.counts()["Paper"] == 6


def test_write_returns_before_the_load_and_reads_wait_for_it(tmp_path):
    g = graph_of(small_corpus() + hostile_corpus())
    with OxigraphStore(tmp_path / "s") as s:
        stats = s.write(g)
        assert s.counts()["Paper"] == stats.papers == 13 and len(s.store) == stats.triples
    with OxigraphStore(tmp_path / "s", read_only=True) as s:
        assert s.counts()["Paper"] == 13


def test_a_store_of_an_older_kg_is_refused_with_one_line_and_left_as_it_was(tmp_path):
    # stores written before one node per sense (no kg-format file): both the default-graph layout
    # and the older one graph per paper; their entities cannot be split into senses without the text
    from pyoxigraph import Quad, Store

    expected = _fresh(tmp_path, "new", small_corpus())
    for name, graph_of_quad in (("flat", lambda q: None), ("graphs", lambda q: NamedNode("https://kg.example.org/paper/x"))):
        old = Store(str(tmp_path / name))
        for q in expected:
            g = graph_of_quad(q)
            old.add(Quad(q.subject, q.predicate, q.object, g) if g else Quad(q.subject, q.predicate, q.object))
        old.flush()
        del old
        for read_only in (True, False):
            with pytest.raises(SinkError, match="written by an older kg.*ingest the files again into a new --store") as e:
                OxigraphStore(tmp_path / name, read_only=read_only)
            assert "\n" not in str(e.value)
        assert not (tmp_path / name / "kg-format").exists()
        again = Store.read_only(str(tmp_path / name))
        assert len(again) == len(expected)
        del again
    with OxigraphStore(tmp_path / "new") as s:  # a current store opens as before
        assert _quads(s) == expected
    (tmp_path / "new" / "kg-format").write_text("3\n")
    with pytest.raises(SinkError, match="written by format 3"):
        OxigraphStore(tmp_path / "new", read_only=True)


def test_order_by_is_applied_like_sparql(store):
    store.write(graph_of(small_corpus()))
    q = ("SELECT ?t ?n ?c WHERE { ?p dcterms:title ?t . "
         "{ SELECT ?p (COUNT(?d) AS ?n) WHERE { ?p kg:uses ?d } GROUP BY ?p } OPTIONAL { ?p kg:hasCode ?c } }")
    # uses: Alpha 2 (ImageNet, COCO), Beta 2, Gamma 2 (CIFAR100, COCO), Delta 1, Epsilon 1
    _, rows = store.query(q + " order by desc(?n) ?c ?t")
    assert [(r[0][:5], r[1]) for r in rows] == [("Gamma", 2), ("Alpha", 2), ("Beta ", 2), ("Delta", 1), ("Epsil", 1)]
    _, rows = store.query(q.replace("SELECT ?t ?n ?c", "SELECT ?t") + " ORDER BY DESC(?n) ?t")  # not selected
    assert [r[0][:5] for r in rows] == ["Alpha", "Beta ", "Gamma", "Delta", "Epsil"]
    _, rows = store.query(q + " ORDER BY ?n LIMIT 1")  # not a plain final ORDER BY: Oxigraph sorts
    assert rows[0][1] == 1



def _sst_files(path: Path) -> int:
    return sum(1 for f in path.iterdir() if f.suffix == ".sst")


def test_a_session_that_wrote_is_compacted_on_close_and_keeps_its_data(tmp_path):
    """Each flush leaves level-0 files that every later read merges; closing a written store
    compacts them (reads of a fresh corpus store ran 2x faster compacted), so compacting again
    finds nothing left to merge. A read-only open does not compact."""
    from pyoxigraph import Store

    path = tmp_path / "s"
    with OxigraphStore(path) as s:
        for i in range(6):
            s.write(graph_of([Extraction(paper(f"title:p{i}", f"Paper {i}"), methods=(method(f"M{i}"),))]))
            s.store.flush()  # waits for the background load, then writes level-0 files
        quads = _quads(s)
    assert s.compact_seconds > 0
    after_close = _sst_files(path)
    raw = Store(str(path))
    raw.optimize()
    del raw
    assert _sst_files(path) == after_close, "closing left level-0 files uncompacted"
    with OxigraphStore(path, read_only=True) as s:
        assert _quads(s) == quads
    assert s.compact_seconds == 0


def test_no_compaction_when_stopping_on_an_error_or_ctrl_c(tmp_path, monkeypatch, patched):
    """Compaction can take a while on a big store: a Ctrl-C or an error must stop promptly."""
    import json

    import kg.api

    with pytest.raises(RuntimeError, match="boom"):
        with OxigraphStore(tmp_path / "a") as s:
            s.write(graph_of(small_corpus()))
            raise RuntimeError("boom")
    assert s.compact_seconds == 0
    compacted: list[Path] = []
    monkeypatch.setattr(OxigraphStore, "_compact", lambda self: compacted.append(self.path))
    papers = tmp_path / "p.jsonl"
    papers.write_text("".join(json.dumps({"title": f"Paper {i}", "abstract": "We use ImageNet."}) + "\n"
                              for i in range(5)))

    def stop(_n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kg.api.ingest([papers], store=tmp_path / "b", batch_size=2, progress=stop)
    assert compacted == []
    kg.api.ingest([papers], store=tmp_path / "b", batch_size=2)
    assert compacted == [tmp_path / "b"]


def test_author_order_is_kept_and_a_reordered_list_replaces_the_old_one(tmp_path):
    dates = {("Zoe", "Ann", "Mia"): "2024-01-01", ("Mia", "Zoe"): "2024-02-01", ("Ann", "Zoe", "Mia"): "2024-03-01"}

    def version(authors):  # each version dated later, so it replaces the one before (kg.graph.record_rank)
        return [Extraction(paper("title:x", "X", authors=authors, date=dates[authors]), methods=(method("M"),))]

    with OxigraphStore(tmp_path / "s") as s:
        s.write(graph_of(version(("Zoe", "Ann", "Mia"))))
        assert s.to_networkx().nodes["Paper:title:x"]["authors"] == ("Zoe", "Ann", "Mia")
        same = s.write(graph_of(version(("Zoe", "Ann", "Mia"))))
        s.counts()  # waits for the load, which counts the unchanged papers
        assert same.extra["unchanged_papers"] == 1
        s.write(graph_of(version(("Mia", "Zoe"))))
        assert s.to_networkx().nodes["Paper:title:x"]["authors"] == ("Mia", "Zoe")
        reordered = s.write(graph_of(version(("Ann", "Zoe", "Mia"))))  # same creators, new order
        s.counts()
        assert reordered.extra["unchanged_papers"] == 0
        assert s.to_networkx().nodes["Paper:title:x"]["authors"] == ("Ann", "Zoe", "Mia")
        got = _quads(s)
    assert got == _fresh(tmp_path, "fresh", version(("Ann", "Zoe", "Mia")))  # no cell left over


def test_a_neighbourhood_keeps_the_author_order(tmp_path):
    from kg.sinks.subgraph import neighbourhood

    ex = [Extraction(paper("title:x", "X", authors=("Zoe", "Ann")), methods=(method("M"),))]
    with OxigraphStore(tmp_path / "s") as s:
        s.write(graph_of(ex))
        g, _ = neighbourhood(s.store, ["https://kg.example.org/paper/title%3Ax"])
    assert g.nodes["Paper:title:x"]["authors"] == ("Zoe", "Ann")
