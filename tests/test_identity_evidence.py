"""The extractor hands identity evidence to the graph: the KB entry's id and the defined long form."""

from __future__ import annotations

import json

import pytest

from kg.extract import Extractor, extraction_from_json, extraction_to_json
from kg.keys import kb_id, paper_key
from kg.model import Entity, Paper


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def _paper(abstract: str, title: str = "A paper") -> Paper:
    return Paper(key=paper_key(title, "2501.00001"), title=title, abstract=abstract, arxiv_id="2501.00001")


def _by_name(ents: tuple[Entity, ...]) -> dict[str, Entity]:
    return {e.name: e for e in ents}


def test_kb_id_depends_on_kind_and_preferred_name_only():
    assert kb_id("Method", "ResNet-50") == "method:resnet50" == kb_id("Method", "ResNet50")
    assert kb_id("Dataset", "CIFAR-10") == "dataset:cifar10" != kb_id("Method", "CIFAR-10")


def test_known_entities_carry_their_kb_id_and_defined_names_their_long_form(ex):
    e = ex.extract(_paper("We propose Prompt Refinement via Iterative Self Modelling (PRISM), "
                          "a method built on LoRA and evaluated on CIFAR-10."))
    methods, datasets = _by_name(e.methods), _by_name(e.datasets)
    assert methods["PRISM"].long_form == "Prompt Refinement via Iterative Self Modelling"
    assert methods["PRISM"].kb_id is None
    assert methods["LoRA"].kb_id == "method:lora" and methods["LoRA"].long_form is None
    assert datasets["CIFAR-10"].kb_id == "dataset:cifar10"


def test_json_contract_carries_the_evidence_and_reads_old_records(ex):
    e = ex.extract(_paper("We propose Prompt Refinement via Iterative Self Modelling (PRISM) on CIFAR-10."))
    d = json.loads(json.dumps(extraction_to_json(e)))
    prism = next(m for m in d["methods"] if m["name"] == "PRISM")
    assert prism["long_form"] == "Prompt Refinement via Iterative Self Modelling" and prism["kb_id"] is None
    assert d["datasets"][0]["kb_id"] == "dataset:cifar10"
    back = extraction_from_json(d)
    assert back.methods == e.methods and back.datasets == e.datasets
    for ent in d["methods"] + d["datasets"]:  # a record written before these keys existed
        del ent["kb_id"], ent["long_form"]
    old = extraction_from_json(d)
    assert all(x.kb_id is None and x.long_form is None for x in old.methods + old.datasets)


def test_worker_processes_hand_the_same_evidence(ex):
    papers = [_paper("We propose Sparse Token Routing (STR), built on LoRA.", title=f"T{i}") for i in range(3)]
    assert list(ex.extract_all(papers, workers=2, batch_size=1)) == list(ex.extract_all(papers))
