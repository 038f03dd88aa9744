"""Reader for the daily-papers text listing: title paragraph, blank line, abstract paragraph."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TextIO

from kg.errors import SourceError
from kg.model import Notice, Paper, Reject
from kg.sources.inputs import Input, as_input
from kg.sources._common import MAX_FIELD_CHARS, check_file, open_text, snippet, paper_records

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


_LINE_CHUNK = 1 << 16  # characters read at a time: a line is never held longer than the field limit


def _lines(f: TextIO) -> Iterator[tuple[str, int]]:
    """(line without its end, its full length) of each line; a line over MAX_FIELD_CHARS is read on
    in chunks and dropped (only its first characters are kept), so it is never held whole."""
    while True:
        chunk = f.readline(_LINE_CHUNK)
        if not chunk:
            return
        parts, size = [chunk], len(chunk)
        while not chunk.endswith(("\n", "\r")):
            chunk = f.readline(_LINE_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size <= MAX_FIELD_CHARS + 2:
                parts.append(chunk)
            elif len(parts) > 1:
                del parts[1:]  # over the limit: keep the start, for the reject message
        line = "".join(parts).rstrip("\r\n")
        yield line, size


def _paragraphs(path: Input) -> Iterator[tuple[int, list[str], int]]:
    """(first line number, lines, characters) of each blank-line separated paragraph, noise trimmed
    off its ends; a paragraph over MAX_FIELD_CHARS keeps only its first line's start (chars tell)."""
    block: list[str] = []
    start = size = 0
    with open_text(path) as f:
        for n, (line, length) in enumerate(_lines(f), 1):
            if length <= MAX_FIELD_CHARS and not line.strip():
                if block:
                    yield from _trim(start, block, size)
                    block, size = [], 0
                continue
            if not block:
                start = n
            size += length
            if size > MAX_FIELD_CHARS:  # keep only the start, for the reject message
                block = [(block[0] if block else line)[:200]]
            else:
                block.append(line)
        if block:
            yield from _trim(start, block, size)


def _trim(start: int, block: list[str], size: int) -> Iterator[tuple[int, list[str], int]]:
    if size > MAX_FIELD_CHARS:
        yield start, block, size
        return
    lo, hi = 0, len(block)
    while lo < hi and is_noise(block[lo]):
        lo += 1
    while hi > lo and is_noise(block[hi - 1]):
        hi -= 1
    if lo < hi:
        yield start + lo, block[lo:hi], size


def _kind(text: str) -> str:
    """Whether a paragraph reads like a title, a full abstract, or one short sentence."""
    words = len(text.split())
    if len(text) >= 300 or words >= 40 or (text.endswith(".") and words >= 12):
        return _ABSTRACT
    return _SENTENCE if text.endswith(".") else _TITLE


_PROBE = 20  # rejects before the first paper that make a file "not a listing"
_FORMATS = "daily (title, blank line, abstract), jsonl, json, csv, arxiv-xml"


def read_daily(path: Input) -> Iterator[Paper | Reject | Notice]:
    """Papers from a daily-papers listing; a title with no abstract (or the reverse) is a Reject.

    A file that yields no paper but only rejects (20 before the first paper, or 2 or more in all)
    is not a listing: one SourceError says so instead of a reject per paragraph."""
    path = as_input(path)
    if check_file(path):
        return
    held: list[Paper | Reject | Notice] = []
    rejects = 0
    records = _records(path, str(path))
    for rec in records:
        if isinstance(rec, Paper):
            yield from held
            yield rec
            yield from records
            return
        held.append(rec)
        rejects += isinstance(rec, Reject)
        if rejects >= _PROBE:
            break
    if rejects >= 2:
        raise SourceError(
            f"{path}: does not look like a daily-papers listing: {rejects} paragraphs and no paper "
            f"(the first: {held[0]}); accepted formats: {_FORMATS}; choose one with --input-format"
            if isinstance(held[0], Reject) else
            f"{path}: does not look like a daily-papers listing; accepted formats: {_FORMATS}")
    yield from held


def _records(path: Input, source: str) -> Iterator[Paper | Reject | Notice]:
    paras = _paragraphs(path)
    pending: tuple[int, str] | None = None  # (line, title) waiting for its abstract
    meta: dict[str, str] = {}
    current = next(paras, None)
    while current is not None:
        nxt = next(paras, None)
        line, lines, size = current
        text = "\n".join(lines).strip()
        current = nxt
        if size > MAX_FIELD_CHARS:
            what = "abstract" if pending is not None else "paragraph"
            at, name = pending if pending is not None else (line, text)
            yield Reject(source, at, f"{what} is over {MAX_FIELD_CHARS:,} characters ({size:,}); "
                         "shorten it or fix the file (a missing blank line?)", snippet(name))
            pending = None
            continue
        if len(lines) == 1 and _META.fullmatch(text):
            if pending is not None:
                meta["url" if text.lower().startswith("http") else "id"] = text
            continue
        kind = _kind(text)
        if pending is None:
            nxt_kind = _kind("\n".join(nxt[1]).strip()) if nxt is not None and nxt[2] <= MAX_FIELD_CHARS else None
            if kind == _TITLE or (kind == _SENTENCE and nxt_kind not in (None, _TITLE)):
                pending, meta = (line, text), {}
            else:
                yield Reject(source, line, "abstract with no title before it", snippet(text))
        elif kind == _TITLE:
            yield Reject(source, pending[0], "title with no abstract", snippet(pending[1]))
            pending, meta = (line, text), {}
        else:
            yield from paper_records({"title": pending[1], "abstract": text, **meta}, source, pending[0])
            pending = None
    if pending is not None:
        yield Reject(source, pending[0], "title with no abstract", snippet(pending[1]))
