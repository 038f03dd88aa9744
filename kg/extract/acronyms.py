"""Acronym definitions, ``Long Form (ACR)`` and ``ACR (Long Form)``, by the Schwartz-Hearst method."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Definition", "MAX_DEFINITIONS", "find_definitions", "long_form"]

_PAREN = re.compile(r"\(\s*([^()]{1,80}?)\s*(?:[;,][^()]*)?\)")
_SHORT = re.compile(r"^(?=[^\s]*[A-Z])[A-Za-z0-9][\w\-.+∞&/]{0,14}$")
_SHORT2 = re.compile(r"^[A-Z][\w-]{1,12} [A-Z][A-Z0-9\-]{1,8}$")  # "Global MP"
_WORD = re.compile(r"[\w][\w\-'’+.&]*")
_LEAD_STOP = {"the", "a", "an", "of", "and", "for", "to", "in", "on", "with", "by", "our", "we", "this", "that",
              "is", "are", "called", "named", "dubbed", "termed", "propose", "proposed", "novel", "new", "its"}


@dataclass(frozen=True, slots=True)
class Definition:
    """An acronym and its long form, with their clean-text spans."""

    short: str
    short_start: int
    short_end: int
    long: str
    long_start: int
    long_end: int


def long_form(short: str, text: str) -> int | None:
    """Start index in ``text`` of the long form that ``short`` abbreviates (ending at the end of text), or None."""
    s = [ch.lower() for ch in short if ch.isalnum()]
    if len(s) < 2 or not s[0].isalpha():
        return None
    si, li = len(s) - 1, len(text) - 1
    while si >= 0:
        c = s[si]
        while li >= 0 and (text[li].lower() != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        li -= 1
        si -= 1
    start = li + 1
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    return start


_DIGIT_WORD = {"2": "t", "4": "f"}  # "Seq2Seq", "I2V": to; "C4": for


def _digit_readings(short: str) -> list[str]:
    """Other readings of an acronym's digits: a repeated letter ("A3D": AAAD), a word ("E2E": ETE), none."""
    rep = re.sub(r"([A-Za-z])([2-4])(?![0-9])", lambda m: m.group(1) * int(m.group(2)), short)
    word = re.sub(r"(?<=[A-Za-z])[24](?=[A-Za-z])", lambda m: _DIGIT_WORD[m.group(0)], short)
    return [v for v in dict.fromkeys((rep, word)) if v != short]


def _words_before(text: str, end: int, n: int) -> int:
    """Start of the last ``n`` words before ``end`` (not crossing a sentence end)."""
    seg = text[max(0, end - 200):end]
    cut = max(seg.rfind(". "), seg.rfind("; "), seg.rfind(": "), seg.rfind("? "))
    base = end - len(seg) + (cut + 2 if cut >= 0 else 0)
    words = list(_WORD.finditer(text, base, end))
    return words[-n].start() if len(words) >= n else (words[0].start() if words else end)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while True:
        m = _WORD.match(text, a)
        if m and m.end() < b and m.group(0).lower() in _LEAD_STOP:
            a = m.end()
            while a < b and not text[a].isalnum():
                a += 1
        else:
            return a, b


# A real abstract defines at most a dozen acronyms (the corpus: 12). The rules do work per
# definition over every candidate and add a candidate per later use of its long form, so the
# same definition repeated ("Big Model (BM) " 2,000 times: 35 s, ~1 GB) is reported at most 4
# times (real abstracts repeat one up to twice), one long form with at most 4 acronyms, and at
# most MAX_DEFINITIONS per field: the work stays linear in the field length.
MAX_DEFINITIONS = 64
_REPEATS = 4


def find_definitions(text: str) -> list[Definition]:
    """Every acronym definition in ``text`` (each repeated at most 4 times), at most ``MAX_DEFINITIONS``."""
    out: list[Definition] = []
    shorts: dict[str, dict[str, int]] = {}
    for d in _definitions(text):
        seen = shorts.setdefault(d.long.lower(), {})
        if seen.get(d.short, 0) >= _REPEATS or d.short not in seen and len(seen) >= _REPEATS:
            continue
        seen[d.short] = seen.get(d.short, 0) + 1
        out.append(d)
        if len(out) >= MAX_DEFINITIONS:
            break
    return out


def _definitions(text: str) -> Iterator[Definition]:
    for m in _PAREN.finditer(text):
        inner = m.group(1)
        ia, ib = m.span(1)
        if (_SHORT.match(inner) or _SHORT2.match(inner)) and sum(ch.isupper() for ch in inner) >= 2:
            # Long Form (ACR)
            end = m.start()
            while end > 0 and text[end - 1] == " ":
                end -= 1
            n = min(len([ch for ch in inner if ch.isalnum()]) + 5, 2 * len(inner) + 2)
            window_start = _words_before(text, end, n)
            rel = long_form(inner, text[window_start:end])
            if rel is None and any(ch.isdigit() for ch in inner):
                rel = next((r for v in _digit_readings(inner) if (r := long_form(v, text[window_start:end])) is not None), None)
            if rel is None:
                continue
            a, b = _trim(text, window_start + rel, end)
            long = text[a:b]
            nwords = len(long.split())
            if b <= a or nwords > len(inner) + 3 or (nwords == 1 and len(long) <= len(inner) + 2):
                continue
            yield Definition(inner, ia, ib, long, a, b)
        elif " " in inner and len(inner.split()) >= 2:
            # ACR (Long Form)
            w = re.search(r"([A-Za-z0-9][\w\-.+]{1,14})\s*$", text[max(0, m.start() - 20):m.start()])
            if not w or not _SHORT.match(w.group(1)) or sum(ch.isupper() for ch in w.group(1)) < 2:
                continue
            short = w.group(1)
            rel = long_form(short, inner)
            first = re.match(r"\w", inner)
            if rel is None or rel != 0 or not first or first.group(0).lower() != short[0].lower():
                continue
            sa = m.start() - len(text[max(0, m.start() - 20):m.start()]) + w.start(1)
            yield Definition(short, sa, sa + len(short), inner, ia, ib)
