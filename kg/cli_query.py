"""The read-side ``kg`` commands: ``kg query`` and ``kg stats``."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import click

from kg import api
from kg.cli_common import (neo4j_options, neo4j_target, settings, store_option, terminal_safe, user_errors,
                           with_options)

__all__ = ["query", "stats", "doctor"]


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for p in pairs:
        k, sep, v = p.partition("=")
        if not sep or not k:
            raise click.BadParameter(f"{p!r} is not NAME=VALUE", param_hint="--param")
        params[k.strip()] = v
    return params


def _cell(v: object) -> str:
    return "" if v is None else str(v)


_WIDTH = 60  # widest table column; longer values are cut with "…"


def _table_cell(v: object) -> str:
    """One line of terminal-safe text: line breaks and tabs as spaces, other controls escaped."""
    return terminal_safe(_cell(v).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " "))


def _cut(v: str, w: int) -> str:
    return v if len(v) <= w else v[: w - 1] + "…"


def _json_safe(text: str) -> str:
    """JSON text with DEL and C1 controls as \\u escapes too (json.dumps leaves them raw)."""
    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


def _print_rows(cols: list[str], rows: list[list[object]], fmt: str, total: int | None = None) -> None:
    total = len(rows) if total is None else total
    if fmt == "json":
        click.echo(_json_safe(json.dumps([dict(zip(cols, r)) for r in rows], ensure_ascii=False, indent=2)))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_cell(v) for v in r] for r in rows])
        text = buf.getvalue()
        if sys.stdout.isatty():  # data stays verbatim in a file or pipe; a terminal sees escapes
            text = terminal_safe(text, newlines=True)
        click.echo(text, nl=False)
    else:
        cells = [[_table_cell(v) for v in r] for r in rows]
        widths = [min(_WIDTH, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(cols)]
        line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
        click.echo(line.rstrip())
        click.echo("  ".join("-" * w for w in widths))
        for r in cells:
            click.echo("  ".join(_cut(v, w).ljust(w) for v, w in zip(r, widths)).rstrip())
        shown = f"{len(rows)} of {total} rows" if total != len(rows) else f"{len(rows)} rows"
        click.echo(f"({shown})", err=True)


@click.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter; repeatable.")
@click.option("--sparql", default=None, help="Run this SPARQL text instead of a named query.")
@click.option("--cypher", default=None, help="Run this Cypher text on --neo4j instead of a named query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--limit", type=click.IntRange(0), default=None, metavar="N", help="Show at most N rows.")
@click.option("--list", "list_only", is_flag=True, help="List the named queries and their parameters.")
@store_option
@with_options(neo4j_options)
def query(name: str | None, params: tuple[str, ...], sparql: str | None, cypher: str | None,
          fmt: str, limit: int | None, list_only: bool, store: Path | None, neo4j_uri: str | None,
          neo4j_user: str | None, neo4j_database: str | None) -> None:
    """Run a named cross-paper query (queries/NAME.rq, or NAME.cypher with --neo4j).

    Example: kg query shared-datasets --param paper="UL2: Unifying Language Learning Paradigms"
    """
    from kg.sinks.named import list_queries

    if list_only or (name is None and sparql is None and cypher is None):
        for q in list_queries():
            ps = ", ".join(p.name if p.default is None else f"{p.name}={p.default}" for p in q.params)
            click.echo(f"{q.name:24} {q.description}" + (f"  [{ps}]" if ps else ""))
        return
    if sum(x is not None for x in (name, sparql, cypher)) > 1:
        raise click.UsageError("give one of NAME, --sparql or --cypher")
    if cypher is not None and not neo4j_uri:
        raise click.UsageError("--cypher runs on Neo4j: give --neo4j URI")
    if sparql is not None and neo4j_uri:
        raise click.UsageError("--sparql runs on the embedded store: drop --neo4j")
    s = settings(store=store, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user, neo4j_database=neo4j_database)
    with user_errors():
        cols, rows = api.run_query(
            name=name, text=sparql or cypher, params=_parse_params(params),
            store=s.store, neo4j=neo4j_target(s) if neo4j_uri else None, base_iri=s.base_iri,
        )
    total = len(rows)
    _print_rows(cols, rows if limit is None else rows[:limit], fmt, total)


@click.command()
@store_option
@click.option("--top", type=click.IntRange(0), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store: Path | None, top: int, fmt: str) -> None:
    """Counts by node and edge type, the top datasets and methods, ambiguous names and most senses.

    Example: kg stats --top 5
    """
    s = settings(store=store)
    with user_errors():
        result = api.stats(s.store, top, s.base_iri)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for k, v in result["counts"].items():
        click.echo(f"{k:24} {v:>10,}")
    for title, key, col in (("top datasets", "top_datasets", "dataset"),
                            ("top methods", "top_methods", "method")):
        click.echo(f"\n{title}:")
        for row in result[key]:
            click.echo(f"  {row['papers']:>6}  {terminal_safe(str(row[col]))}")
    ident = result["identity"]
    click.echo(f"\nambiguous names (mentions no sense could be given): {ident['ambiguous_names']:,}")
    click.echo(f"names with several senses: {ident['names_with_several_senses']:,}")
    click.echo("most senses (senses, papers, name):")
    for row in ident["most_senses"]:
        click.echo(f"  {row['senses']:>6}  {row['papers']:>6}  {terminal_safe(str(row['name']))} ({row['kind']})")


@click.command()
@store_option
def doctor(store: Path | None) -> None:
    """Check a store: read every triple (verifying RocksDB's checksums) through two indexes.

    Exit 0 when the store reads whole, 1 when it is damaged (then re-ingest into a new store).

    Example: kg doctor --store kg-data
    """
    s = settings(store=store)
    with user_errors():
        report = api.doctor(s.store, s.base_iri)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if not report.ok:
        raise click.ClickException("; ".join(report.problems))
    click.echo(f"store {report.path} is readable: {report.triples:,} triples, indexes agree")
