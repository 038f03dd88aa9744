"""Reader for JSON: a list of paper objects, or an object holding one (``papers``, ``records`` ...)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources._common import FIELD_NAMES, check_file, has_paper_field, json_type, norm_field, to_paper

__all__ = ["read_json", "LIST_KEYS"]

LIST_KEYS = ("papers", "records", "items", "entries", "data", "results")
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(strict=False)
_EXPECTED = (
    "expected a JSON list of paper objects, or an object holding one under "
    + ", ".join(f"'{k}'" for k in LIST_KEYS)
)


class _Scanner:
    """Walks the top of a JSON text, keeping where (line) each record object starts."""

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

    def fail(self, pos: int, msg: str) -> SourceError:
        line = self.line(pos)
        col = pos - self.text.rfind("\n", 0, pos)
        return SourceError(
            f"{self.source}:{line}:{col}: invalid JSON: {msg}; fix the file "
            "(in JSON Lines one bad line would not stop the rest)"
        )

    def value(self, pos: int) -> tuple[Any, int]:
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as e:
            raise self.fail(e.pos, e.msg) from e

    def expect(self, pos: int, chars: str) -> int:
        pos = self.ws(pos)
        if pos >= len(self.text) or self.text[pos] not in chars:
            raise self.fail(pos, "expected " + " or ".join(f"'{c}'" for c in chars))
        return pos

    def items(self, pos: int) -> tuple[list[tuple[int, Any]], int]:
        """Items of the list starting at ``pos`` (a '['), each with its start line."""
        out: list[tuple[int, Any]] = []
        pos = self.ws(pos + 1)
        if self.text.startswith("]", pos):
            return out, pos + 1
        while True:
            pos = self.ws(pos)
            item, end = self.value(pos)
            out.append((self.line(pos), item))
            pos = self.expect(end, ",]")
            if self.text[pos] == "]":
                return out, pos + 1
            pos += 1

    def members(self, pos: int, depth: int) -> tuple[dict[str, Any], list[tuple[int, Any]] | None, int]:
        """The object at ``pos`` (a '{') and the records of its first list-holding key, if any."""
        obj: dict[str, Any] = {}
        found: dict[str, list[tuple[int, Any]]] = {}
        pos = self.ws(pos + 1)
        if self.text.startswith("}", pos):
            return obj, None, pos + 1
        while True:
            pos = self.expect(pos, '"')
            key, pos = self.value(pos)
            pos = self.expect(pos, ":")
            pos = self.ws(pos + 1)
            name = norm_field(key)
            if name in LIST_KEYS and self.text.startswith("[", pos):
                records, pos = self.items(pos)
                found.setdefault(name, records)
                obj[key] = [r for _, r in records]
            elif name in LIST_KEYS and self.text.startswith("{", pos) and depth < 3:
                obj[key], inner, pos = self.members(pos, depth + 1)
                if inner is not None:
                    found.setdefault(name, inner)
            else:
                obj[key], pos = self.value(pos)
            pos = self.expect(pos, ",}")
            if self.text[pos] == "}":
                break
            pos += 1
        for name in LIST_KEYS:
            if name in found and any(isinstance(r, dict) for _, r in found[name]):
                return obj, found[name], pos + 1
        return obj, None, pos + 1


def _records(text: str, source: str) -> list[tuple[int, Any]]:
    """Every record of the JSON text with its start line; SourceError when it holds no list of papers."""
    s = _Scanner(text, source)
    pos = s.ws(0)
    if pos >= len(text):
        return []
    if text[pos] == "[":
        records, end = s.items(pos)
    elif text[pos] == "{":
        start = pos
        obj, records, end = s.members(pos, 0)
        if records is None:
            if not has_paper_field(obj):
                keys = ", ".join(map(str, list(obj)[:20])) or "none"
                raise SourceError(f"{source}:{s.line(start)}: {_EXPECTED}; found an object with keys: {keys}")
            records = [(s.line(start), obj)]
            # Several objects one after another (JSON Lines saved as .json): read them all.
            while (end := s.ws(end)) < len(text):
                item, nxt = s.value(end)
                records.append((s.line(end), item))
                end = nxt
    else:
        value, _ = s.value(pos)
        raise SourceError(f"{source}:{s.line(pos)}: {_EXPECTED}; found {json_type(value)}")
    end = s.ws(end)
    if end < len(text):
        raise s.fail(end, "extra data after the end of the document")
    if records and not any(isinstance(r, dict) for _, r in records):
        raise SourceError(f"{source}: {_EXPECTED}; found a list of {json_type(records[0][1])[2:]}s")
    dicts = [r for _, r in records if isinstance(r, dict)]
    if dicts and not any(has_paper_field(r) for r in dicts):
        wanted = "/".join(FIELD_NAMES["title"] + FIELD_NAMES["abstract"])
        keys = ", ".join(map(str, list(dicts[0])[:20])) or "none"
        raise SourceError(
            f"{source}: no record has a title or abstract field ({wanted}); the first record has: {keys}"
        )
    return records


def read_json(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a JSON file, parsed whole (bad UTF-8 rejects only the records holding it)."""
    path = Path(path)
    if check_file(path):
        return
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
    text = data.decode("utf-8-sig", errors="surrogateescape")
    source = str(path)
    for line, record in _records(text, source):
        if isinstance(record, dict):
            yield to_paper(record, source, line)
        else:
            yield Reject(source, line, f"expected a JSON object, found {json_type(record)}")
