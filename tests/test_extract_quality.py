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


def test_suggesters_for_dataset_shapes_no_rule_finds():
    from kg.extract.patterns import D, Cand
    from kg.extract.suggest import suggest
    text = ("We evaluate on ImageNet, Places and Oxford Flowers, on the Natural Scenes Dataset, on Tool-Reflection-Bench, "
            "tau^2-Bench and VSI-B ENCH. A New Benchmark and G, H and ImageNet are not names.")
    i = text.index("ImageNet")
    j = text.rindex("ImageNet")
    found = {c.surface: c for c in suggest(text, [Cand(i, i + 8, "ImageNet", D, "kb", 3), Cand(j, j + 8, "ImageNet", D, "kb", 3)])}
    assert {"Places", "Oxford Flowers", "Natural Scenes Dataset", "Tool-Reflection-Bench", "tau^2-Bench", "VSI-B ENCH"} <= set(found)
    assert not {"A New Benchmark", "New Benchmark", "G", "H"} & set(found)
    assert all(not c.live and c.kind == D for c in found.values())  # suggestions: the scorer decides


def test_a_variant_with_a_plus_is_not_its_base(ex):
    e = ex.extract(Paper("k", "Code models", "We evaluate on HumanEval+ and MBPP+ with 3K+ problems."))
    ds = _names(e.datasets) | _names(e.methods)
    assert "3K+" not in ds and "HumanEval" not in ds


@pytest.mark.parametrize("text,url", [
    ("Project page: https://x.github.io/Space-Time-Pilot/ Code: https://github.com/a/b", "https://x.github.io/Space-Time-Pilot/"),
    ("at https://anonymous.4open.science/r/CLS-DM-50D6/ to facilitate research", "https://anonymous.4open.science/r/CLS-DM-50D6/"),
])
def test_the_words_after_a_url_are_not_its_path(text, url):
    assert find_urls(text)[0].url == url


def test_features_of_long_forms_subtitles_and_names():
    from kg.extract.features import _head_class, _name_features
    assert _head_class("Named Entity Recognition") == "task" and _head_class("Residual Network") == "method"
    assert _head_class("Natural Scenes Dataset") == "dataset" and _head_class("Foo Bar") == "other"
    assert "dataset_part" in _name_features("WebGym") and "dataset_part" in _name_features("CP-Env")
    assert "count_suffix=k" in _name_features("UltraSeg-108K") and "dataset_part" not in _name_features("ResNet")


@pytest.mark.parametrize("title,kind", [
    ("EpiQAL: Benchmarking Large Language Models in Epidemiological Question Answering", "Dataset"),
    ("WebGym: Scaling Training Environments for Visual Web Agents", "Dataset"),
    ("TextQuests: How Good are LLMs at Text-Based Video Games?", "Dataset"),
    ("SwordRiding: A Unified Navigation Framework for Quadrotors in Unknown Complex Environments", "Method"),
])
def test_a_subtitle_says_what_the_title_name_is(title, kind):
    from kg.extract.patterns import TITLE_BENCH, TITLE_D, TITLE_PREFIX, ING
    m = TITLE_PREFIX.match(title)
    rest = title[m.end(1):]
    is_d = bool(TITLE_D.search(rest) and not ING.match(rest) or TITLE_BENCH.match(title, m.end(1)))
    assert ("Dataset" if is_d else "Method") == kind
