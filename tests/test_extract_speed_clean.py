"""Speed rewrites keep their answers: clean's run cuts, the shared-task pre-check, the YAML loader."""

from __future__ import annotations

import importlib
import re

import yaml
from hypothesis import example, given, settings, strategies as st

from kg.extract import features, kb, known, rules, suggest

clean = importlib.import_module("kg.extract.clean")  # the module: kg.extract exports a function of that name

_CHARS = st.sampled_from(list("ab Z9_.,;-()[]{}$#%&*+/\\\"'") + ["\u00e9", "\u2013", "\u00d7", "\u3000", "\u2009",
                                                                   "\x1c", "\u00a0", "\u0661"])


def _regex_cuts(text: str) -> list[int]:
    """clean._cuts as it was: both regexes over the whole text."""
    cuts = {i for m in clean._PUNCT_RUN.finditer(text) for i in range(m.start() + 1, m.end())}
    for m in clean._LONG_RUN.finditer(text):
        last = m.start()
        for i in range(m.start() + 1, m.end()):
            if i in cuts or i - last >= clean._RUN_CUT:
                cuts.add(i)
                last = i
    return sorted(cuts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CHARS, st.integers(1, 300)), max_size=12))
@example([("a", 257)])
@example([("a", 256)])
@example([("a", 200), ("\u3000", 1), ("a", 200)])  # an ideographic space is a space to re, not to rfind(" ")
@example([(".", 7), ("a", 1), (".", 8)])
@example([("\u2013", 8)])
def test_cuts_equal_the_regex_scan(pieces: list[tuple[str, int]]) -> None:
    text = "".join(ch * n for ch, n in pieces)
    assert clean._cuts(text) == _regex_cuts(text)


def test_punct_bytes_are_the_regex_class() -> None:
    cls = re.compile(r"[^\w\s]")
    assert [bool(b) for b in clean._PUNCT_BYTES[:128]] == [bool(cls.match(chr(c))) for c in range(128)]


def test_task_precheck_names_every_series_of_the_regex() -> None:
    body = re.search(r"\(\?:(SemEval[^)]*)\)", suggest._TASK.pattern).group(1)
    for alt in body.split("|"):
        assert any(alt.startswith(w) for w in suggest._TASK_SERIES), alt
    text = "Results on SemEval-2025 Task 4 and WMT 2024."
    assert [c.surface for c in suggest.suggest(text, [])] == ["SemEval-2025 Task 4", "WMT 2024"]


def test_libyaml_loader_reads_the_same_data() -> None:
    for path in (known.SENSES_FILE, known.SOURCES_FILE, known.CONCEPTS_FILE, rules.CUES_FILE):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=kb.YAML_LOADER) == yaml.safe_load(text), path


_WB_CHARS = st.sampled_from(list("aZq9_- .,()'\n\t") + ["\u00e9", "\u0661", "\u2013", "\u00b2"])


@settings(max_examples=500, deadline=None)
@given(st.text(_WB_CHARS, max_size=40), st.integers(0, 40), st.integers(0, 40))
@example("the best-- ", 0, 11)
@example("foo----- ", 0, 9)
@example("\u00e9\u00e9ab-c.", 0, 7)
@example("word\n", 0, 5)
def test_word_before_equals_the_regex(text: str, lo: int, hi: int) -> None:
    lo, hi = min(lo, len(text)), min(hi, len(text))
    m = features._WORD_BEFORE.search(text, lo, hi)
    assert features._word_before(text, lo, hi) == (m.group(1) if m else None)
