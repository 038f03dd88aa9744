"""Opening a store folder: checks with clear errors, then a file lock, then RocksDB through pyoxigraph."""

from __future__ import annotations

import os
from pathlib import Path

from pyoxigraph import Store

from kg.errors import SinkError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: RocksDB's own LOCK still guards writers
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_FILE", "open_folder", "release", "in_use", "damaged", "is_damage"]

LOCK_FILE = "kg.lock"
ORPHANS = "bulk-*.sst"  # what Oxigraph's bulk loader leaves when killed or out of disk mid-load


def is_damage(e: BaseException) -> bool:
    """Whether ``e`` is RocksDB reporting a damaged store (a truncated or bit-flipped file)."""
    return isinstance(e, (RuntimeError, OSError)) and "Corruption" in str(e)


def damaged(path: Path, e: BaseException) -> SinkError:
    detail = " ".join(str(e).split())
    detail = detail if len(detail) <= 160 else detail[:159] + "…"
    return SinkError(f"store {path} is damaged and cannot be read ({detail}); re-ingest your input "
                     f"files into a new store (kg ingest FILE... --store NEW), then delete {path}; "
                     f"`kg doctor --store {path}` checks a store")


def in_use(path: Path) -> SinkError:
    return SinkError(f"store {path} is in use by another kg process; wait for it to "
                     "finish or use another --store directory")


def open_folder(path: Path, read_only: bool) -> tuple[Store, int | None]:
    """The pyoxigraph Store in ``path`` and the descriptor holding its lock (exclusive for a
    writer, shared for readers; ``None`` where there is no flock). Release with :func:`release`."""
    if path.exists() and not path.is_dir():
        raise SinkError(f"store path {path} is a file, not a directory; pass --store a directory "
                        "(it is created if missing)")
    if read_only and not (path / "CURRENT").exists():
        raise SinkError(f"no store at {path}; run `kg ingest FILE --store {path}` first")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SinkError(f"cannot create store directory {path}: {e.strerror}; "
                        "choose a writable --store path") from e
    fd = _lock(path, read_only)
    if not read_only and fd is not None:  # the exclusive lock: no other kg process is loading
        _remove_orphans(path)
    try:
        return (Store.read_only(str(path)) if read_only else Store(str(path))), fd
    except (OSError, RuntimeError) as e:
        release(fd)
        if is_damage(e):
            raise damaged(path, e) from e
        if "lock" in str(e).lower():
            raise in_use(path) from e
        raise SinkError(f"cannot open store {path}: {e}; if it is not a kg store, pass another "
                        "--store directory") from e


def _remove_orphans(path: Path) -> int:
    """Delete the temporary SST files of a bulk load that never finished (RocksDB only ever
    ingests them under numbered names, so a ``bulk-*.sst`` is nobody's data); returns how many."""
    n = 0
    for f in path.glob(ORPHANS):
        try:
            f.unlink()
            n += 1
        except OSError:
            pass  # not ours to remove after all: RocksDB ignores it either way
    return n


def _lock(path: Path, read_only: bool) -> int | None:
    if fcntl is None:
        return None
    try:
        fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        if read_only:  # a read-only user of a store they cannot write: RocksDB decides
            return None
        raise SinkError(f"cannot write in store directory {path}: {e.strerror}; "
                        "choose a writable --store path") from e
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if read_only else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        raise in_use(path) from e
    return fd


def release(fd: int | None) -> None:
    """Close the lock descriptor (which releases the flock)."""
    if fd is not None:
        os.close(fd)
