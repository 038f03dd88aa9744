"""Shared pieces of the ``kg`` commands: settings, error handling, progress, common options."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg import api
from kg.config import Settings, load_settings
from kg.errors import KGError
from kg.model import Reject
from kg.sources import FORMATS as INPUT_FORMATS

__all__ = [
    "EXIT_REJECTED", "Progress", "settings", "user_errors", "open_out", "reject_printer", "neo4j_target",
    "quiet_option", "store_option", "format_in_option", "records_option", "kb_option", "neo4j_options", "with_options",
]

EXIT_REJECTED = 3


def settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except Exception as e:  # pydantic validation of KG_ variables or .env
        raise click.UsageError(f"invalid setting: {e}".splitlines()[0]) from e


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn kg's errors into one-line messages (exit 1) and Ctrl-C into a clean stop."""
    try:
        yield
    except KGError as e:
        raise click.ClickException(str(e)) from e
    except BrokenPipeError:  # `kg query ... | head`
        sys.stderr.close()
        sys.exit(0)


class Progress:
    """A counter on stderr, only when stderr is a terminal and not --quiet."""

    def __init__(self, quiet: bool, what: str) -> None:
        self.on = not quiet and sys.stderr.isatty()
        self.n = 0
        self.what = what

    def __call__(self, k: int) -> None:
        self.n += k
        if self.on:
            click.echo(f"\r{self.n:,} {self.what}", err=True, nl=False)

    def done(self) -> None:
        if self.on and self.n:
            click.echo("", err=True)


def open_out(path: Path, mode: str) -> Any:
    """``path`` opened for writing, or a one-line error (exit 1) saying why it cannot be."""
    try:
        return path.open(mode, encoding=None if "b" in mode else "utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}; check that its folder "
                                   "exists and is writable") from e


def reject_printer(quiet: bool, rejects_file: Any) -> Callable[[Reject], None]:
    def on_reject(r: Reject) -> None:
        if not quiet:
            click.echo(f"rejected: {r}", err=True)
        if rejects_file is not None:
            rejects_file.write(f"{r}\n")

    return on_reject


def neo4j_target(s: Settings) -> api.Neo4jTarget | None:
    if not s.neo4j_uri:
        return None
    password = s.neo4j_password.get_secret_value() if s.neo4j_password else None
    return api.Neo4jTarget(s.neo4j_uri, s.neo4j_user, password, s.neo4j_database, s.neo4j_batch_size)


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
