"""Floors on the dev gold (tests/data/dev-gold.jsonl, 80) and the holdout gold (holdout-gold.jsonl, 40), read in place from ../shared/corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.evaluate import evaluate, format_report
from kg.model import Paper

DEV = Path(__file__).parent / "data" / "dev-gold.jsonl"
from tests.helpers import CORPUS


def _key(t: str) -> str:
    return " ".join(t.casefold().split())


def _score(gold: Path):
    from kg.extract import Extractor
    from kg.sources import read

    wanted: dict[str, set[str]] = {}
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            wanted.setdefault(g["source"], set()).add(_key(g["title"]))
    papers = [p for src, titles in wanted.items() for p in read(CORPUS / src)
              if isinstance(p, Paper) and _key(p.title) in titles]
    r = evaluate(gold, Extractor().extract_all(papers))
    assert not r.papers_without_extraction, r.papers_without_extraction
    return r, format_report(r, True)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not present")
def test_dev_gold_floor():
    r, report = _score(DEV)
    # floors a little under what the extractor reaches (methods P .923 R .932, datasets P .906 R .906, proposed .862)
    assert r.scores["methods"].precision >= 0.90 and r.scores["methods"].recall >= 0.90, report
    assert r.scores["datasets"].precision >= 0.88 and r.scores["datasets"].recall >= 0.88, report
    assert r.scores["code_urls"].f1 >= 0.99, report
    assert r.proposed_accuracy >= 0.83, report


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus not present")
def test_holdout_gold_floor():
    # The holdout was scored blind once (methods P .825 R .904, datasets P 1.0 R .944, proposed .794) and
    # then used for error analysis, so it is no longer blind: this floor only guards against regressions.
    r, report = _score(Path(__file__).parent / "data" / "holdout-gold.jsonl")
    # reached: methods P .942 R .942, datasets P 1.0 R .944, proposed .971
    assert r.scores["methods"].precision >= 0.92 and r.scores["methods"].recall >= 0.92, report
    assert r.scores["datasets"].precision >= 0.97 and r.scores["datasets"].recall >= 0.92, report
    assert r.scores["code_urls"].f1 >= 0.99, report
    assert r.proposed_accuracy >= 0.94, report
