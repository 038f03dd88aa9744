"""Re-runs in seconds: papers held with the same content hash are skipped before extraction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

import kg.api
from kg.changes import ChangePlan, extractor_fingerprint, held_by_all, paper_hash
from kg.cli import cli
from kg.model import Paper
from kg.sinks.store import OxigraphStore
from kg.sinks.vocab import KG

FP = "f" * 64
SUMMARY = re.compile(r"^(?:[a-z ]+: \d+(?:\.\d+)?)(?:, [a-z ]+: \d+(?:\.\d+)?)*$")


def _p(key: str, abstract: str = "We use ImageNet.", source: str = "a.jsonl", line: int = 1) -> Paper:
    return Paper(key=key, title=f"Title {key}", abstract=abstract, source=source, line=line)


def _plan(stored: dict[str, str]) -> ChangePlan:
    return ChangePlan(FP, lambda keys: {k: stored.get(k) for k in keys}, window=2)


def _run(plan: ChangePlan, papers: list[Paper]) -> list[tuple[str, str | None]]:
    return [(p.abstract, plan.chain_of(p)) for p in plan.select(papers)]


def test_new_unchanged_updated_and_a_source_change():
    a, b, c = _p("a"), _p("b"), _p("c")
    stored = {"a": paper_hash(a, FP), "b": "0" * 32}
    plan = _plan(stored)
    out = _run(plan, [a, b, c, _p("d", source="other.jsonl")])
    assert [x for x, _ in out] == [b.abstract, c.abstract, "We use ImageNet."]
    assert (plan.papers, plan.new, plan.updated, plan.unchanged, plan.duplicates) == (4, 2, 1, 1, 0)
    assert paper_hash(a, FP) != paper_hash(_p("a", source="b.jsonl"), FP)  # provenance names the file
    assert paper_hash(a, FP) == paper_hash(_p("a", line=99), FP)  # the line is in no triple
    assert paper_hash(a, FP) != paper_hash(a, "e" * 64)  # a new extractor re-extracts
    # fields are length-prefixed: moving text between fields or authors changes the hash
    assert paper_hash(Paper("k", "ab", "c"), FP) != paper_hash(Paper("k", "a", "bc"), FP)
    assert paper_hash(Paper("k", "t", "a", authors=("a,b",)), FP) != \
        paper_hash(Paper("k", "t", "a", authors=("a", "b")), FP)
    assert paper_hash(Paper("k", "t", "a", url=None), FP) != paper_hash(Paper("k", "t", "a", url=""), FP)


def _set(*hashes: str) -> str:
    return " ".join(sorted(hashes))


def test_a_paper_read_twice_stores_both_hashes_and_a_rerun_skips_both():
    first, last = _p("k", "Old abstract.", line=1), _p("k", "New abstract.", line=9)
    plan = _plan({})
    out = _run(plan, [first, _p("x"), last])
    both = _set(paper_hash(first, FP), paper_hash(last, FP))
    assert out[-1] == ("New abstract.", both)  # the set so far: which record stays is the sinks' rule
    assert (plan.papers, plan.duplicates, plan.new) == (2, 1, 2)
    for order in ([first, _p("x"), last], [last, first, _p("x")]):  # in any order
        again = _plan({"k": both, "x": paper_hash(_p("x"), FP)})
        assert _run(again, order) == []
        assert (again.unchanged, again.updated, again.duplicates) == (2, 0, 1)


def test_only_records_outside_the_stored_set_are_extracted():
    first, last = _p("k", "Old.", line=1), _p("k", "New.", line=2)
    h1, h2 = paper_hash(first, FP), paper_hash(last, FP)
    # a record the stored one dominates is skipped, even without its companion
    plan = _plan({"k": _set(h1, h2)})
    assert _run(plan, [first]) == [] and plan.unchanged == 1
    # a new record is extracted; the set written with it keeps what was held
    changed = _p("k", "Newer.", line=2)
    plan = _plan({"k": _set(h1, h2)})
    assert _run(plan, [first, changed]) == [("Newer.", _set(h1, h2, paper_hash(changed, FP)))]
    assert (plan.updated, plan.unchanged) == (1, 0)
    # a record added after a held one
    plan = _plan({"k": h1})
    assert _run(plan, [first, last]) == [("New.", _set(h1, h2))]
    # hashes of another extractor are dropped (their first 8 digits name it)
    plan = _plan({"k": "e" * 32 + " " + h1})
    assert _run(plan, [last]) == [("New.", _set(h1, h2))]
    assert paper_hash(first, FP)[:8] == FP[:8] and paper_hash(first, "e" * 64)[:8] == "e" * 8


def test_a_hash_is_held_only_when_every_sink_holds_it():
    both = held_by_all([lambda keys: {"a": "h", "b": "h g", "c": ""},
                        lambda keys: {"a": "h", "b": "g other", "c": ""}])
    assert both(["a", "b", "c", "d"]) == {"a": "h", "b": "g", "c": "", "d": None}
    assert held_by_all([lambda keys: {}, lambda keys: {"a": "h"}])(["a"]) == {"a": ""}


def test_the_fingerprint_covers_kg_extract_and_extra_files(tmp_path: Path):
    kb = tmp_path / "kb.yaml"
    kb.write_text("- {name: FooNet, type: method}\n")
    base = extractor_fingerprint()
    assert base == extractor_fingerprint() != extractor_fingerprint([kb])
    model = tmp_path / "model.json"
    model.write_text("{}")
    with_model = extractor_fingerprint(model=model)
    assert len({base, extractor_fingerprint([kb]), with_model, extractor_fingerprint(model="rules")}) == 4
    model.write_text('{"weights": []}')
    assert extractor_fingerprint(model=model) != with_model  # a retrained model re-extracts


def _records(path: Path, n: int, changed: int | None = None) -> Path:
    rows = [{"title": f"A study number {i}", "abstract": f"We propose Net{i} and evaluate it on ImageNet.",
             "arxiv_id": f"2401.{i:05d}", "authors": ["Zoe", f"A{i}"], "date": "2024-01-02"} for i in range(n)]
    if changed is not None:  # an edited record replaces the stored one when it is dated later
        rows[changed].update(abstract="We use COCO instead.", date="2024-06-01")
    dup = dict(rows[1], abstract="An earlier version on CIFAR-10.")  # a paper read twice, differing
    path.write_text("".join(json.dumps(r) + "\n" for r in [dup, *rows, rows[2]]))
    return path


def _quads(store: Path) -> set:
    with OxigraphStore(store, read_only=True) as s:
        return set(s.store.quads_for_pattern(None, None, None, None))


def test_a_rerun_extracts_nothing_and_leaves_the_store_identical(tmp_path, monkeypatch, patched):
    src, store = _records(tmp_path / "p.jsonl", 12), tmp_path / "s"
    first = kg.api.ingest([src], store=store, batch_size=5)
    assert (first.papers, first.new, first.updated, first.unchanged, first.duplicates) == (12, 12, 0, 0, 2)
    before = _quads(store)

    def no_extraction(*_args):
        raise AssertionError("the extractor was loaded for an unchanged input")

    with monkeypatch.context() as mp:
        mp.setattr(kg.api, "_extractor", no_extraction)
        again = kg.api.ingest([src], store=store, batch_size=3)  # other batches: still nothing to do
    assert (again.papers, again.new, again.updated, again.unchanged, again.duplicates) == (12, 0, 0, 12, 2)
    assert _quads(store) == before
    hashes = {q.subject.value: q.object.value for q in before if q.predicate == NamedNode(str(KG.contentHash))}
    assert len(hashes) == 12 and len(hashes["https://kg.example.org/paper/arxiv%3A2401.00001"].split()) == 2


def test_a_changed_paper_is_the_only_one_extracted_and_the_result_is_right(tmp_path, patched):
    store = tmp_path / "s"
    kg.api.ingest([_records(tmp_path / "p.jsonl", 12)], store=store)
    report = kg.api.ingest([_records(tmp_path / "p.jsonl", 12, changed=5)], store=store)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 11)
    with OxigraphStore(store, read_only=True) as s:
        _, rows = s.query("SELECT ?d WHERE { ?p dcterms:identifier 'arxiv:2401.00005' ; kg:uses ?d }")
        assert [r[0].rsplit("/", 1)[1] for r in rows] == ["coco"]
        assert s.to_networkx().nodes["Paper:arxiv:2401.00005"]["authors"] == ("Zoe", "A5")


def test_a_paper_stored_without_a_hash_or_a_new_kb_re_extracts(tmp_path, patched):
    src, store = _records(tmp_path / "p.jsonl", 4), tmp_path / "s"
    kg.api.ingest([src], store=store)
    with OxigraphStore(store) as s:  # as a store written by an older kg: no hashes
        for q in list(s.store.quads_for_pattern(None, NamedNode(str(KG.contentHash)), None, None)):
            s.store.remove(q)
    assert kg.api.ingest([src], store=store).updated == 4
    assert kg.api.ingest([src], store=store).unchanged == 4
    kb = tmp_path / "kb.yaml"
    kb.write_text("- {name: Net1, type: method}\n")
    assert kg.api.ingest([src], store=store, kb_files=[kb]).updated == 4


def test_the_cli_summary_is_one_parseable_line(tmp_path, patched):
    src, store = _records(tmp_path / "p.jsonl", 3), tmp_path / "s"
    for expected in ({"new": 3, "unchanged": 0}, {"new": 0, "unchanged": 3}):
        r = CliRunner().invoke(cli, ["ingest", str(src), "--store", str(store), "-q"])
        assert r.exit_code == 0, r.output
        line = r.stdout.strip()
        assert SUMMARY.match(line), line
        fields = dict(part.split(": ") for part in line.split(", "))
        assert list(fields)[:6] == ["papers read", "rejected", "new", "updated", "unchanged", "duplicates merged"]
        assert {k: int(fields[k]) for k in expected} == expected
        assert (fields["papers read"], fields["duplicates merged"]) == ("3", "2")


def test_kg_extract_writes_every_record_and_knows_no_hashes(tmp_path, patched):
    out = tmp_path / "x.jsonl"
    with out.open("w") as f:
        assert kg.api.extract_to_jsonl([_records(tmp_path / "p.jsonl", 3)], f) == 5
    assert "content_hash" not in out.read_text()


@pytest.mark.parametrize("dup_last", [False, True])
def test_a_rerun_skips_duplicates_in_other_batches_whichever_record_is_kept(tmp_path, monkeypatch, patched, dup_last):
    """Two records of one paper a batch apart: the sinks keep the higher-ranked one, and a
    re-run extracts neither, whichever came first."""
    rows = [{"title": f"A study number {i}", "abstract": f"We propose Net{i} on ImageNet.",
             "arxiv_id": f"2401.{i:05d}"} for i in range(4)]
    other = [dict(rows[1], abstract=f"Version {v} evaluates Net1 on COCO.") for v in range(3)]
    lines = [*other, *rows] if not dup_last else [*rows, *other]
    src, store = tmp_path / "p.jsonl", tmp_path / "s"
    src.write_text("".join(json.dumps(r) + "\n" for r in lines))
    kg.api.ingest([src], store=store, batch_size=1)
    before = _quads(store)

    def no_extraction(*_args):
        raise AssertionError("the extractor was loaded for an unchanged input")

    with monkeypatch.context() as mp:
        mp.setattr(kg.api, "_extractor", no_extraction)
        again = kg.api.ingest([src], store=store, batch_size=1)
    assert (again.unchanged, again.duplicates) == (4, 3)
    assert _quads(store) == before
