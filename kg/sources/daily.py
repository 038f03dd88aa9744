"""Reader for the daily-papers text listing: title paragraph, blank line, abstract paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.model import Paper, Reject
from kg.sources._common import check_file, open_text, snippet, to_paper

__all__ = ["read_daily", "is_noise"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?,?\s+)?"
_DATE = (
    rf"{_WEEKDAY}(?:{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?|{_DAY}\s+{_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    r"|today|yesterday|this week|this month)"
)
# Page furniture around the papers on a daily-papers page, matched against a whole line.
_NOISE = re.compile(
    "|".join(
        [
            _DATE,
            rf"(?:published|submitted|posted|updated|uploaded)(?:\s+on)?:?\s+{_DATE}",
            r"(?:submitted|posted|uploaded|curated|shared)\s+by\s*\S.{0,60}",
            r"(?:curated\s+)?by\s*\S.{0,80}\bcommunity\b.{0,20}",
            r"get\b.{0,60}\binbox\b.{0,20}",
            r"(?:un)?subscribe|new|sign\s?(?:in|up)|log\s?(?:in|out)|search(?:\.\.\.)?|submit(?:\s+a\s+paper)?",
            r"(?:load|show|see|read|view)\s+(?:more|all|less)|more|previous|next|prev|back\s+to\s+top",
            r"(?:daily|trending|top)\s+papers|papers|hugging\s?face|paper\s+page|home|menu|share|copy\s+link",
            r"upvotes?|upvoted|comments?|collections?|abstract|view\s+(?:pdf|paper|abstract)|pdf|code",
            r"[+\-]?\d[\d,.]*\s*[km]?(?:\s+(?:upvotes?|votes?|comments?|likes?|stars?|authors?|views?))?",
            r"[·•|\-–—=*#_]+(?:\s*\d+\s+authors?)?",
        ]
    ),
    re.IGNORECASE,
)
_META = re.compile(r"(?:https?://\S+|arxiv:\s*\S+|\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
_TITLE, _SENTENCE, _ABSTRACT = "title", "sentence", "abstract"


def is_noise(line: str) -> bool:
    """Whether a whole line is page furniture (``new``, ``Subscribe``, a date, a vote count ...)."""
    s = line.strip()
    return not s or _NOISE.fullmatch(s) is not None


def _paragraphs(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line separated paragraph, noise trimmed off its ends."""
    block: list[str] = []
    start = 0
    with open_text(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if line.strip():
                if not block:
                    start = n
                block.append(line)
                continue
            if block:
                yield from _trim(start, block)
                block = []
        if block:
            yield from _trim(start, block)


def _trim(start: int, block: list[str]) -> Iterator[tuple[int, list[str]]]:
    lo, hi = 0, len(block)
    while lo < hi and is_noise(block[lo]):
        lo += 1
    while hi > lo and is_noise(block[hi - 1]):
        hi -= 1
    if lo < hi:
        yield start + lo, block[lo:hi]


def _kind(text: str) -> str:
    """Whether a paragraph reads like a title, a full abstract, or one short sentence."""
    words = len(text.split())
    if len(text) >= 300 or words >= 40 or (text.endswith(".") and words >= 12):
        return _ABSTRACT
    return _SENTENCE if text.endswith(".") else _TITLE


def read_daily(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a daily-papers listing; a title with no abstract (or the reverse) is a Reject."""
    path = Path(path)
    if check_file(path):
        return
    source = str(path)
    paras = _paragraphs(path)
    pending: tuple[int, str] | None = None  # (line, title) waiting for its abstract
    meta: dict[str, str] = {}
    current = next(paras, None)
    while current is not None:
        nxt = next(paras, None)
        line, lines = current
        text = "\n".join(lines).strip()
        current = nxt
        if len(lines) == 1 and _META.fullmatch(text):
            if pending is not None:
                meta["url" if text.lower().startswith("http") else "id"] = text
            continue
        kind = _kind(text)
        if pending is None:
            nxt_kind = _kind("\n".join(nxt[1]).strip()) if nxt is not None else None
            if kind == _TITLE or (kind == _SENTENCE and nxt_kind not in (None, _TITLE)):
                pending, meta = (line, text), {}
            else:
                yield Reject(source, line, "abstract with no title before it", snippet(text))
        elif kind == _TITLE:
            yield Reject(source, pending[0], "title with no abstract", snippet(pending[1]))
            pending, meta = (line, text), {}
        else:
            yield to_paper({"title": pending[1], "abstract": text, **meta}, source, pending[0])
            pending = None
    if pending is not None:
        yield Reject(source, pending[0], "title with no abstract", snippet(pending[1]))
