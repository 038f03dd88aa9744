"""Atomic file writes: a temporary file beside the target, flushed and fsynced, renamed on success."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from kg.errors import SinkError

__all__ = ["AtomicFiles", "atomic_write", "write_error", "TMP_SUFFIX"]

TMP_SUFFIX = ".kg-tmp"  # ".NAME.<random>.kg-tmp": what a SIGKILL mid-write can leave beside NAME


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def write_error(path: Path | str, e: OSError, *, device: bool = False) -> SinkError:
    """One line saying why ``path`` cannot be written and what to do."""
    if e.errno in _FULL and device:
        return SinkError(f"cannot write {path}: the device is full")
    if e.errno in _FULL:
        return SinkError(f"cannot write {path}: the disk is full; nothing was left there (a file it "
                         "held is unchanged): free some space or write elsewhere")
    return SinkError(f"cannot write {path}: {e.strerror or e}; check that its folder exists and is writable")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class _Target:
    """One file being written: the final path, the temporary file beside it, the open stream."""

    def __init__(self, path: Path, mode: str, encoding: str | None, newline: str | None) -> None:
        self.path = path
        self.tmp: str | None = None
        self.device = False
        real = Path(os.path.realpath(path))  # through a symlink: replace the file it points at
        try:
            st = real.stat()
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise write_error(path, e) from e
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise SinkError(f"cannot write {path}: it is a directory; give a file name")
        binary = "b" in mode
        kw: dict[str, Any] = {} if binary else {"encoding": encoding or "utf-8", "newline": newline}
        try:
            if st is not None and not stat.S_ISREG(st.st_mode):
                # a device, FIFO or terminal (/dev/stdout, /dev/null, /dev/full): no file to keep,
                # and renaming over it would replace the device itself; write straight to it
                self.device = True
                self.stream: IO[Any] = open(real, mode, **kw)  # noqa: SIM115 - closed in finish()
                return
            fd, self.tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=TMP_SUFFIX)
            self.real = real
            os.chmod(self.tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
            self.stream = os.fdopen(fd, mode, **kw)
        except OSError as e:
            self.discard()
            raise write_error(path, e, device=self.device) from e

    def finish(self) -> None:
        """Flush and fsync the temporary file and close it (not yet in place)."""
        try:
            self.stream.flush()
            if self.tmp is not None:
                os.fsync(self.stream.fileno())
            self.stream.close()
        except OSError as e:
            self.discard()
            raise write_error(self.path, e, device=self.device) from e

    def commit(self) -> None:
        if self.tmp is None:
            return
        try:
            os.replace(self.tmp, self.real)
        except OSError as e:
            self.discard()
            raise write_error(self.path, e) from e
        self.tmp = None

    def discard(self) -> None:
        stream = getattr(self, "stream", None)
        if stream is not None:
            try:
                stream.close()
            except OSError:
                pass  # its buffer could not be flushed: the temporary file goes anyway
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


class AtomicFiles:
    """Files written together: each to a temporary file beside it; ``commit()`` fsyncs every one,
    then renames each into place; ``abort()`` (or any exception, Ctrl-C included, inside ``with``)
    deletes them, so the old files stay as they were. The renames come last, after every byte is
    on disk, so only a crash between two renames can leave a mix of old and new files.

    >>> with AtomicFiles() as files:                      # doctest: +SKIP
    ...     files.open(Path("a.csv"), "w").write("...")
    """

    def __init__(self) -> None:
        self._targets: list[_Target] = []

    def open(self, path: Path | str, mode: str = "w", *, encoding: str | None = None,
             newline: str | None = None) -> IO[Any]:
        """A stream on a temporary file that becomes ``path`` on ``commit()``."""
        if not any(c in mode for c in "wx"):
            raise ValueError(f"AtomicFiles opens files for writing, not mode {mode!r}")
        t = _Target(Path(path), mode.replace("x", "w"), encoding, newline)
        self._targets.append(t)
        return t.stream

    def error_for(self, stream: IO[Any], e: BaseException) -> SinkError | None:
        """A one-line error for ``e`` if it (or what it wraps) is a full disk while writing ``stream``."""
        cause: BaseException | None = e
        while cause is not None and not (isinstance(cause, OSError) and cause.errno in _FULL):
            cause = cause.__cause__
        t = next((t for t in self._targets if t.stream is stream), None)
        if cause is None or t is None:
            return None
        return write_error(t.path, cause, device=t.device)  # type: ignore[arg-type]

    def commit(self) -> None:
        try:
            for t in self._targets:
                t.finish()
            for t in self._targets:
                t.commit()
        except BaseException:
            self.abort()
            raise
        self._targets = []

    def abort(self) -> None:
        for t in self._targets:
            t.discard()
        self._targets = []

    def __enter__(self) -> "AtomicFiles":
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


@contextmanager
def atomic_write(path: Path | str, mode: str = "w", *, encoding: str | None = None,
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """Write ``path`` atomically: the stream's file replaces ``path`` only if the ``with`` body
    ends without an exception; otherwise the temporary file is deleted and ``path`` is unchanged.
    A device or FIFO (``/dev/stdout``, ``/dev/full``) is written directly. OSErrors become a
    one-line ``SinkError``."""
    with AtomicFiles() as files:
        stream = files.open(path, mode, encoding=encoding, newline=newline)
        try:
            yield stream
        except Exception as e:
            full = files.error_for(stream, e)  # the body's write failed for want of space: one line
            if full is not None:
                raise full from e
            raise
