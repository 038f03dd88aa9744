"""Reader for CSV with a header row: quoted multi-line fields, read record by record."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator

from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources.inputs import Input, as_input
from kg.sources._common import FIELD_NAMES, check_file, norm_field, open_text, snippet, paper_records

__all__ = ["read_csv", "header_names"]

_DELIMITERS = (",", "\t", ";", "|")
# Long abstracts exceed csv's default 128 KB field limit; MAX_FIELD_CHARS is checked per record
# instead, so a huge field is one clear Reject rather than a parser error that derails the rest.
_CSV_FIELD_LIMIT = 2**31 - 1


def _delimiter(header_line: str) -> str:
    """The delimiter under which the header names a title or abstract column (comma by default)."""
    wanted = set(FIELD_NAMES["title"]) | set(FIELD_NAMES["abstract"])
    for d in _DELIMITERS:
        names = next(csv.reader([header_line], delimiter=d), [])
        if any(norm_field(n) in wanted for n in names):
            return d
    return ","


def header_names(header_line: str) -> list[str]:
    """The column names of a header line, split by the delimiter ``read_csv`` would pick."""
    return next(csv.reader([header_line], delimiter=_delimiter(header_line)), [])


def read_csv(path: Input) -> Iterator[Paper | Reject]:
    """Papers from a CSV file with a header; a bad row is a Reject (named by its first line)."""
    path = as_input(path)
    if check_file(path):
        return
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    source = str(path)
    with open_text(path) as f:
        lines = iter(f)
        first, offset = "", -1  # offset: blank lines before the header
        for first in lines:
            offset += 1
            if first.strip():
                break
        if not first.strip():
            return
        delim = _delimiter(first)
        reader = csv.reader(itertools.chain([first], lines), delimiter=delim, strict=True)
        try:
            header = next(reader)
        except csv.Error as e:  # found by the fuzz test: a stray quote in the header row
            raise SourceError(f"{source}:{offset + 1}: bad CSV header row: {e}; check its quotes") from e
        names = [norm_field(h) for h in header]
        header_line = reader.line_num + offset
        missing = [k for k in ("title", "abstract") if not set(FIELD_NAMES[k]) & set(names)]
        if missing:
            found = ", ".join(repr(h) for h in header) or "none"
            expected = "; ".join(f"{k}: {', '.join(FIELD_NAMES[k])}" for k in missing)
            raise SourceError(
                f"{source}:{header_line}: CSV header has no {' or '.join(missing)} column; "
                f"found columns: {found}; expected ({expected}); rename the column or pass another --input-format"
            )
        done = reader.line_num + offset
        while True:
            start = done + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                done = reader.line_num + offset
                yield Reject(source, start, f"bad CSV row: {e}; check its quotes")
                continue
            done = reader.line_num + offset
            if not any(cell.strip() for cell in row):
                continue
            extra = [c for c in row[len(header):] if c.strip()]
            if extra:
                yield Reject(
                    source, start,
                    f"row has {len(row)} fields, the header has {len(header)}; quote fields that contain {delim!r}",
                    snippet(row[0]),
                )
                continue
            yield from paper_records(dict(zip(header, row)), source, start)
