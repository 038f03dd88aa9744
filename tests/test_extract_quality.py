"""Error classes of issue 10 on new text, one test each (sentences written here): scheme-less code URLs,
titles in capitals, names glued to a head noun by a dash, a caret inside a name."""

from __future__ import annotations

import pytest

from kg.extract import Extractor
from kg.extract.urls import find_urls
from kg.model import Paper


@pytest.fixture(scope="module", params=["rules", None])
def ex(request) -> Extractor:
    # both deciders: the rules alone and the shipped model (the built-in KB)
    return Extractor(model=request.param)


def _names(ents) -> set[str]:
    return {e.name for e in ents}


@pytest.mark.parametrize("text,url,span", [
    ("See our project page: opencity3d.github.io", "https://opencity3d.github.io", "opencity3d.github.io"),
    ("Project page: AssetDropper.github.io. We", "https://AssetDropper.github.io", "AssetDropper.github.io"),
    ("Models are available at royyang0714.github.io/3D-MOOD.", "https://royyang0714.github.io/3D-MOOD",
     "royyang0714.github.io/3D-MOOD"),
    ("videos at [kwanyun.github.io/page](kwanyun.github.io/page).", "https://kwanyun.github.io/page", "kwanyun.github.io/page"),
    ("weights: hf.co/org/model).", "https://hf.co/org/model", "hf.co/org/model"),
    ("Code is at github.com/a/b.", "https://github.com/a/b", "github.com/a/b"),
    ("data (huggingface.co/datasets/o/d), a", "https://huggingface.co/datasets/o/d", "huggingface.co/datasets/o/d"),
])
def test_urls_without_a_scheme_in_running_text(text, url, span):
    found = find_urls(text)
    assert [u.url for u in found] == [url]
    assert text[found[0].start:found[0].end] == span  # the mention ends where the URL does, not at the full stop


@pytest.mark.parametrize("text", ["user@x.github.io", "a.b.github.iox", "see github.io docs"])
def test_not_project_pages(text):
    assert find_urls(text) == []


def test_a_project_page_host_is_no_name_and_the_sentence_is_whole(ex):
    abstract = ("We propose FooNet for stereo matching. Project page: AssetDropper.github.io. "
                "FooNet beats RAFT-Stereo on KITTI.")
    e = ex.extract(Paper("k", "FooNet: stereo matching", abstract))
    assert "AssetDropper" not in _names(e.methods) | _names(e.datasets)
    (u,) = e.code_urls
    m = u.mentions[0]
    assert u.url == "https://AssetDropper.github.io" and abstract[m.start:m.end] == "AssetDropper.github.io"
    assert m.sentence == "Project page: AssetDropper.github.io."
    assert "FooNet" in _names(e.methods)


def test_a_title_in_capitals_names_nothing_by_its_shape(ex):
    title = "DEEP NEURAL NETWORKS AND A NEW APPROACH FOR ROBUST SPEECH RECOGNITION"
    abstract = "We present a deep network for speech recognition. We evaluate it on LibriSpeech against a Conformer."
    e = ex.extract(Paper("k", title, abstract))
    assert not _names(e.methods) & {"DEEP", "NEURAL", "NETWORKS", "AND", "NEW", "APPROACH", "ROBUST", "SPEECH"}
    assert not any(m.field == "title" for x in e.methods for m in x.mentions)
    assert "LibriSpeech" in _names(e.datasets)


def test_a_title_in_capitals_keeps_the_name_the_abstract_uses(ex):
    e = ex.extract(Paper("k", "SEAL: SEMANTIC AWARE IMAGE WATERMARKING",
                         "We propose SEAL, a watermarking method. Experiments on COCO show that SEAL is robust."))
    methods = {x.name: x.role for x in e.methods}
    assert methods.get("SEAL") == "proposed" and not {"SEMANTIC", "AWARE", "IMAGE"} & set(methods)


def test_a_name_glued_to_its_head_noun_by_a_dash(ex):
    e = ex.extract(Paper("k", "Bias in language models",
                         "We evaluate four models on two datasets-BBQ (social bias) and StereoSet, and on three "
                         "benchmarks-MMLU, GSM8K and ARC."))
    ds = _names(e.datasets)
    assert {"BBQ", "MMLU"} <= ds and not any("-" in n and n.split("-")[0].islower() for n in ds)


def test_a_caret_inside_a_name_keeps_it_whole(ex):
    e = ex.extract(Paper("k", "Preference optimisation", "We propose D^3PO, a preference optimisation method."))
    assert "D^3PO" in _names(e.methods) and "3PO" not in _names(e.methods)
