"""Fewer, larger neo4j-admin CSV files: each type's per-bucket files of ``kg assemble`` joined in order."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

from kg.distributed.shards import atomic_file

__all__ = ["MIN_FILE_BYTES", "plan_joins", "join_files", "header_row"]

# neo4j-admin reads a file group as one stream and parses each file in parallel chunks, but it
# opens, samples and closes every file twice (its size estimate, then the import): a few tens of
# milliseconds each, which 64 buckets x 9 types of small files turn into most of a 1M-relationship
# import. Files are joined until each holds at least this much (bucket files already larger stay).
MIN_FILE_BYTES = 512 * 2**20


def plan_joins(buckets: Path, out: Path, min_bytes: int = MIN_FILE_BYTES) -> list[tuple[str, list[str]]]:
    """(target, sources) for every output file: each label's and type's bucket files
    (``NAME-BBBBB.csv`` in ``buckets``) in bucket order, cut into runs of at least ``min_bytes``
    (the last run of a type may be smaller), as ``out/NAME-IIIII.csv``; and its multiline pieces
    (``NAME-ml-BBBBB-KKKKK.csv``) joined in order while a run stays within MULTILINE_MAX_BYTES,
    as ``out/NAME-ml-IIIII.csv``."""
    from kg.sinks.neo4j_admin import MULTILINE_MAX_BYTES

    plain: dict[str, list[Path]] = {}
    multiline: dict[str, list[Path]] = {}
    for f in sorted(buckets.glob("*.csv")):
        m = _PIECE.match(f.name)
        if m:
            multiline.setdefault(m.group(1), []).append(f)
        elif _BUCKET.match(f.name):
            plain.setdefault(_BUCKET.match(f.name).group(1), []).append(f)  # type: ignore[union-attr]
    plan: list[tuple[str, list[str]]] = []
    for name, files in plain.items():
        plan += [(str(out / f"{name}-{i:05d}.csv"), run) for i, run in enumerate(_runs(files, lambda n: n >= min_bytes))]
    for name, files in multiline.items():
        room = MULTILINE_MAX_BYTES - len(header_row(name))  # each output starts with the header row
        plan += [(str(out / f"{name}-ml-{i:05d}.csv"), run)
                 for i, run in enumerate(_runs(files, lambda n: n > room, before=True))]
    return plan


def header_row(name: str) -> str:
    """The header row of ``nodes-LABEL`` or ``relationships-TYPE``."""
    from kg.sinks.neo4j_admin import NODE_HEADERS, REL_HEADERS, header_line

    kind, _, what = name.partition("-")
    return header_line([h for h, _ in NODE_HEADERS[what]] if kind == "nodes" else REL_HEADERS[what])


_BUCKET = re.compile(r"^(.+)-(\d+)\.csv$")
_PIECE = re.compile(r"^(.+)-ml-(\d+)-(\d+)\.csv$")
_ML_OUT = re.compile(r"^(.+)-ml-(\d+)\.csv$")


def _runs(files: list[Path], cut: Any, *, before: bool = False) -> list[list[str]]:
    """Consecutive runs of ``files``: a new run starts once ``cut(bytes of the run)`` holds, after
    the file that made it hold, or (``before``) when adding the next file would make it hold."""
    runs: list[list[str]] = [[]]
    size = 0
    for f in files:
        n = f.stat().st_size
        if runs[-1] and (cut(size + n) if before else cut(size)):
            runs.append([])
            size = 0
        runs[-1].append(str(f))
        size += n
    return [r for r in runs if r]


def join_files(item: tuple[str, list[str]]) -> int:
    """One output file of :func:`plan_joins` (a task: running it again after it completed, or
    after a worker died in it, gives the same file); returns its bytes."""
    target, sources = item
    t = Path(target)
    if t.exists():  # an earlier try got this far (the file appears only once complete)
        for s in sources:
            Path(s).unlink(missing_ok=True)
        return t.stat().st_size
    m = _ML_OUT.match(t.name)
    if len(sources) == 1 and not m:
        os.replace(sources[0], target)
    else:
        with atomic_file(t, "wb") as out:
            if m:  # a multiline piece is an input group of its own: it carries the header row
                out.write(header_row(m.group(1)).encode("utf-8"))
            for s in sources:
                with open(s, "rb") as f:
                    shutil.copyfileobj(f, out, 16 * 2**20)
        for s in sources:
            os.unlink(s)
    return t.stat().st_size
