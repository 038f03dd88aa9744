"""Paths shared by the tests: the repository, ../shared and the seed files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED", REPO.parent / "shared"))
SEED = SHARED / "seeds" / "daily-papers-2024-03-11.txt"
SEED_GOLD = SHARED / "gold" / "seed.jsonl"
CORPUS = SHARED / "corpus"
DATA = Path(__file__).resolve().parent / "data"


def need(path: Path) -> Path:
    """Skip the calling test with a clear message when ``path`` (from ../shared) is absent."""
    if not path.exists():
        pytest.skip(f"{path} is absent: put the project's shared/ folder beside the repo or set KG_SHARED")
    return path


def corpus_slice(out: Path, n: int) -> Path:
    """The first ``n`` lines of the shared JSONL corpus copied to ``out`` (a tmp file, never the repo)."""
    src = need(CORPUS / "amds123_arxiv_posts_2014-2019_derived.jsonl")
    with src.open("rb") as f, out.open("wb") as g:
        for _, line in zip(range(n), f):
            g.write(line)
    return out
