"""Reader for JSON: paper objects in a list, or nested at any depth, or where ``--records`` points."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from typing import Any

from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources.inputs import Input, as_input
from kg.sources._common import (
    FIELD_NAMES,
    check_file,
    decode_json,
    has_paper_field,
    json_type,
    norm_field,
    paper_records,
)
from kg.sources.records_path import Segment, parse_records_path

__all__ = ["read_json", "LIST_KEYS"]

LIST_KEYS = ("papers", "records", "items", "entries", "data", "results")
_MAX_WALK = 12  # containers opened one by one while looking for records; deeper ones are values
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(strict=False)
_EXPECTED = (
    "expected a JSON list of paper objects, or an object holding one under "
    + ", ".join(f"'{k}'" for k in LIST_KEYS)
    + " (at any depth; or say where with --records PATH, e.g. days[].papers)"
)

def _is_record(value: Any) -> bool:
    """A paper object: a title/abstract field, and not a wrapper holding a list of objects."""
    if not isinstance(value, dict) or not has_paper_field(value):
        return False
    return not any(norm_field(k) in LIST_KEYS and isinstance(v, list) and any(isinstance(x, dict) for x in v)
                   for k, v in value.items())


class _Hostile(SourceError):
    """A value nested too deeply or holding a number over Python's digit limit."""


class _Scanner:
    """Walks a JSON text, keeping where (line) each record starts; nested values parse in C."""

    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self._pos, self._line = 0, 1

    def line(self, pos: int) -> int:
        if pos < self._pos:
            return self.text.count("\n", 0, pos) + 1
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def fail(self, pos: int, msg: str, hint: str = "in JSON Lines one bad line would not stop the rest") -> SourceError:
        line = self.line(pos)
        col = pos - self.text.rfind("\n", 0, pos)
        return SourceError(f"{self.source}:{line}:{col}: invalid JSON: {msg}; fix the file ({hint})")

    def value(self, pos: int) -> tuple[Any, int]:
        try:
            return decode_json(_DECODER, self.text, pos)
        except json.JSONDecodeError as e:
            raise self.fail(e.pos, e.msg) from e
        except ValueError as e:  # too deep, or an integer over Python's digit limit
            raise _Hostile(str(self.fail(pos, str(e)))) from e

    def expect(self, pos: int, chars: str) -> int:
        pos = self.ws(pos)
        if pos >= len(self.text) or self.text[pos] not in chars:
            raise self.fail(pos, "expected " + " or ".join(f"'{c}'" for c in chars))
        return pos

    def items(self, pos: int, depth: int = _MAX_WALK) -> Iterator[tuple[int, Any, int]]:
        """(start, item, end) of each item of the list starting at ``pos`` (a '['); then the list's end.

        Below ``depth`` a hostile item is walked into, so the error names the line of its cause."""
        pos = self.ws(pos + 1)
        if self.text.startswith("]", pos):
            yield pos, None, pos + 1
            return
        while True:
            pos = self.ws(pos)
            try:
                item, end = self.value(pos)
            except _Hostile:
                if depth >= _MAX_WALK or self.text[pos] not in "[{":
                    raise
                item, _, end = self.find(pos, depth + 1)
            nxt = self.expect(end, ",]")
            last = self.text[nxt] == "]"
            yield pos, item, end
            if last:
                yield nxt, None, nxt + 1
                return
            pos = nxt + 1

    def members(self, pos: int) -> Generator[tuple[str, int], int, int]:
        """(key, start of its value) of each member of the object at ``pos``; the caller moves past
        the value and sends its end back; returns the end of the object."""
        pos = self.ws(pos + 1)
        if self.text.startswith("}", pos):
            return pos + 1
        while True:
            pos = self.expect(pos, '"')
            key, pos = self.value(pos)
            pos = self.ws(self.expect(pos, ":") + 1)
            end = yield key, pos
            pos = self.expect(end, ",}")
            if self.text[pos] == "}":
                return pos + 1
            pos += 1

    def find(self, pos: int, depth: int) -> tuple[Any, list[tuple[int, Any]] | None, int]:
        """(value, records found in it or None, end) for the value at ``pos``."""
        ch = self.text[pos] if pos < len(self.text) else ""
        if ch == "[":
            entries = [(p, v, e) for p, v, e in self.items(pos, depth)]
            end = entries.pop()[2]
            value = [v for _, v, _ in entries]
            if any(_is_record(v) for v in value):
                return value, [(self.line(p), v) for p, v, _ in entries], end
            if depth >= _MAX_WALK:
                return value, None, end
            found: list[tuple[int, Any]] | None = None
            for p, v, _ in entries:
                if isinstance(v, (dict, list)) and v:
                    _, inner, _ = self.find(p, depth + 1)
                    if inner:
                        found = (found or []) + inner
            return value, found, end
        if ch != "{" or depth >= _MAX_WALK:
            value, end = self.value(pos)
            return value, ([(self.line(pos), value)] if _is_record(value) else None), end
        obj: dict[str, Any] = {}
        by_key: dict[str, list[tuple[int, Any]]] = {}
        others: list[tuple[int, Any]] = []
        walk = self.members(pos)
        try:
            key, vpos = next(walk)
            while True:
                if self.text[vpos] in "[{":
                    obj[key], inner, end = self.find(vpos, depth + 1)
                    if inner:
                        name = norm_field(key)
                        by_key.setdefault(name, inner) if name in LIST_KEYS else others.extend(inner)
                else:
                    obj[key], end = self.value(vpos)
                key, vpos = walk.send(end)
        except StopIteration as stop:
            end = stop.value
        if _is_record(obj):
            return obj, [(self.line(pos), obj)], end
        preferred = next((by_key[k] for k in LIST_KEYS if k in by_key), None)
        return obj, preferred or others or None, end

    def at(self, pos: int, segs: tuple[Segment, ...], path: str, inside: bool) -> Iterator[tuple[int, Any]]:
        """(line, record) at the ``--records`` path ``segs`` from the value at ``pos``."""
        if not segs:
            if self.text.startswith("[", pos):
                yield from ((self.line(p), v) for p, v, _ in list(self.items(pos))[:-1])
            else:
                yield self.line(pos), self.value(pos)[0]
            return
        (key, each), rest = segs[0], segs[1:]
        if key is not None:
            vpos = self._member(pos, key)
            if vpos is None:
                here = "the object here" if self.text.startswith("{", pos) else (
                    f"{json_type(self.value(pos)[0])} (put [] after the key of a list)")
                msg = f"--records {path}: no key {key!r} in {here}"
                if not inside:
                    raise SourceError(f"{self.source}:{self.line(pos)}: {msg}; check the path")
                yield self.line(pos), Reject(self.source, self.line(pos), msg)
                return
            pos = vpos
        if not each:
            yield from self.at(pos, rest, path, inside)
            return
        if not self.text.startswith("[", pos):
            value, _ = self.value(pos)
            raise SourceError(f"{self.source}:{self.line(pos)}: --records {path}: '{key or ''}[]' "
                              f"expects a list, found {json_type(value)}; check the path")
        for p, _, _ in list(self.items(pos))[:-1]:
            yield from self.at(p, rest, path, True)

    def _member(self, pos: int, key: str) -> int | None:
        """Start of the value of ``key`` in the object at ``pos`` (exact name, else same normalised name)."""
        if not self.text.startswith("{", pos):
            return None
        walk = self.members(pos)
        loose: int | None = None
        try:
            k, vpos = next(walk)
            while True:
                if k == key:
                    return vpos
                if loose is None and norm_field(k) == norm_field(key):
                    loose = vpos
                k, vpos = walk.send(self.value(vpos)[1])
        except StopIteration:
            return loose


def _records(text: str, source: str) -> list[tuple[int, Any]]:
    """Every record of the JSON text with its start line; SourceError when it holds no list of papers."""
    s = _Scanner(text, source)
    pos = s.ws(0)
    if pos >= len(text):
        return []
    if text[pos] not in "[{":
        value, _ = s.value(pos)
        raise SourceError(f"{source}:{s.line(pos)}: {_EXPECTED}; found {json_type(value)}")
    value, records, end = s.find(pos, 0)
    if records is None and isinstance(value, dict):
        if not has_paper_field(value):
            keys = ", ".join(map(str, list(value)[:20])) or "none"
            raise SourceError(f"{source}:{s.line(pos)}: {_EXPECTED}; found an object with keys: {keys}")
        records = [(s.line(pos), value)]
    if records is not None and _is_record(value):
        # Several objects one after another (JSON Lines saved as .json): read them all.
        while (end := s.ws(end)) < len(text):
            item, nxt = s.value(end)
            records.append((s.line(end), item))
            end = nxt
    end = s.ws(end)
    if end < len(text):
        raise s.fail(end, "extra data after the end of the document")
    if records is None:
        items = value if isinstance(value, list) else []
        if items and not any(isinstance(r, dict) for r in items):
            raise SourceError(f"{source}: {_EXPECTED}; found a list of {json_type(items[0])[2:]}s")
        dicts = [r for r in items if isinstance(r, dict)]
        if dicts:
            wanted = "/".join(FIELD_NAMES["title"] + FIELD_NAMES["abstract"])
            keys = ", ".join(map(str, list(dicts[0])[:20])) or "none"
            raise SourceError(
                f"{source}: no record has a title or abstract field ({wanted}); the first record has: {keys}"
            )
        return []
    return records


def read_json(path: Input, records: str | None = None) -> Iterator[Paper | Reject]:
    """Papers from a JSON file, parsed whole (bad UTF-8 rejects only the records holding it).

    Records are found wherever they are nested (the first list of paper objects under each key,
    ``papers``/``records``/... preferred), or exactly where ``records`` (``days[].papers``) says.
    """
    path = as_input(path)
    segs = parse_records_path(records) if records is not None else None
    if check_file(path):
        return
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
    text = data.decode("utf-8-sig", errors="surrogateescape")
    source = str(path)
    if segs is None:
        found = _records(text, source)
    else:
        s = _Scanner(text, source)
        start = s.ws(0)
        found = list(s.at(start, segs, str(records), False)) if start < len(text) else []
    for line, record in found:
        if isinstance(record, Reject):
            yield record
        elif isinstance(record, dict):
            yield from paper_records(record, source, line)
        else:
            yield Reject(source, line, f"expected a JSON object, found {json_type(record)}")
