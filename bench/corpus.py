"""The benchmark corpus: its files, its papers, and N-fold streams of it with fresh paper ids."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from pathlib import Path

from kg.model import Paper, Reject

__all__ = ["DEFAULT_CORPUS", "corpus_files", "read_papers", "stream_papers", "fresh_key"]

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ".xml", ".atom"}


def corpus_files(folder: Path) -> list[Path]:
    """The paper files in ``folder`` (by extension; README-like files such as SOURCE.md are left out)."""
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)


def read_papers(files: list[Path], rejects: list[Reject] | None = None) -> Iterator[Paper]:
    """Every paper of ``files`` in order (through ``kg.sources``, as ``kg ingest`` reads them)."""
    from kg.api import iter_papers

    return iter_papers(files, on_reject=rejects.append if rejects is not None else None)


def fresh_key(key: str, copy: int) -> str:
    """The key of the ``copy``-th repetition of a paper (copy 0 keeps the original key)."""
    return key if copy == 0 else f"{key}~bench{copy}"


def stream_papers(files: list[Path], *, copies: int = 1, limit: int | None = None) -> Iterator[Paper]:
    """The corpus ``copies`` times over (or until ``limit`` papers), each copy with fresh keys.

    Streamed: the files are read again for every copy, nothing is held, so memory measured while
    consuming this is the consumer's, not the input's.
    """
    endless = limit is not None and copies <= 1  # a limit alone repeats the corpus as needed
    copy_numbers = itertools.count() if endless else range(copies)

    def _gen() -> Iterator[Paper]:
        for c in copy_numbers:
            n = 0
            for p in read_papers(files):
                n += 1
                yield p if c == 0 else dataclasses.replace(p, key=fresh_key(p.key, c))
            if n == 0:
                return  # an empty corpus repeated forever is still empty

    gen = _gen()
    return itertools.islice(gen, limit) if limit is not None else gen
