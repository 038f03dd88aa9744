"""Progress on stderr: a live rich display on a terminal (papers, share of the input, rate, ETA,
current file), a plain line now and then otherwise, nothing with --quiet."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

__all__ = ["Progress", "emit", "count_lines"]

_PLAIN_EVERY = 30.0  # seconds between plain progress lines when stderr is not a terminal
_COUNT_LIMIT = 1 << 30  # inputs larger than this together: no total (counting would take seconds)
_active: "Progress | None" = None


def count_lines(path: Path) -> int:
    """Line count of a regular file, by counting newlines in 1 MiB blocks (about 30 ms for 30 MB)."""
    n, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


def emit(line: str) -> None:
    """Print ``line`` on stderr on a line of its own: above the live display when one runs."""
    if _active is not None and _active._live is not None:
        _active._live.console.print(line, markup=False, highlight=False, soft_wrap=True)
    else:
        click.echo(line, err=True)


class Progress:
    """Call it with the number of papers just done (the API does after each batch); ``at(paper)``
    tells it the last paper, whose file and line give the share of the input read when the inputs
    are regular files (their line counts are the total). Use as a context manager, or call
    ``done()``: the display is removed and its last state printed as a plain line."""

    def __init__(self, quiet: bool, what: str, inputs: Sequence[Path] = ()) -> None:
        self.n = 0
        self.what = what
        self.quiet = quiet
        self.tty = not quiet and sys.stderr.isatty()
        self.started = time.monotonic()
        self._last_plain = self.started
        self._file = ""
        self._line = 0
        self._lines, self._total = _totals(inputs) if not quiet else ({}, None)
        self._before: dict[str, int] = {}  # lines of the inputs before each one
        acc = 0
        for name, n in self._lines.items():
            self._before[name] = acc
            acc += n
        self._live: Any = None
        self._task: Any = None
        self._first: tuple[float, int] | None = None

    # -- the API's side --------------------------------------------------------------------
    def at(self, paper: Any) -> None:
        self._file = str(getattr(paper, "source", "") or "")
        self._line = int(getattr(paper, "line", 0) or 0)

    def __call__(self, k: int) -> None:
        if self._first is None:  # the rate counts from the first batch: not the extractor's start-up
            self._first = (time.monotonic(), k)
        self.n += k
        if self.quiet:
            return
        if self.tty:
            self._show()
        elif time.monotonic() - self._last_plain >= _PLAIN_EVERY:
            self._last_plain = time.monotonic()
            click.echo(self.status(), err=True)

    # -- what is shown -----------------------------------------------------------------------
    def fraction(self) -> float | None:
        if not self._total or self._file not in self._before:
            return None
        return min(1.0, (self._before[self._file] + self._line) / self._total)

    def rate(self) -> float:
        if self._first is None:
            return 0.0
        t0, k0 = self._first
        elapsed = time.monotonic() - t0
        return (self.n - k0) / elapsed if elapsed > 0.5 and self.n > k0 else 0.0

    def status(self, final: bool = False) -> str:
        """One plain line: ``12,345 papers, 41% of the input, 1,234 papers/s, ETA 0:12, file``
        (``final``: ``12,345 papers in 0:10, 1,234 papers/s``)."""
        elapsed = time.monotonic() - self.started
        if final:
            return f"{self.n:,} {self.what} in {_clock(elapsed)}, {self.rate():,.0f} {self.what}/s"
        parts = [f"{self.n:,} {self.what}"]
        frac = self.fraction()
        if frac is not None:
            parts.append(f"{frac:.0%} of the input")
        parts.append(f"{self.rate():,.0f} {self.what}/s")
        if frac and self._first is not None:
            t0 = self._first[0]
            left = (time.monotonic() - t0) * (1 - frac) / frac
            parts.append(f"ETA {_clock(left)}")
        if self._file:
            parts.append(os.path.basename(self._file))
        return ", ".join(parts)

    def _show(self) -> None:
        global _active
        if self._live is None:
            from rich.console import Console
            from rich.progress import (BarColumn, Progress as Live, SpinnerColumn, TaskProgressColumn,
                                       TextColumn, TimeRemainingColumn)

            self._live = Live(SpinnerColumn(), TextColumn("{task.fields[papers]}"), BarColumn(),
                              TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                              TextColumn("{task.fields[file]}"), console=Console(stderr=True),
                              transient=True, refresh_per_second=4)
            self._live.start()
            self._task = self._live.add_task("", total=self._total, papers="", rate="", file="")
            _active = self
        frac = self.fraction()
        done = None if self._total is None else (frac or 0) * self._total
        from rich.markup import escape

        self._live.update(self._task, completed=done, papers=f"{self.n:,} {self.what}",
                          rate=f"{self.rate():,.0f}/s", file=escape(os.path.basename(self._file)))

    def done(self) -> None:
        """Remove the live display (its last state stays as a plain line); safe to call twice."""
        global _active
        if self._live is not None:
            self._live.stop()
            self._live = None
            if _active is self:
                _active = None
            if self.n:
                click.echo(self.status(final=True), err=True)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *_: object) -> None:
        self.done()


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _totals(inputs: Sequence[Path]) -> tuple[dict[str, int], int | None]:
    """Lines per input (keyed as the readers name them in ``Paper.source``), and their sum;
    ``None`` when an input is not a regular file (stdin, a FIFO, a folder) or all are too big.
    A missing input counts as no lines (its reader reports it)."""
    paths = [Path(p) for p in inputs if os.path.lexists(p)]  # a missing one is reported, and adds nothing
    try:
        if not paths or not all(p.is_file() for p in paths) or sum(p.stat().st_size for p in paths) > _COUNT_LIMIT:
            return {}, None
        lines = {str(p): count_lines(p) for p in paths}
    except OSError:
        return {}, None  # the reader reports it, in its own words
    return lines, sum(lines.values()) or None
