"""The cluster commands: ``kg extract --scheduler`` (sharded), ``kg assemble`` and ``kg load``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import api
from kg.cli_common import EXIT_REJECTED, Progress, reject_printer, settings, store_option, user_errors

__all__ = ["extract_sharded", "assemble", "load", "scheduler_option"]

scheduler_option = click.option(
    "--scheduler", default=None, metavar="ADDRESS",
    help="Run on a Dask cluster: tcp://HOST:8786, or local[:N] for N worker processes here "
         "(needs pip install 'kg[dask]'); -o is then a folder of shards.")


def extract_sharded(inputs: tuple[Path, ...], output: Path | None, scheduler: str, fmt: str,
                    partition_mb: float, input_format: str | None, kb_files: tuple[Path, ...],
                    rejects_file: object, quiet: bool, model: str | None = None) -> None:
    """``kg extract --scheduler``: shards and a manifest in the folder ``output``, extracted with
    ``--model`` (or KG_MODEL) as ``kg extract`` without a scheduler."""
    if output is None:
        raise click.UsageError("--scheduler writes one shard per partition: give -o FOLDER")
    s = settings(model=model)
    progress = Progress(quiet, "papers")
    rejected: list[object] = []
    printer = reject_printer(quiet, rejects_file)

    def on_reject(r: object) -> None:
        rejected.append(r)
        printer(r)  # type: ignore[arg-type]

    try:
        with user_errors():
            report = api.extract_sharded(list(inputs), output, scheduler=scheduler, fmt=fmt,
                                         input_format=input_format, kb_files=(*s.kb, *kb_files), model=s.model,
                                         partition_bytes=max(1, int(partition_mb * 2**20)),
                                         on_reject=on_reject, progress=progress)
    finally:
        progress.done()
    click.echo(report.summary(), err=True)
    if rejected:
        sys.exit(EXIT_REJECTED)


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@scheduler_option
@click.option("--buckets", type=click.IntRange(1), default=None,
              help="Buckets (tasks per assembly round; default: one per extraction shard, at most 64); "
                   "the CSV files are joined afterwards into files of at least 512 MiB.")
@click.option("--base-iri", default=None, help="Base IRI for minted resources (or KG_BASE_IRI).")
def assemble(folder: Path, scheduler: str | None, buckets: int | None, base_iri: str | None) -> None:
    """Build the graph of a sharded extraction: neo4j-admin CSV and N-Triples shards in FOLDER/graph/.

    Example: kg assemble shards/ --scheduler local:2 && cat shards/graph/neo4j/import-command.txt
    """
    s = settings(base_iri=base_iri)
    with user_errors():
        m = api.assemble_shards(folder, scheduler=scheduler, buckets=buckets, base_iri=s.base_iri)
    c = m["counts"]
    click.echo(f"papers: {c.get('Paper', 0):,}, methods: {c.get('Method', 0):,}, datasets: {c.get('Dataset', 0):,}, "
               f"code repositories: {c.get('CodeRepository', 0):,}, relationships: "
               f"{sum(c.get(t, 0) for t in ('PROPOSES', 'MENTIONS', 'INTRODUCES', 'USES', 'HAS_CODE')):,}, "
               f"triples: {c.get('triples', 0):,}, seconds: {m['seconds']:.1f}, in {folder / 'graph'}")


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_option
@click.option("--base-iri", default=None, help="Base IRI the graph was assembled with (or KG_BASE_IRI).")
def load(folder: Path, store: Path | None, base_iri: str | None) -> None:
    """Bulk-load an assembled graph's N-Triples shards into a new embedded store.

    Example: kg load shards/ --store kg-data && kg query dataset-usage --store kg-data
    """
    s = settings(store=store, base_iri=base_iri)
    with user_errors():
        r = api.load_shards(folder, s.store, base_iri=s.base_iri)
    click.echo(f"loaded {r['triples']:,} triples from {r['files']} files into {s.store} in {r['seconds']:.1f} s")
