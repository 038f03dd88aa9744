"""Inputs split into partitions (byte ranges of JSON Lines files, whole files otherwise), read on workers."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import SourceError
from kg.model import Paper, Reject

__all__ = ["Partition", "plan_partitions", "read_partition", "DEFAULT_PARTITION_BYTES"]

DEFAULT_PARTITION_BYTES = 4 * 2**20  # about 3,000 abstracts of JSON Lines
_SPLITTABLE = "jsonl"  # one record per line: a range of lines is a valid file of the same format


@dataclass(frozen=True)
class Partition:
    """One unit of work: bytes ``[start, end)`` of ``path`` (``end == -1``: the whole file).

    ``name`` is the input as the user gave it (``str(Path(arg))``), which becomes every Paper's
    and Reject's ``source``, as single-machine ``kg extract`` reports it; ``path`` is absolute, for
    workers whose working directory differs. A line belongs to the range holding its first byte.
    """

    index: int
    name: str
    path: str
    start: int = 0
    end: int = -1
    input_format: str | None = None  # forced (--input-format) or detected
    size: int = 0  # of the input file when planned: a changed input makes the shard stale
    mtime_ns: int = 0

    def spec(self) -> dict[str, object]:
        """What a finished shard records, to tell on a re-run whether it is still this partition's."""
        return dataclasses.asdict(self)


def plan_partitions(paths: Sequence[Path], input_format: str | None = None,
                    partition_bytes: int = DEFAULT_PARTITION_BYTES) -> tuple[list[Partition], list[str]]:
    """Partitions of ``paths`` in input order, and the one-line message of each unreadable file.

    JSON Lines files are cut into byte ranges of about ``partition_bytes`` without reading them
    (the workers find the line boundaries); other formats are one partition per file.
    """
    from kg.sources import detect_format, read

    parts: list[Partition] = []
    unreadable: list[str] = []
    for arg in paths:
        p = Path(arg)
        try:
            read(p, input_format)  # the same checks as kg extract: missing, binary, unknown format
            st = p.stat()
            fmt = input_format
            if fmt is None:
                try:
                    fmt = detect_format(p)
                except SourceError:  # blank file: read() found no records and asked no format
                    fmt = None
        except SourceError as e:
            unreadable.append(" ".join(str(e).split()))
            continue
        except OSError as e:
            unreadable.append(f"{p}: cannot read the file: {e.strerror or e}")
            continue
        common = dict(name=str(p), path=str(p.resolve()), input_format=fmt, size=st.st_size,
                      mtime_ns=st.st_mtime_ns)
        if fmt != _SPLITTABLE or st.st_size <= partition_bytes:
            parts.append(Partition(len(parts), **common))
            continue
        for start in range(0, st.st_size, max(1, partition_bytes)):
            parts.append(Partition(len(parts), start=start, end=min(st.st_size, start + partition_bytes), **common))
    return parts, unreadable


def _range_lines(part: Partition) -> tuple[bytes, int, int]:
    """(bytes of the lines that start in ``part``'s range, how many lines, offset of the first)."""
    with open(part.path, "rb") as f:
        if part.start > 0:
            f.seek(part.start - 1)
            f.readline()  # the rest of the line holding byte start-1 belongs to the previous range
        first = pos = f.tell()
        chunks, n = [], 0
        while pos < part.end:
            line = f.readline()
            if not line:
                break
            chunks.append(line)
            n += 1
            pos += len(line)
    return b"".join(chunks), n, first


def _renamed(rec: Paper | Reject, name: str, line_offset: int = 0) -> Paper | Reject:
    return dataclasses.replace(rec, source=name, line=rec.line + line_offset)


def read_partition(part: Partition) -> tuple[list[Paper | Reject], int, bool]:
    """(papers and rejects in file order, lines in the range, whether their lines are absolute).

    Lines of a byte range are numbered from 1 within the range; the caller adds the lines of the
    ranges before it (``absolute`` False). Raises SourceError when the file cannot be read.
    """
    from kg.sources import read

    if part.end < 0:
        try:
            return [_renamed(r, part.name) for r in read(Path(part.path), part.input_format)], 0, True
        except SourceError as e:
            raise SourceError(str(e).replace(part.path, part.name)) from e
    data, n, first = _range_lines(part)
    fd, tmp = tempfile.mkstemp(suffix=".jsonl", prefix="kg-part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            return [_renamed(r, part.name) for r in read(Path(tmp), part.input_format)], n, False
        except SourceError:
            pass
    finally:
        os.unlink(tmp)
    # the reader's whole-file checks (NUL bytes in the first KB, ...) looked at a range that is not
    # the file's start: read the whole file as kg extract does and keep this range's lines
    with open(part.path, "rb") as f:
        before = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(min(2**20, first - f.tell())) if f.tell() < first else b"", b""))
    keep = range(before + 1, before + 1 + n)
    try:
        recs = [_renamed(r, part.name) for r in read(Path(part.path), part.input_format) if r.line in keep]
    except SourceError as e:
        raise SourceError(str(e).replace(part.path, part.name)) from e
    return recs, n, True
