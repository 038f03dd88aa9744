"""The ``kg`` command line: thin click commands over ``kg.api``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import __version__, api
from kg.cli_common import (
    EXIT_REJECTED,
    KGGroup,
    Progress,
    RejectsFile,
    format_in_option,
    kb_option,
    model_option,
    neo4j_options,
    neo4j_target,
    notice_printer,
    quiet_option,
    records_option,
    reject_printer,
    settings,
    store_option,
    user_errors,
    with_options,
)
from kg.cli_cluster import assemble, extract_sharded, load, scheduler_option
from kg.cli_show import show, view
from kg.cli_query import doctor, query, stats
from kg.cli_train import train
from kg.model import Reject

__all__ = ["main", "cli"]


@click.group(cls=KGGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def cli() -> None:
    """Turn ML paper abstracts into a cross-paper knowledge graph.

    Example: kg ingest papers.jsonl && kg query dataset-usage
    """


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--no-store", is_flag=True, help="Write only to Neo4j, not to the embedded store.")
@with_options(neo4j_options)
@format_in_option
@records_option
@kb_option
@model_option
@click.option("--base-iri", default=None, help="Base IRI for minted resources (or KG_BASE_IRI).")
@click.option("--batch-size", type=click.IntRange(1), default=None, help="Papers per write batch.")
@click.option("--neo4j-batch-size", type=click.IntRange(1), default=None, help="Rows per Neo4j transaction.")
@click.option("--workers", type=click.IntRange(1), default=None, help="Extraction processes.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write rejected records (file:line: reason) to this file.")
@quiet_option
def ingest(inputs: tuple[Path, ...], store: Path | None, no_store: bool, neo4j_uri: str | None,
           neo4j_user: str | None, neo4j_database: str | None, input_format: str | None, records: str | None,
           kb_files: tuple[Path, ...], model: str | None, base_iri: str | None, batch_size: int | None,
           neo4j_batch_size: int | None, workers: int | None, rejects_path: Path | None,
           quiet: bool) -> None:
    """Read abstracts, extract, and add them to the graph.

    Example: kg ingest ../shared/seeds/daily-papers-2024-03-11.txt --store kg-data

    Exit code 0 when every record was ingested, 3 when some were rejected (listed as
    file:line: reason) and the rest loaded, 1 on error.
    """
    s = settings(store=store, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user,
                  neo4j_database=neo4j_database, base_iri=base_iri, batch_size=batch_size,
                  neo4j_batch_size=neo4j_batch_size, workers=workers, model=model)
    progress = Progress(quiet, "papers", inputs)
    report = api.IngestReport()
    try:
        with user_errors(), RejectsFile(rejects_path) as rejects_file:
            api.ingest(
                list(inputs), store=None if no_store else s.store, base_iri=s.base_iri,
                neo4j=neo4j_target(s), input_format=input_format,
                kb_files=(*s.kb, *kb_files), model=s.model, batch_size=s.batch_size, workers=s.workers,
                on_reject=reject_printer(quiet, rejects_file), progress=progress, report=report,
                records=records, on_notice=notice_printer(quiet),
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
        progress.done()  # the display ends before any message, an error's included
    click.echo(report.summary())
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write JSONL here (default stdout); with --scheduler, a folder of shards.")
@format_in_option
@records_option
@kb_option
@model_option
@click.option("--workers", type=click.IntRange(1), default=None, help="Extraction processes.")
@click.option("--rejects", "rejects_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write rejected records to this file.")
@scheduler_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet"]), default="jsonl", show_default=True,
              help="Shard format with --scheduler.")
@click.option("--partition-mb", type=click.FloatRange(min=0.001), default=4.0, show_default=True,
              help="With --scheduler: MiB of JSON Lines input per partition (other files: one each).")
@quiet_option
def extract(inputs: tuple[Path, ...], output: Path | None, input_format: str | None, records: str | None,
            kb_files: tuple[Path, ...], model: str | None, workers: int | None, rejects_path: Path | None,
            scheduler: str | None, fmt: str, partition_mb: float, quiet: bool) -> None:
    """Extract methods, datasets and code URLs: one JSON object per paper per line.

    Example: kg extract papers.jsonl -o extractions.jsonl

    On a Dask cluster, one shard per partition plus manifest.json in a folder:
    kg extract papers.jsonl --scheduler local:2 -o shards/
    """
    if scheduler is not None:
        code: object = 0
        with user_errors(), RejectsFile(rejects_path) as rejects_file:
            try:
                extract_sharded(inputs, output, scheduler, fmt, partition_mb, input_format, kb_files,
                                rejects_file, quiet, model)
            except SystemExit as e:  # exit 3 (rejects) after --rejects is in place, not instead of it
                code = e.code
        if code:
            sys.exit(code)
        return
    if fmt != "jsonl":
        raise click.UsageError("--format parquet writes shards: give --scheduler too")
    if output is not None and output.is_dir():
        raise click.UsageError(f"-o {output} is a folder: give a file name (a folder takes --scheduler)")
    s = settings(workers=workers, model=model)
    progress = Progress(quiet, "papers", inputs)
    rejected = api.Rejects(keep=0)  # counted only: each is printed as it comes

    try:
        with user_errors(), RejectsFile(rejects_path) as rejects_file:
            printer = reject_printer(quiet, rejects_file)

            def on_reject(r: Reject) -> None:
                rejected.add(r)
                printer(r)

            api.extract_to_jsonl(list(inputs), output if output else sys.stdout, input_format=input_format,
                                 kb_files=(*s.kb, *kb_files), model=s.model, workers=s.workers,
                                 on_reject=on_reject, progress=progress, records=records,
                                 on_notice=notice_printer(quiet))
    finally:
        progress.done()
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
@click.option("--no-provenance", is_flag=True,
              help="Lean graph: papers, entities and relations only (no mentions, sentences, offsets).")
def export(fmt: str, output: Path | None, store: Path | None, base_iri: str | None,
           no_provenance: bool) -> None:
    """Export the whole graph from the embedded store.

    Example: kg export --format turtle -o graph.ttl   (add --no-provenance for a lean graph)
    """
    s = settings(store=store, base_iri=base_iri)
    opts = {"provenance": not no_provenance}
    with user_errors():
        if fmt == "neo4j-admin":
            if output is None:
                raise click.UsageError("--format neo4j-admin writes CSV files: give -o FOLDER")
            n = api.export(s.store, fmt, output, s.base_iri, **opts)
        elif output is None:
            n = api.export(s.store, fmt, sys.stdout.buffer, s.base_iri, **opts)
            sys.stdout.buffer.flush()
        else:
            n = api.export(s.store, fmt, output, s.base_iri, **opts)
    if output is not None:
        click.echo(f"wrote {n:,} items to {output}", err=True)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_in_option
@records_option
@kb_option
@model_option
@click.option("--verbose", "-v", is_flag=True, help="List every miss and false positive with its paper.")
def eval_(gold: Path, inputs: tuple[Path, ...], input_format: str | None, records: str | None,
          kb_files: tuple[Path, ...], model: str | None, verbose: bool) -> None:
    """Score the extractor against a gold file (ANNOTATION.md rules).

    Example: kg eval ../shared/gold/seed.jsonl ../shared/seeds/daily-papers-2024-03-11.txt
    """
    from kg.evaluate import format_report

    s = settings(model=model)
    with user_errors():
        report = api.evaluate_files(gold, list(inputs), input_format=input_format, kb_files=(*s.kb, *kb_files),
                                    model=s.model, on_reject=reject_printer(False, None), records=records,
                                    on_notice=notice_printer(False))
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

    with user_errors():
        n = _import(datasets_json, methods_json, output)
    click.echo(f"wrote {n:,} entries to {output}")


cli.add_command(query)
cli.add_command(train)
cli.add_command(stats)
cli.add_command(doctor)
cli.add_command(show)
cli.add_command(view)
cli.add_command(assemble)
cli.add_command(load)


def main() -> None:
    """Entry point of the ``kg`` console script."""
    cli(prog_name="kg")
