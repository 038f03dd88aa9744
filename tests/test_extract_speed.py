"""Speed-motivated changes keep output identical: tokenizer set-up, URL pre-check, worker transport."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import spacy
from hypothesis import given, settings, strategies as st

from kg.extract import Extractor, extraction_to_json
from kg.extract import urls
from kg.extract.urls import _FIND, find_urls
from kg.model import Paper
from tests.helpers import SEED, need

DATA = Path(__file__).parent / "data" / "extract"

# Abstract-like sentences with URLs, LaTeX, hyphenated and CamelCase names, acronyms.
_TEXTS = [
    "We propose FedLoGe, a federated method, and evaluate it on CIFAR-10/100-LT and ImageNet-R.",
    "Code: https://github.com/owner/repo. We fine-tune BERT-base (Devlin et al.) with LoRA.",
    "Results on ogbn-products and A3T-GCN's traffic data; see \\url{https://x.github.io/p}.",
    "Our MiMo-VL-7B beats GPT-4o on MMMU, e.g. by 3.2% (vs. 2.1%) -- it's state-of-the-art.",
]


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor([DATA / "kb_tiny.yaml", DATA / "kb_tiny.jsonl"], use_builtin_kb=False)


def test_tokenizer_splits_like_a_blank_one(ex):
    """A bigger split cache and fewer lexeme attributes must not change a single token."""
    blank = spacy.blank("en").tokenizer
    for text in _TEXTS:
        ours = [(t.text, t.idx, t.lower_, t.is_alpha, t.is_lower) for t in ex.nlp.tokenizer(text)]
        ref = [(t.text, t.idx, t.lower_, t.is_alpha, t.is_lower) for t in blank(text)]
        assert ours == ref


def test_split_cache_is_large_and_kept_for_abstracts(ex):
    # spaCy's default (10,000) is smaller than the distinct words of a few thousand abstracts
    assert ex.nlp.tokenizer.max_cache_size >= 100_000


def test_kb_patterns_match_after_many_texts(ex):
    """Matches do not depend on what the tokenizer cached before (patterns were built on a twin)."""
    paper = Paper(key="k", title="A study", abstract="We evaluate on CIFAR-10 and ImageNet with ResNet-50.")
    first = extraction_to_json(ex.extract(paper))
    list(ex.extract_all([Paper(key=f"k{i}", title=t, abstract=t) for i, t in enumerate(_TEXTS * 3)]))
    assert extraction_to_json(ex.extract(paper)) == first


_ALPHABET = st.sampled_from(["http", "s", "://", "www.", "github.com", "GitHub.COM", "/", "a", "B", " ", ".", "<a href='",
                             "'>", "</a>", "\\url{", "\\href{", "}", "{", "ı", "K", "ſ", "hf.co", "x", "-", "ftp://"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=25).map("".join))
def test_url_precheck_never_hides_a_url(text):
    """find_urls's cheap pre-check only skips texts in which the full regex finds nothing."""
    if list(_FIND.finditer(text)):
        assert urls._may_have_url(text), text
    with mock.patch.object(urls, "_may_have_url", lambda _: True):
        reference = find_urls(text)
    assert find_urls(text) == reference


@pytest.mark.parametrize("text", ["See HTTPS://Example.org/code", "at WWW.foo.io/x", "GITHUB.COM/a/b", "<A HREF='https://q.io'>q</A>"])
def test_url_precheck_is_case_insensitive(text):
    assert find_urls(text), text


def test_workers_give_the_same_extractions():
    seed = need(SEED)
    from kg.api import iter_papers

    papers = [p for _, p in zip(range(40), iter_papers([seed]))]
    ex2 = Extractor()
    one = [extraction_to_json(e) for e in ex2.extract_all(papers, batch_size=7)]
    out = list(ex2.extract_all(papers, batch_size=7, workers=2))
    assert [e.paper for e in out] == papers  # the parent's own Paper objects come back attached
    assert [extraction_to_json(e) for e in out] == one
    assert any(o["methods"] for o in one) and any(o["code_urls"] for o in one)  # the check is not vacuous
