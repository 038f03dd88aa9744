"""Shard files: atomic writes, the marker that says a shard is complete, JSONL and Parquet I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kg.errors import KGError, SinkError
from kg.files import atomic_write

__all__ = ["FORMATS", "atomic_file", "write_json", "read_json", "write_records", "read_records",
           "shard_name", "marker_path", "complete_marker"]

FORMATS = ("jsonl", "parquet")


@contextmanager
def atomic_file(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Stream into a temporary file beside ``path``; fsync and rename it over ``path`` only when the
    body ends without an exception, so a reader (or a re-run) never sees half a shard
    (:func:`kg.files.atomic_write`, the one helper every file kg writes goes through)."""
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        with atomic_write(Path(path), mode, **text) as f:
            yield f
    except OSError as e:
        raise SinkError(f"cannot write {path}: {e.strerror or e}") from e


def write_json(path: Path, doc: Any) -> None:
    with atomic_file(path) as f:
        f.write(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def read_json(path: Path) -> Any:
    """The JSON document at ``path``, or None when it is missing or unreadable (an incomplete shard)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def shard_name(index: int, fmt: str) -> str:
    return f"part-{index:05d}.{fmt}"


def marker_path(shard: Path) -> Path:
    """``part-00001.jsonl`` -> ``part-00001.done.json``: written last, so it exists only for a
    complete shard."""
    return shard.with_name(shard.name.split(".")[0] + ".done.json")


def complete_marker(shard: Path, spec: dict[str, object]) -> dict[str, Any] | None:
    """The marker of ``shard`` when the shard is complete and was made from ``spec``; else None."""
    marker = read_json(marker_path(shard))
    if not isinstance(marker, dict) or marker.get("partition") != spec:
        return None
    try:
        if shard.stat().st_size != marker.get("bytes"):
            return None
    except OSError:
        return None
    return marker


def write_records(path: Path, records: Iterable[dict], fmt: str = "jsonl") -> int:
    """Write dicts as JSON Lines (``kg extract``'s serialisation) or Parquet, atomically; returns bytes."""
    if fmt == "jsonl":
        with atomic_file(path) as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False))
                f.write("\n")
    elif fmt == "parquet":
        pa, pq = _arrow()
        table = pa.Table.from_pylist(list(records))
        with atomic_file(path, "wb") as f:
            pq.write_table(table, f)
    else:
        raise KGError(f"unknown shard format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return path.stat().st_size


def read_records(path: Path) -> Iterator[dict]:
    """The dicts of a shard written by :func:`write_records` (format from the extension)."""
    if path.suffix == ".parquet":
        _, pq = _arrow()
        for rec in pq.read_table(path).to_pylist():
            yield rec
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def _arrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise KGError("Parquet shards need pyarrow: pip install 'kg[dask]'") from e
    return pa, pq
