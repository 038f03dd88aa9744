"""Shared pieces of the ``kg`` commands: settings, error handling, progress, common options."""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg import api
from kg.cli_progress import Progress, emit
from kg.config import Settings, load_settings
from kg.errors import KGError, SourceError
from kg.files import AtomicFiles, write_error
from kg.model import Notice, Reject
from kg.sources import FORMATS as INPUT_FORMATS

__all__ = [
    "EXIT_REJECTED", "KGGroup", "Progress", "terminal_safe", "settings", "user_errors", "RejectsFile", "reject_printer",
    "neo4j_target", "notice_printer", "quiet_option", "store_option", "format_in_option", "records_option", "kb_option",
    "model_option",
    "neo4j_options", "with_options",
]

EXIT_REJECTED = 3


def settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except KGError as e:  # pydantic validation of KG_ variables, .env or flags
        raise SettingError(str(e)) from e
    except Exception as e:  # noqa: BLE001 - a KG_ variable that is not JSON where JSON is due, say
        raise SettingError(" ".join(f"invalid settings: {e}".split())[:300]) from e


class SettingError(click.ClickException):
    """A bad KG_ variable or .env value: one line (no usage text: the command line was fine), exit 2."""

    exit_code = 2


class KGGroup(click.Group):
    """The ``kg`` group: whatever a command raises ends as one line on stderr, never a traceback.

    kg's own errors are turned into one line by :func:`user_errors`; here, a write to standard
    output that fails (``kg query > /dev/full``) and any error kg did not expect (a bug: the line
    asks for a report; ``KG_DEBUG=1`` shows the traceback) get one line too.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            rv = super().invoke(ctx)
            sys.stdout.flush()  # buffered output to a file or pipe fails here, if it fails
            return rv
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except OSError as e:
            if e.errno == errno.EPIPE:  # `kg query ... | head`: the reader has what it wanted
                _drop_stdout()
                sys.exit(0)
            if os.environ.get("KG_DEBUG"):
                raise
            if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # files kg writes say so themselves
                _drop_stdout()
                raise click.ClickException("cannot write to standard output: the device is full") from e
            raise click.ClickException(f"{e.strerror or e}{': ' + str(e.filename) if e.filename else ''}; "
                                       "kg did not expect this error: please report it (KG_DEBUG=1 "
                                       "shows the traceback)") from e
        except Exception as e:
            if os.environ.get("KG_DEBUG"):
                raise
            msg = " ".join(str(e).split())[:300]
            raise click.ClickException(f"unexpected error ({type(e).__name__}: {msg}); this is a bug "
                                       "in kg: please report it with the command you ran (KG_DEBUG=1 "
                                       "shows the traceback)") from e


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so Python's flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # CliRunner's stdout has no file descriptor
        pass


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn kg's errors into one-line messages (exit 1) and Ctrl-C into a clean stop."""
    try:
        yield
    except KGError as e:
        raise click.ClickException(terminal_safe(str(e))) from e
    except BrokenPipeError:  # `kg query ... | head`
        _drop_stdout()
        sys.exit(0)


# C0 and C1 controls, DEL, and the bidirectional overrides/isolates that reorder what a terminal shows
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, *, newlines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape (ESC as ``\\x1b``, U+202E
    as ``\\u202e``), so printing it cannot drive the terminal; ``newlines`` keeps line breaks."""
    def esc(m: re.Match[str]) -> str:
        c = m.group()
        if newlines and c == "\n":
            return c
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"

    return _UNSAFE.sub(esc, text)


class RejectsFile:
    """``--rejects FILE``, written atomically: it replaces FILE when the run has read its inputs
    to the end (success, exit 3, or an unreadable file among readable ones that left rejects);
    a run that fails before that or is interrupted leaves the old FILE as it was. Use it inside
    ``user_errors()``, which turns its one-line errors into the CLI's."""

    def __init__(self, path: Path | None) -> None:
        self.files = AtomicFiles()
        self.path = path
        self.stream = None
        self.written = 0
        if path is not None:
            self.stream = self.files.open(path, "w", encoding="utf-8", newline="\n")

    def write(self, r: Reject) -> None:
        if self.stream is not None:
            try:
                self.stream.write(f"{r}\n")
            except OSError as e:
                raise self.files.error_for(self.stream, e) or write_error(self.path, e) from e
            self.written += 1

    def __enter__(self) -> "RejectsFile":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        read_to_the_end = (exc_type is None or (isinstance(exc, SystemExit) and exc.code in (0, None, EXIT_REJECTED))
                           or (isinstance(exc, SourceError) and self.written > 0))
        if not read_to_the_end:
            self.files.abort()
            return
        try:
            self.files.commit()
        except KGError as e:
            if exc_type is None:
                raise
            click.echo(f"Error: {e}", err=True)  # the run's own error follows


def notice_printer(quiet: bool) -> Callable[[Notice], None]:
    """``note: file:line: ...`` on stderr for what a source changed or skipped (not with --quiet)."""
    def on_notice(n: Notice) -> None:
        if not quiet:
            emit(f"note: {terminal_safe(str(n))}")  # on its own line, above any progress display

    return on_notice


def reject_printer(quiet: bool, rejects_file: RejectsFile | None) -> Callable[[Reject], None]:
    def on_reject(r: Reject) -> None:
        if not quiet:
            emit(f"rejected: {terminal_safe(str(r))}")  # on its own line, above any progress display
        if rejects_file is not None:
            rejects_file.write(r)

    return on_reject


def neo4j_target(s: Settings) -> api.Neo4jTarget | None:
    if not s.neo4j_uri:
        return None
    password = s.neo4j_password.get_secret_value() if s.neo4j_password else None
    return api.Neo4jTarget(s.neo4j_uri, s.neo4j_user, password, s.neo4j_database, s.neo4j_batch_size,
                           s.neo4j_timeout)


quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress and no per-record messages.")
store_option = click.option(
    "--store", type=click.Path(path_type=Path), default=None,
    help="Embedded store folder (default ./kg-data, or KG_STORE).",
)
format_in_option = click.option(
    "--input-format", type=click.Choice(INPUT_FORMATS), default=None,
    help="Force the input format instead of detecting it.",
)
records_option = click.option(
    "--records", "records", default=None, metavar="PATH",
    help="Where the paper objects sit in JSON input, e.g. days[].papers (default: found at any depth).",
)
kb_option = click.option(
    "--kb", "kb_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra knowledge-base file (YAML or JSONL); repeatable.",
)
model_option = click.option(
    "--model", default=None, metavar="PATH",
    help="Scorer model file from `kg train` (or KG_MODEL); default the shipped one; 'rules' for the rules alone.",
)
neo4j_options = [
    click.option("--neo4j", "neo4j_uri", default=None, metavar="URI",
                 help="Neo4j Bolt URI (bolt://, neo4j://, +s forms), or KG_NEO4J_URI. "
                      "The password comes from KG_NEO4J_PASSWORD or .env."),
    click.option("--neo4j-user", default=None, help="Neo4j user (default neo4j, or KG_NEO4J_USER)."),
    click.option("--neo4j-database", default=None, help="Neo4j database (default neo4j)."),
]


def with_options(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def deco(f: Any) -> Any:
        for opt in reversed(options):
            f = opt(f)
        return f

    return deco
