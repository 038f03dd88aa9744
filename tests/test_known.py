"""kg.extract.known without the extractor: well-known concepts, who may propose a known entity (issue 11)."""

from __future__ import annotations

import pytest
import yaml
from kg.extract.kb import BUILTIN_KB_FILES, load_kb
from kg.extract.known import CONCEPTS_FILE, Known
from kg.graph import build_graph, entity_identity
from kg.keys import entity_key
from kg.model import Entity, Extraction, Mention, Paper


@pytest.fixture(scope="module")
def known() -> Known:
    return Known(load_kb(BUILTIN_KB_FILES))


def _paper(n: int, text: str) -> Paper:
    return Paper(f"arxiv:2505.{n:05d}", "T", text, arxiv_id=f"2505.{n:05d}", date="2025-05-20")


def _ent(text: str, name: str, role: str = "proposed", long_form: str | None = None, kind: str = "Method") -> Entity:
    start = text.index(name)
    aliases = (long_form,) if long_form else ()
    return Entity(kind, entity_key(name), name, role, aliases,
                  (Mention("abstract", start, start + len(name), text, "acronym-def"),), None, long_form)


def _apply(known: Known, n: int, text: str, e: Entity) -> Entity | None:
    out = known.apply(Extraction(_paper(n, text), methods=(e,) if e.kind == "Method" else (),
                                 datasets=(e,) if e.kind == "Dataset" else ()))
    found = out.methods + out.datasets
    return found[0] if found else None


def test_a_textbook_concept_a_paper_defines_is_one_known_node_never_proposed(known):
    texts = ["We propose a gated Feed-Forward Network (FFN) for vision transformers.",
             "Our novel feedforward networks (FFN) replace attention.",
             "The FFN of each block is pruned."]
    found = [_apply(known, 1, texts[0], _ent(texts[0], "FFN", long_form="gated Feed-Forward Network")),
             _apply(known, 2, texts[1], _ent(texts[1], "FFN", long_form="feedforward networks")),
             _apply(known, 3, texts[2], _ent(texts[2], "FFN", role="mentioned"))]
    key = "ffn~feed-forward-network"  # a sense key: never the bare name's node, whatever the order
    assert all(e is not None and e.role == "mentioned" and e.kb_id == f"method:{key}" for e in found), found
    assert {entity_identity(e, "p") for e in found} == {(key, "kb")}
    g = build_graph(Extraction(_paper(i, t), methods=(e,)) for i, (t, e) in enumerate(zip(texts, found), 1))
    assert [d["sense"] for n, d in g.nodes(data=True) if d["label"] == "Method"] == ["kb"]
    assert not [k for _, _, k in g.edges(keys=True) if k == "PROPOSES"]


def test_another_long_form_of_a_concept_name_is_the_papers_own_sense(known):
    text = "We propose Fourier Feature Networks (FFN) for neural fields."
    e = _apply(known, 4, text, _ent(text, "FFN", long_form="Fourier Feature Networks"))
    assert e is not None and e.role == "proposed" and e.kb_id is None
    assert entity_identity(e, "p") == ("ffn~fourier-feature-network", "defined")


def test_tasks_fields_and_metrics_a_paper_defines_are_no_entities(known):
    for text, name, long_form in (("We propose remote photoplethysmography (rPPG) from face videos.", "rPPG",
                                   "remote photoplethysmography"),
                                  ("We minimise the Kullback-Leibler (KL) divergence to the teacher.", "KL",
                                   "Kullback-Leibler"),
                                  ("A KL term regularises the posterior.", "KL", None)):
        assert _apply(known, 5, text, _ent(text, name, long_form=long_form)) is None, name


def test_the_concepts_file_is_well_formed_and_apart_from_the_knowledge_base(known):
    """Every entry has a kind and long forms; what it is matched by is no knowledge-base or guard-list
    name (those have their own markers: grey, kb_sources generic, the stop list), so it never hides one."""
    kb = known.kb
    entries = yaml.safe_load(CONCEPTS_FILE.read_text(encoding="utf-8"))
    assert len(entries) >= 9
    for rec in entries:
        assert rec["kind"] in ("concept", "task", "field", "metric", "other") and rec.get("long"), rec
        # what it is matched by (its long forms; its short names when by_name) is no KB or stop name
        for n in (*rec["long"], *((rec["name"], *rec.get("aliases", ())) if rec.get("by_name") else ())):
            assert kb.lookup(n) is None and not kb.is_stop(n), n
        # matched by its short name alone only when it says so (GA is geometric algebra or a genetic algorithm)
        assert (entity_key(rec["name"]) in known.concept_names) == bool(rec.get("by_name")), rec["name"]
        assert all(entity_key(x) in known.concept_names for x in rec["long"]), rec["name"]


def test_an_acronym_of_several_senses_is_a_concept_only_by_its_long_form(known):
    text = "We propose GA, a genetic algorithm for scheduling."
    e = _apply(known, 6, text, _ent(text, "GA"))
    assert e is not None and e.role == "proposed" and e.kb_id is None and entity_identity(e, "p")[0] == "ga@p"
    text = "We propose Geometric Algebra (GA) layers."
    e = _apply(known, 7, text, _ent(text, "GA", long_form="Geometric Algebra"))
    assert e is not None and e.role == "mentioned" and e.kb_id == "method:ga~geometric-algebra"


def test_a_generic_sense_of_a_shared_name_is_never_proposed(known):
    text = "We propose Test-Time Adaptation (TTA) for shifted inputs."
    e = _apply(known, 8, text, _ent(text, "TTA", long_form="Time Adaptation"))  # the long form cut at the hyphen
    assert e is not None and e.key == "tta~test-time-adaptation" and e.role == "mentioned"


def test_a_defined_task_or_metric_is_not_proposed(known):
    for text, name, long_form, kind in (("We introduce Video Question Answering (VideoQA) data.", "VideoQA",
                                         "Video Question Answering", "Dataset"),  # a task (kb_concepts.yaml)
                                        ("We propose the Feature Map Convergence Score (FMCS).", "FMCS",
                                         "Feature Map Convergence Score", "Method")):
        role = "introduced" if kind == "Dataset" else "proposed"
        e = _apply(known, 9, text, _ent(text, name, role=role, long_form=long_form, kind=kind))
        assert e is None or e.role in ("used", "mentioned"), name
