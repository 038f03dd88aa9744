"""Reader for JSON Lines: one paper object per line, read line by line."""

from __future__ import annotations

import json
from collections.abc import Iterator

from kg.model import Paper, Reject
from kg.sources.inputs import Input, as_input
from kg.sources._common import bad_text, check_file, decode_json, json_type, open_text, snippet, paper_records
from kg.sources.records_path import parse_records_path, records_at

__all__ = ["read_jsonl"]

_DECODER = json.JSONDecoder(strict=False)


def read_jsonl(path: Input, records: str | None = None) -> Iterator[Paper | Reject]:
    """Papers from a JSON Lines file; a line that is not a JSON object is a Reject, the rest are read.

    With ``records`` (``data.papers[]``) each line's paper objects are found at that path.
    """
    path = as_input(path)
    segs = parse_records_path(records) if records is not None else None
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
                record, end = decode_json(_DECODER, line)
                if line[end:].strip():
                    raise json.JSONDecodeError("Extra data", line, end)
            except json.JSONDecodeError as e:
                yield Reject(source, n, f"invalid JSON at column {e.colno}: {e.msg}", snippet(line))
                continue
            except ValueError as e:  # too deep, or a number over Python's digit limit
                yield Reject(source, n, f"invalid JSON: {e}", snippet(line))
                continue
            if segs is not None:
                try:
                    found = list(records_at(record, segs))
                except KeyError as e:
                    yield Reject(source, n, f"--records {records}: no {e.args[0]!r} here", snippet(line))
                    continue
            else:
                found = [record]
            for rec in found:
                if not isinstance(rec, dict):
                    yield Reject(source, n, f"expected a JSON object, found {json_type(rec)}", snippet(line))
                else:
                    yield from paper_records(rec, source, n)
