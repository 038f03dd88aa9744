"""Speed rewrites of the name rules and assembly give the same answers as the straightforward code they replaced."""

from __future__ import annotations

import importlib
import re

from hypothesis import given, settings, strategies as st

from kg.extract import patterns

asm = importlib.import_module("kg.extract.assemble")  # the package re-exports the function of that name

_PIECES = st.sampled_from(["A", "b", "1", ".", "!", "?", " ", "  ", "\n", "-", "_", "é", "(", "\"", "Net", "net", "e.g.",
                           "x"])
_TEXT = st.lists(_PIECES, max_size=120).map("".join)


def _sentence_reference(text: str, start: int, end: int) -> str:
    """assemble._sentence before it used pre-computed sentence breaks."""
    a = max(0, start - 600)
    for m in asm._SENT.finditer(text, a, start):
        a = m.end()
    m = asm._SENT.search(text, end, end + 600)
    b = m.start() if m else min(len(text), end + 600)
    return " ".join(text[a:b].split())


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.integers(0, 130), st.integers(0, 12))
def test_sentence_matches_windowed_search(text, start, width):
    start = min(start, len(text))
    end = min(len(text), start + width)
    assert asm._sentence(text, start, end) == _sentence_reference(text, start, end)


def test_sentence_window_edges():
    # breaks just inside and just outside the 600-character windows, and one ending exactly at the name
    for pad in (590, 597, 598, 599, 600, 601, 602):
        text = "Aa. " + "x" * pad + ". Name here. " + "y" * pad + ". Bb."
        start = text.index("Name")
        for s, e in ((start, start + 4), (start - 2, start), (4, 5), (len(text) - 3, len(text) - 1)):
            assert asm._sentence(text, s, e) == _sentence_reference(text, s, e), (pad, s, e)


_NAMES = st.sampled_from(["Net", "net", "A-B", "x_1", "é", "Global MP", "-", "N", "e.g."])


@settings(max_examples=400, deadline=None)
@given(_NAMES, _TEXT)
def test_spans_match_the_per_name_regex(name, text):
    ref = [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)]
    assert list(patterns.word_spans(name, text)) == ref


@settings(max_examples=300, deadline=None)
@given(_NAMES, _TEXT, st.booleans())
def test_first_end_matches_the_per_name_regex(name, text, ignore_case):
    m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I if ignore_case else 0)
    assert patterns.first_end(name, text, ignore_case) == (m.end() if m else None)


def test_spans_of_empty_name_and_unicode_words():
    assert list(patterns.word_spans("", "a b")) == [m.span() for m in re.finditer(r"(?<![\w-])(?![\w-])", "a b")]
    # "²" and "é" are \w for re; a name next to them is not a whole word
    assert list(patterns.word_spans("Net", "²Net Net é Netx Net-")) == [(5, 8)]
    assert patterns.first_end("net", "ſnet NET", True) == 8


_WEAK_PIECES = st.sampled_from(["a", "b", "z", "1", "-", "--", ".", "+", "/", "_", "A", "é", "ß", "²", " ", ",", "∞",
                                "ab", "x-y"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_WEAK_PIECES, max_size=40).map("".join))
def test_weak_spans_match_the_weak_regex(text):
    assert patterns.weak_spans(text) == [m.span() for m in patterns.WEAK.finditer(text)]


def test_weak_spans_examples():
    text = "state-of-the-art, x-y, pre-trained/fine-tuned .co-op +a-b a_b-c ab-cd- é-ab ab-cé large-scale"
    assert patterns.weak_spans(text) == [m.span() for m in patterns.WEAK.finditer(text)]
    assert [text[a:b] for a, b in patterns.weak_spans(text)] == ["state-of-the-art", "pre-trained", "large-scale"]


_SENT_PIECES = st.sampled_from([".", "!", "?", " ", "  ", "\n", "A", "a", "1", "\"", "“", "(", "[", "e.g.", "x", "."])


@settings(max_examples=600, deadline=None)
@given(st.lists(_SENT_PIECES, max_size=40).map("".join))
def test_fast_sentence_breaks_are_the_same(text):
    ref = [m.span() for m in patterns.SENT.finditer(text)]
    assert [m.span(1) for m in patterns.SENT_FAST.finditer(text)] == ref
    assert asm._bounds(text) == ([a for a, _ in ref], [b for _, b in ref])


def test_cheap_prechecks_name_every_verb_of_their_regex():
    """context.py runs NAMED_LOWER / PASSIVE only when one of its verbs is in the text: the lists must agree."""
    from kg.extract import context

    for rx, words in ((patterns.NAMED_LOWER, context._NAME_VERBS), (patterns.PASSIVE, context._PASSIVE_VERBS)):
        assert not rx.flags & re.I
        groups = re.findall(r"\(\?:([a-z|]+)\)", rx.pattern)
        assert "|".join(words) in groups, rx.pattern


_URL_PIECES = st.sampled_from(["http", "s", "://", "www", ".", "com", "org", "ac", "uk", "/", "@", "a", "B", " ", "-",
                               "io", "x"])


@settings(max_examples=600, deadline=None)
@given(st.lists(_URL_PIECES, max_size=30).map("".join))
def test_url_precheck_never_hides_a_url_span(text):
    """rules.find searched for URLs when "/" or "@" is in the text; now only with "@", or "/" and "http", "www." or ".tld/"."""
    if ("/" in text or "@" in text) and patterns.URLISH.search(text):
        assert "@" in text or "/" in text and ("http" in text or "www." in text or patterns.URL_TLD.search(text))
