"""``kg train``: retrain the extractor's scorer from the user's own gold files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kg import api
from kg.cli_common import format_in_option, kb_option, records_option, reject_printer, settings, user_errors

__all__ = ["train"]


class _FilesOption(click.Option):
    """An option taking every word after it up to the next option: ``--inputs a.jsonl b.csv``."""

    def add_to_parser(self, parser: Any, ctx: click.Context) -> None:
        super().add_to_parser(parser, ctx)
        opt = next(o for name in self.opts if (o := parser._long_opt.get(name) or parser._short_opt.get(name)))
        take = opt.process

        def process(value: Any, state: Any) -> None:
            take(value, state)
            while state.rargs and not state.rargs[0].startswith("-"):
                take(state.rargs.pop(0), state)

        opt.process = process


@click.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--inputs", "inputs", cls=_FilesOption, multiple=True, required=True, type=click.Path(path_type=Path),
              help="Files holding the gold papers (matched by title): every word after --inputs up to the next option.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Model file to write (JSON); use it with --model or KG_MODEL.")
@format_in_option
@records_option
@kb_option
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the fit.")
def train(gold: tuple[Path, ...], inputs: tuple[Path, ...], output: Path, input_format: str | None,
          records: str | None, kb_files: tuple[Path, ...], seed: int) -> None:
    """Train the scorer on your own gold files (ANNOTATION.md format); needs kg[train].

    Example: kg train gold.jsonl --inputs papers.jsonl -o my-model.json && kg ingest new.jsonl --model my-model.json
    """
    s = settings()
    with user_errors():
        report = api.train(list(gold), list(inputs), output, input_format=input_format, records=records,
                           kb_files=(*s.kb, *kb_files), seed=seed, on_reject=reject_printer(True, None))
    click.echo(report.summary())
    for t in report.unmatched[:10]:
        click.echo(f"not in the inputs: {t}", err=True)
    click.echo(f"wrote {output}", err=True)
