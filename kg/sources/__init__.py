"""Source readers registered by name: each turns one file into a stream of Paper or Reject."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources._common import MAX_FIELD_CHARS, has_paper_field
from kg.sources.inputs import STDIN, Input, Stream, as_input, check_file
from kg.sources.arxiv_xml import read_arxiv_xml
from kg.sources.csv_ import header_names, read_csv
from kg.sources.daily import read_daily
from kg.sources.json_ import read_json
from kg.sources.records_path import parse_records_path
from kg.sources.jsonl import read_jsonl

__all__ = ["SOURCES", "FORMATS", "EXTENSIONS", "MAX_FIELD_CHARS", "STDIN", "Stream", "detect_format", "read"]

SOURCES: dict[str, Callable[[Input], Iterator[Paper | Reject]]] = {
    "daily": read_daily,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "arxiv-xml": read_arxiv_xml,
}
FORMATS: tuple[str, ...] = tuple(sorted(SOURCES))
# Readers that also take ``records`` (a path such as ``days[].papers`` to the paper objects).
_NESTED: dict[str, Callable[[Input, str], Iterator[Paper | Reject]]] = {"json": read_json, "jsonl": read_jsonl}

EXTENSIONS = {  # the data files a folder given as input is read for
    ".txt": "daily",
    ".text": "daily",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "arxiv-xml",
    ".atom": "arxiv-xml",
}
_SNIFF_BYTES = 64 * 1024


def _sniff(path: Input) -> str | None:
    """The format the start of the file looks like, or None."""
    if isinstance(path, Stream):
        raw = path.head(_SNIFF_BYTES)
    else:
        with path.open("rb") as f:
            raw = f.read(_SNIFF_BYTES)
    head = raw.decode("utf-8-sig", errors="replace")
    text = head.lstrip()
    if text.startswith("<"):
        return "arxiv-xml"
    if text.startswith("["):
        return "json"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if text.startswith("{"):
        try:
            first = json.loads(lines[0])
        except (ValueError, RecursionError):
            return "json"  # an object spread over several lines
        holds_list = isinstance(first, dict) and not has_paper_field(first) and any(
            isinstance(v, list) for v in first.values()
        )
        return "jsonl" if isinstance(first, dict) and not holds_list else "json"
    if lines and any(d in lines[0] for d in ",\t;|"):
        if has_paper_field(header_names(lines[0])):
            return "csv"
    if "\n\n" in text.replace("\r\n", "\n") and lines:
        return "daily"
    return None


def detect_format(path: Input) -> str:
    """The format of ``path``: by extension, then by content; SourceError when neither tells."""
    path = as_input(path)
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt:
        return fmt
    check_file(path)
    try:
        fmt = _sniff(path)
    except OSError as e:
        raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
    if fmt is None:
        what = "the content" if isinstance(path, Stream) else f"the extension {path.suffix or '(none)'!r} or the content"
        raise SourceError(
            f"{path}: cannot tell the input format from {what}; "
            f"choose one with --input-format ({', '.join(FORMATS)})"
        )
    return fmt


def read(path: Path | str | Stream, input_format: str | None = None, *,
         records: str | None = None) -> Iterator[Paper | Reject]:
    """Papers and Rejects from one file, in file order; SourceError when the file cannot be read.

    The file is checked (exists, is text) before this returns, so those errors are not deferred
    to the first ``next()``. An empty file yields nothing. ``records`` (JSON and JSON Lines only)
    is where the paper objects sit, such as ``days[].papers``. ``-`` is standard input; it and
    named pipes are read once, as streams.
    """
    path = as_input(path)
    if input_format is not None and input_format not in SOURCES:
        raise SourceError(f"unknown input format {input_format!r}; choose one of: {', '.join(FORMATS)}")
    if records is not None:
        parse_records_path(records)  # a bad path is an error before any file is read
    if check_file(path) and input_format is None:
        return iter(())  # blank: no records, whatever its extension
    fmt = input_format or detect_format(path)
    if records is None:
        return SOURCES[fmt](path)
    if fmt not in _NESTED:
        raise SourceError(f"{path}: --records applies to JSON and JSON Lines input, not {fmt}")
    return _NESTED[fmt](path, records)
