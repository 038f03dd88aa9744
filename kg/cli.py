"""The ``kg`` command line: thin click commands over ``kg.api``."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kg import __version__, api
from kg.config import Settings, load_settings
from kg.errors import KGError
from kg.model import Reject
from kg.sources import FORMATS as INPUT_FORMATS

__all__ = ["main", "cli"]

EXIT_REJECTED = 3


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except Exception as e:  # pydantic validation of KG_ variables or .env
        raise click.UsageError(f"invalid setting: {e}".splitlines()[0]) from e


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn kg's errors into one-line messages (exit 1) and Ctrl-C into a clean stop."""
    try:
        yield
    except KGError as e:
        raise click.ClickException(str(e)) from e
    except BrokenPipeError:  # `kg query ... | head`
        sys.stderr.close()
        sys.exit(0)


class _Progress:
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


def _open_out(path: Path, mode: str) -> Any:
    """``path`` opened for writing, or a one-line error (exit 1) saying why it cannot be."""
    try:
        return path.open(mode, encoding=None if "b" in mode else "utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror or e}; check that its folder "
                                   "exists and is writable") from e


def _reject_printer(quiet: bool, rejects_file: Any) -> Callable[[Reject], None]:
    def on_reject(r: Reject) -> None:
        if not quiet:
            click.echo(f"rejected: {r}", err=True)
        if rejects_file is not None:
            rejects_file.write(f"{r}\n")

    return on_reject


def _neo4j_target(s: Settings) -> api.Neo4jTarget | None:
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


def _with(options: list[Callable[[Any], Any]]) -> Callable[[Any], Any]:
    def deco(f: Any) -> Any:
        for opt in reversed(options):
            f = opt(f)
        return f

    return deco


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Turn ML paper abstracts into a cross-paper knowledge graph.

    Example: kg ingest papers.jsonl && kg query dataset-usage
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--no-store", is_flag=True, help="Write only to Neo4j, not to the embedded store.")
@_with(neo4j_options)
@format_in_option
@kb_option
@click.option("--base-iri", default=None, help="Base IRI for minted resources (or KG_BASE_IRI).")
@click.option("--batch-size", type=click.IntRange(1), default=None, help="Papers per write batch.")
@click.option("--neo4j-batch-size", type=click.IntRange(1), default=None, help="Rows per Neo4j transaction.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Extraction processes.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write rejected records (file:line: reason) to this file.")
@quiet_option
def ingest(inputs: tuple[Path, ...], store: Path | None, no_store: bool, neo4j_uri: str | None,
           neo4j_user: str | None, neo4j_database: str | None, input_format: str | None,
           kb_files: tuple[Path, ...], base_iri: str | None, batch_size: int | None,
           neo4j_batch_size: int | None, workers: int | None, rejects_path: Path | None,
           quiet: bool) -> None:
    """Read abstracts, extract, and add them to the graph.

    Example: kg ingest ../shared/seeds/daily-papers-2024-03-11.txt --store kg-data

    Exit code 0 when every record was ingested, 3 when some were rejected (listed as
    file:line: reason) and the rest loaded, 1 on error.
    """
    s = _settings(store=store, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user,
                  neo4j_database=neo4j_database, base_iri=base_iri, batch_size=batch_size,
                  neo4j_batch_size=neo4j_batch_size, workers=workers)
    progress = _Progress(quiet, "papers")
    rejects_file = _open_out(rejects_path, "w") if rejects_path else None
    report = api.IngestReport()
    try:
        with _user_errors():
            api.ingest(
                list(inputs), store=None if no_store else s.store, base_iri=s.base_iri,
                neo4j=_neo4j_target(s), input_format=input_format,
                kb_files=(*s.kb, *kb_files), batch_size=s.batch_size, workers=s.workers,
                on_reject=_reject_printer(quiet, rejects_file), progress=progress, report=report,
            )
    except KeyboardInterrupt:
        progress.done()
        click.echo(
            f"interrupted: {progress.n:,} papers were written"
            f"{' (the last from ' + report.last + ')' if report.last else ''}; "
            "run the same command again to finish: re-ingesting is idempotent.",
            err=True,
        )
        sys.exit(130)
    finally:
        if rejects_file is not None:
            rejects_file.close()
    progress.done()
    click.echo(report.summary())
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write JSONL here (default stdout).")
@format_in_option
@kb_option
@click.option("--workers", type=click.IntRange(1), default=None, help="Extraction processes.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write rejected records to this file.")
@quiet_option
def extract(inputs: tuple[Path, ...], output: Path | None, input_format: str | None,
            kb_files: tuple[Path, ...], workers: int | None, rejects_path: Path | None,
            quiet: bool) -> None:
    """Extract methods, datasets and code URLs: one JSON object per paper per line.

    Example: kg extract papers.jsonl -o extractions.jsonl
    """
    s = _settings(workers=workers)
    progress = _Progress(quiet, "papers")
    rejects_file = _open_out(rejects_path, "w") if rejects_path else None
    out = _open_out(output, "w") if output else sys.stdout
    rejected: list[Reject] = []
    printer = _reject_printer(quiet, rejects_file)

    def on_reject(r: Reject) -> None:
        rejected.append(r)
        printer(r)

    try:
        with _user_errors():
            api.extract_to_jsonl(list(inputs), out, input_format=input_format,
                                 kb_files=(*s.kb, *kb_files), workers=s.workers,
                                 on_reject=on_reject, progress=progress)
    finally:
        progress.done()
        if output:
            out.close()
        if rejects_file is not None:
            rejects_file.close()
    if rejected:
        sys.exit(EXIT_REJECTED)


def _export_formats() -> list[str]:
    from kg.sinks import EXPORT_FORMATS

    return list(EXPORT_FORMATS)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(_export_formats()), default="turtle",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="File (folder for neo4j-admin); default stdout.")
@store_option
@click.option("--base-iri", default=None, help="Base IRI the store was written with.")
def export(fmt: str, output: Path | None, store: Path | None, base_iri: str | None) -> None:
    """Export the whole graph from the embedded store.

    Example: kg export --format turtle -o graph.ttl
    """
    s = _settings(store=store, base_iri=base_iri)
    with _user_errors():
        if fmt == "neo4j-admin":
            if output is None:
                raise click.UsageError("--format neo4j-admin writes CSV files: give -o FOLDER")
            n = api.export(s.store, fmt, output, s.base_iri)
        elif output is None:
            n = api.export(s.store, fmt, sys.stdout.buffer, s.base_iri)
            sys.stdout.buffer.flush()
        else:
            with _open_out(output, "wb") as f:
                n = api.export(s.store, fmt, f, s.base_iri)
    if output is not None:
        click.echo(f"wrote {n:,} items to {output}", err=True)


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


def _print_rows(cols: list[str], rows: list[list[object]], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([dict(zip(cols, r)) for r in rows], ensure_ascii=False, indent=2))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows([[_cell(v) for v in r] for r in rows])
        click.echo(buf.getvalue(), nl=False)
    else:
        cells = [[_cell(v).replace("\n", " ") for v in r] for r in rows]
        widths = [min(60, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(cols)]
        line = "  ".join(c.ljust(w) for c, w in zip(cols, widths))
        click.echo(line.rstrip())
        click.echo("  ".join("-" * w for w in widths))
        for r in cells:
            click.echo("  ".join(v[:w].ljust(w) for v, w in zip(r, widths)).rstrip())
        click.echo(f"({len(rows)} rows)", err=True)


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter; repeatable.")
@click.option("--sparql", default=None, help="Run this SPARQL text instead of a named query.")
@click.option("--cypher", default=None, help="Run this Cypher text on --neo4j instead of a named query.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--list", "list_only", is_flag=True, help="List the named queries and their parameters.")
@store_option
@_with(neo4j_options)
def query(name: str | None, params: tuple[str, ...], sparql: str | None, cypher: str | None,
          fmt: str, list_only: bool, store: Path | None, neo4j_uri: str | None,
          neo4j_user: str | None, neo4j_database: str | None) -> None:
    """Run a named cross-paper query (queries/NAME.rq, or NAME.cypher with --neo4j).

    Example: kg query shared-datasets --param paper="Graph Transformers for Large Graphs"
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
    s = _settings(store=store, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user, neo4j_database=neo4j_database)
    with _user_errors():
        cols, rows = api.run_query(
            name=name, text=sparql or cypher, params=_parse_params(params),
            store=s.store, neo4j=_neo4j_target(s) if neo4j_uri else None, base_iri=s.base_iri,
        )
    _print_rows(cols, rows, fmt)


@cli.command()
@store_option
@click.option("--top", type=click.IntRange(0), default=10, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats(store: Path | None, top: int, fmt: str) -> None:
    """Counts by node and edge type, and the top datasets and methods.

    Example: kg stats --top 5
    """
    s = _settings(store=store)
    with _user_errors():
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
            click.echo(f"  {row['papers']:>6}  {row[col]}")


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_in_option
@kb_option
@click.option("--verbose", "-v", is_flag=True, help="List every miss and false positive with its paper.")
def eval_(gold: Path, inputs: tuple[Path, ...], input_format: str | None,
          kb_files: tuple[Path, ...], verbose: bool) -> None:
    """Score the extractor against a gold file (ANNOTATION.md rules).

    Example: kg eval ../shared/gold/seed.jsonl ../shared/seeds/daily-papers-2024-03-11.txt
    """
    from kg.evaluate import format_report

    with _user_errors():
        report = api.evaluate_files(gold, list(inputs), input_format=input_format,
                                    kb_files=kb_files, on_reject=_reject_printer(False, None))
    click.echo(format_report(report, verbose=verbose))


@cli.group()
def kb() -> None:
    """Knowledge-base tools.

    Example: kg kb import-pwc datasets.json methods.json -o pwc-kb.jsonl
    """


@kb.command("import-pwc")
@click.argument("datasets_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("methods_json", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Knowledge-base JSONL to write (use it with --kb).")
def import_pwc(datasets_json: Path, methods_json: Path, output: Path) -> None:
    """Build a knowledge base from a Papers-with-Code archive dump.

    Example: kg kb import-pwc datasets.json methods.json -o pwc-kb.jsonl
    """
    from kg.extract.kb import import_pwc as _import

    with _user_errors():
        n = _import(datasets_json, methods_json, output)
    click.echo(f"wrote {n:,} entries to {output}")


def main() -> None:
    """Entry point of the ``kg`` console script."""
    cli(prog_name="kg")
