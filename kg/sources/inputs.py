"""Where a reader's bytes come from: a file, or a stream read once (``-`` for stdin, a named pipe)."""

from __future__ import annotations

import errno
import io
import os
import stat
import sys
from pathlib import Path
from typing import IO, Any, BinaryIO

from kg.errors import SourceError

__all__ = ["Stream", "Input", "as_input", "check_file", "open_text", "STDIN"]

STDIN = "-"
_HEAD_BYTES = 1024
# Byte order marks of the encodings a text file may be saved in instead of UTF-8 (longest first).
_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
         (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


class _Prefixed(io.RawIOBase):
    """The bytes already peeked, then the rest of the stream."""

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self._head, self._pos, self._raw = head, 0, raw

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if self._pos < len(self._head):
            n = min(len(b), len(self._head) - self._pos)
            b[:n] = self._head[self._pos:self._pos + n]
            self._pos += n
            return n
        data = self._raw.read1(len(b)) if hasattr(self._raw, "read1") else self._raw.read(len(b))
        b[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()
        super().close()


class Stream:
    """Standard input or a named pipe: read once, in order. The start is peeked (kept) so that the
    file checks and format sniffing do not consume it; a reader then opens it once."""

    def __init__(self, name: str, raw: BinaryIO) -> None:
        self.name = name
        self.suffix = Path(name).suffix if name != "<stdin>" else ""
        self._raw = raw
        self._head = b""
        self._eof = False
        self._opened = False

    def __str__(self) -> str:
        return self.name

    def head(self, n: int) -> bytes:
        """The first ``n`` bytes (fewer at the end of the stream), without consuming them."""
        if self._opened:
            raise SourceError(f"{self.name}: a stream can be read only once")
        while len(self._head) < n and not self._eof:
            read = getattr(self._raw, "read1", self._raw.read)
            chunk = read(n - len(self._head))
            if not chunk:
                self._eof = True
            self._head += chunk
        return self._head[:n]

    def open(self, mode: str = "r", **kw: Any) -> IO[Any]:
        if self._opened:
            raise SourceError(f"{self.name}: a stream can be read only once; give it to one command")
        self._opened = True
        binary = io.BufferedReader(_Prefixed(self._head, self._raw), 1 << 16)
        if "b" in mode:
            return binary
        return io.TextIOWrapper(binary, encoding=kw.get("encoding"), errors=kw.get("errors"),
                                newline=kw.get("newline"))

    def read_bytes(self) -> bytes:
        with self.open("rb") as f:
            return f.read()


Input = Path | Stream


def as_input(path: Any) -> Input:
    """``-`` as standard input, a named pipe or character device as a Stream, anything else a Path."""
    if isinstance(path, Stream):
        return path
    if str(path) == STDIN:
        return Stream("<stdin>", sys.stdin.buffer)
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return path  # check_file says why
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
        try:
            return Stream(str(path), path.open("rb"))
        except OSError as e:
            raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
    return path


def _stat_error(path: Path, e: OSError) -> SourceError:
    if e.errno == errno.ELOOP:
        return SourceError(f"{path}: a symbolic link loop (the link points back at itself); fix the link")
    if isinstance(e, FileNotFoundError):
        if path.is_symlink():
            return SourceError(f"{path}: a broken symbolic link (its target {os.readlink(path)!r} "
                               "does not exist); fix the link")
        return SourceError(f"{path}: no such file; check the path")
    return SourceError(f"{path}: cannot read the file: {e.strerror or e}")


def check_file(path: Input) -> bool:
    """Raise SourceError unless ``path`` is a readable text file; return True when it is blank."""
    if isinstance(path, Stream):
        head = path.head(_HEAD_BYTES + 1)
        more, head = len(head) > _HEAD_BYTES, head[:_HEAD_BYTES]
    else:
        try:
            st = os.stat(path)
        except OSError as e:
            raise _stat_error(path, e) from e
        if stat.S_ISDIR(st.st_mode):
            raise SourceError(f"{path}: is a directory, not a file; give the files inside it")
        try:
            with path.open("rb") as f:
                head = f.read(_HEAD_BYTES)
                more = bool(f.read(1))
        except OSError as e:
            raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
    if b"\x00" in head:
        enc = next((name for bom, name in _BOMS if head.startswith(bom)), None)
        hint = f" (it looks like {enc}; re-save it as UTF-8)" if enc else ""
        raise SourceError(f"{path}: not a text file: NUL bytes in the first KB{hint}")
    return not more and not head.replace(b"\xef\xbb\xbf", b"").strip()


def open_text(path: Input) -> IO[str]:
    """Open a checked input as UTF-8 text: BOM dropped, line ends untranslated, bad bytes kept
    as surrogates so the record holding them can be rejected (see ``bad_text``)."""
    try:
        return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as e:
        raise SourceError(f"{path}: cannot read the file: {e.strerror or e}") from e
