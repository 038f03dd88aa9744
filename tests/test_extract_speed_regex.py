"""The rewritten name-rule regexes (word-start test after the first letter) match exactly as the originals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.patterns import PASSIVE, TC_DATASET
from kg.extract.rules import load_cues

__all__: list[str] = []

_PROPOSE = load_cues()["propose"]
# the original patterns, as they read before the rewrite
_OLD_PASSIVE = re.compile(PASSIVE.pattern.replace(r"(?:i(?<!\w.)s|a(?<!\w.)re)", r"\b(?:is|are)", 1))
_OLD_TC_DATASET = re.compile(r"(?<![\w-])((?:[A-Z][\w\-]*\s+){0,4}[A-Z][\w\-]*)\s+(?:[Dd]ataset|[Bb]enchmark|[Cc]orpus|[Dd]atabase)s?\b")
_NEW_LEAD = r"(?:w(?<!\w.)(?:e|ork)|W(?<!\w.)e|p(?<!\w.)aper|s(?<!\w.)tudy|a(?<!\w.)uthors)"
_OLD_PROPOSE = re.compile(_PROPOSE.pattern.replace(_NEW_LEAD, r"\b(?:we|We|paper|work|study|authors)", 1))

_PIECES = ["we", "We", "work", "paper", "study", "authors", "propose", "present", "newly", "also", "is", "are",
           "proposed", "designed", "Dataset", "datasets", "Corpus", "Benchmark", "ABC", "Ab", "x", "é", "_", "-",
           " ", "  ", "\n", ",", "s", "a"]
_PAIRS = [(_PROPOSE, _OLD_PROPOSE), (PASSIVE, _OLD_PASSIVE), (TC_DATASET, _OLD_TC_DATASET)]


def _all(rx: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple]]:
    return [(m.span(), m.groups()) for m in rx.finditer(text)]


def test_the_rewrite_changed_each_pattern() -> None:
    for new, old in _PAIRS:
        assert new.pattern != old.pattern


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16).map("".join))
def test_same_matches_as_the_originals(text: str) -> None:
    for new, old in _PAIRS:
        assert _all(new, text) == _all(old, text)


@pytest.mark.parametrize("text", [
    "In this work we propose FooNet. Our paper presents it; the authors introduce a model.",
    "answer: we propose X", "Awe propose Y", "A new method is proposed, and X-Y are newly designed.",
    "We use the Toulouse Road Network dataset and KITTI, nuScenes and Waymo Datasets.",
    "the X-ray Foo Bar Baz Qux Quux benchmark", "pre-Foo dataset",
])
def test_examples(text: str) -> None:
    for new, old in _PAIRS:
        assert _all(new, text) == _all(old, text)
    assert _all(_PROPOSE, "Awe propose Y") == [] and _all(_PROPOSE, "we propose Y") != []
