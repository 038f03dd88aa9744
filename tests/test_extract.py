"""Extractor on real sentences with a tiny fixture KB: names, roles, offsets, URLs, JSON contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kg.extract import Extractor, extraction_from_json, extraction_to_json
from kg.extract.clean import clean
from kg.extract.urls import classify, find_urls
from kg.keys import entity_key
from kg.model import Paper

DATA = Path(__file__).parent / "data" / "extract"


@pytest.fixture(scope="module")
def ex() -> Extractor:
    # the rules alone: the shipped model is fitted with the built-in KB, not this tiny one
    return Extractor([DATA / "kb_tiny.yaml", DATA / "kb_tiny.jsonl"], use_builtin_kb=False, model="rules")


def _paper(abstract: str, title: str = "A study") -> Paper:
    return Paper(key="title:x", title=title, abstract=abstract)


def _by_name(ents):
    return {e.name: e for e in ents}


def test_kb_aliases_merge_to_preferred_name(ex):
    e = ex.extract(_paper("We train ResNet50 on CIFAR100 and compare with ResNet-50 results on CIFAR-100."))
    ds, ms = _by_name(e.datasets), _by_name(e.methods)
    assert set(ds) == {"CIFAR-100"} and ds["CIFAR-100"].role == "used"
    assert len(ds["CIFAR-100"].mentions) == 2
    assert "ResNet-50" in ms and ms["ResNet-50"].key == entity_key("ResNet-50")


def test_acronym_definition_and_proposal(ex):
    text = ("In this work, we propose Federated Orthogonal Training (FOT), a novel framework. "
            "FOT outperforms FedAvg-style baselines.")
    e = ex.extract(_paper(text))
    fot = _by_name(e.methods)["FOT"]
    assert fot.role == "proposed"
    assert "Federated Orthogonal Training" in fot.aliases
    assert len(fot.mentions) == 3  # long form, acronym, later acronym


def test_field_acronym_is_not_a_method(ex):
    e = ex.extract(_paper("Unsupervised Domain Adaptation (UDA) is hard. Many UDA methods fail."))
    assert e.methods == () and e.datasets == ()


def test_title_prefix_and_dubbed_cues(ex):
    e = ex.extract(_paper("We present a simple framework, dubbed GraphZip, for compression. "
                          "GraphZip beats ResNet on CIFAR-10.", title="QuikNet: Fast Things"))
    ms = _by_name(e.methods)
    assert ms["QuikNet"].role == "proposed" and ms["GraphZip"].role == "proposed"
    assert ms["ResNet"].role == "mentioned"


def test_unseen_dataset_typed_by_context_and_lists(ex):
    e = ex.extract(_paper("Experiments on CIFAR-10, SVHN2 and ZooSet show gains. "
                          "We also evaluate on the PetFaces dataset."))
    assert {"CIFAR-10", "SVHN2", "ZooSet", "PetFaces"} <= set(_by_name(e.datasets))
    assert not e.methods


def test_introduced_dataset(ex):
    e = ex.extract(_paper("We introduce P9D, a new large-scale dataset of image-text pairs."))
    assert _by_name(e.datasets)["P9D"].role == "introduced"


def test_compound_split_and_variant(ex):
    e = ex.extract(_paper("Results on CIFAR-10/100-LT and ImageNet-R are reported."))
    assert {"CIFAR-10-LT", "CIFAR-100-LT", "ImageNet-R"} <= set(_by_name(e.datasets))
    assert "ImageNet" not in _by_name(e.datasets)


def test_guards_drop_generic_and_grey(ex):
    e = ex.extract(_paper("Our LLM runs on one GPU and beats SOTA Transformers by 3x with 7B parameters."))
    assert e.methods == () and e.datasets == ()


def test_latex_offsets_point_at_original_text(ex):
    abstract = "We propose \\textbf{FedLoGe}, evaluated on \\emph{CIFAR-100}.\nCode: \\url{https://github.com/a/b}."
    e = ex.extract(_paper(abstract))
    fed = _by_name(e.methods)["FedLoGe"]
    m = fed.mentions[0]
    assert abstract[m.start:m.end] == "FedLoGe" and fed.role == "proposed"
    d = _by_name(e.datasets)["CIFAR-100"].mentions[0]
    assert abstract[d.start:d.end] == "CIFAR-100"
    assert [u.url for u in e.code_urls] == ["https://github.com/a/b"]


@pytest.mark.parametrize("text,url", [
    ('see <a href="http://github.com/visillect/segmentation.">this http URL</a>', "http://github.com/visillect/segmentation"),
    ("code at https://github.com/ necla-ml/SNLI-VE.", "https://github.com/necla-ml/SNLI-VE"),
    ("at \\href{https://x.github.io/D}{project page}.", "https://x.github.io/D"),
    ("at https://github.com/a/b.git, and", "https://github.com/a/b"),
    ("(https://huggingface.co/collections/zehui127)", "https://huggingface.co/collections/zehui127"),
])
def test_urls_cleaned(text, url):
    assert [u.url for u in find_urls(text)] == [url]


@pytest.mark.parametrize("text", ["available at this http URL.", "\\url{this https URL}",
                                  "arXiv https://arxiv.org/abs/1902.07458 and https://doi.org/10.1/x"])
def test_placeholders_and_paper_links_are_not_code(text):
    assert find_urls(text) == []


def test_url_hosts():
    assert classify("https://github.com/gqk/LAE") == ("github", "gqk", "LAE")
    assert classify("https://huggingface.co/datasets/org/data")[:2] == ("huggingface", "org")
    assert classify("https://reczoo.github.io/UltraGCN")[0] == "project-page"


def test_json_contract_roundtrip(ex):
    e = ex.extract(_paper("We propose ZapNet. It uses CIFAR-10. Code: https://github.com/o/zap", title="ZapNet: x"))
    d = extraction_to_json(e)
    assert set(d) == {"id", "title", "methods", "datasets", "code_urls"}
    assert set(d["methods"][0]) == {"name", "key", "role", "aliases", "mentions", "kb_id", "long_form", "same_as"}
    assert set(d["code_urls"][0]) == {"url", "host", "owner", "repo", "mentions"}
    back = extraction_from_json(d)
    assert [m.name for m in back.methods] == [m.name for m in e.methods]
    assert back.code_urls[0].key == e.code_urls[0].key and back.datasets[0].mentions == e.datasets[0].mentions


def test_extract_all_keeps_order_and_streams(ex):
    papers = [_paper(f"We propose Net{i}X on CIFAR-10.", title=f"T{i}") for i in range(7)]
    out = list(ex.extract_all(iter(papers), batch_size=3))
    assert [o.paper.title for o in out] == [p.title for p in papers]


def test_extract_all_with_processes():
    ex2 = Extractor([DATA / "kb_tiny.yaml"], use_builtin_kb=False, model="rules")
    papers = [_paper(f"We propose Net{i}X on CIFAR-10.", title=f"T{i}") for i in range(9)]
    out = list(ex2.extract_all(papers, batch_size=2, workers=2))
    assert [o.paper.title for o in out] == [p.title for p in papers]
    assert all(o.datasets and o.datasets[0].name == "CIFAR-10" for o in out)


def test_very_long_field_does_not_crash(ex):
    e = ex.extract(_paper("We use CIFAR-10 and FooNet. " * 40_000))
    assert e.datasets


def _surface_ok(field_text: str, ent, m) -> bool:
    got = clean(field_text[m.start:m.end]).text
    return entity_key(got) in {entity_key(s) for s in (ent.name, *ent.aliases)} or m.rule == "compound"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
       st.sampled_from(["", " We propose FooNet (FN) on CIFAR-10/100. ", " $\\times$ \\textbf{ZipX} <a href=\"x\">y</a> "]))
def test_never_raises_and_offsets_hold(ex, noise, extra):
    abstract = noise + extra + noise[::-1]
    e = ex.extract(_paper(abstract, title=noise[:40]))
    for ent in (*e.methods, *e.datasets):
        for m in ent.mentions:
            text = abstract if m.field == "abstract" else noise[:40]
            assert 0 <= m.start < m.end <= len(text)
            assert _surface_ok(text, ent, m), (text[m.start:m.end], ent)
