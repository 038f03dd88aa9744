"""Reader for JSON Lines: one paper object per line, read line by line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from kg.model import Paper, Reject
from kg.sources._common import bad_text, check_file, json_type, open_text, snippet, to_paper

__all__ = ["read_jsonl"]

_DECODER = json.JSONDecoder(strict=False)


def read_jsonl(path: Path) -> Iterator[Paper | Reject]:
    """Papers from a JSON Lines file; a line that is not a JSON object is a Reject, the rest are read."""
    path = Path(path)
    if check_file(path):
        return
    source = str(path)
    with open_text(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            why = bad_text(line)
            if why and why.startswith("invalid UTF-8"):
                yield Reject(source, n, why, snippet(line))
                continue
            try:
                record = _DECODER.decode(line)
            except json.JSONDecodeError as e:
                yield Reject(source, n, f"invalid JSON at column {e.colno}: {e.msg}", snippet(line))
                continue
            if not isinstance(record, dict):
                yield Reject(source, n, f"expected a JSON object, found {json_type(record)}", snippet(line))
                continue
            yield to_paper(record, source, n)
