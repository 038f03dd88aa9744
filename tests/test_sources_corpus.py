"""Every file in ../shared/corpus reads without an exception; counts match its SOURCE.md."""

from __future__ import annotations

import collections

import pytest

from kg.model import Notice, Paper, Reject
from kg.sources import read

from tests.helpers import CORPUS
# Papers per file as ../shared/corpus/SOURCE.md states them.
EXPECTED = {
    "shiyibihua_arxiv-daily_data_2025-10_arxiv.json": 1399,
    "shiyibihua_arxiv-daily_data_2025-11_arxiv.json": 1026,
    "tiagoft_NLP_arxiv_data.csv": 996,
    "amds123_arxiv_posts_2014-2019_derived.jsonl": 20586,
    # ../shared/corpus/recent (no SOURCE.md there; counts are the records in the files)
    "recent/daily-arxiv-2025-2026.jsonl": 19486,
    "recent/hf-daily-papers-2026.json": 1616,  # {"days": [{"date", "papers": [...]}]}
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason=f"benchmark corpus not found at {CORPUS}; skipping"),
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_reads_whole(name: str) -> None:
    path = CORPUS / name
    papers: list[Paper] = []
    rejects: list[Reject] = []
    notices: list[Notice] = []  # a control character replaced: the paper still loads
    for record in read(path):
        (papers if isinstance(record, Paper) else notices if isinstance(record, Notice) else rejects).append(record)
    assert all(isinstance(r, Reject) for r in rejects)
    assert len(notices) <= 0.01 * EXPECTED[name], [str(n) for n in notices[:10]]
    why = collections.Counter(r.reason.split(";")[0] for r in rejects)
    print(f"\n{name}: {len(papers)} papers, {len(rejects)} rejected {dict(why)}, {len(notices)} notices")
    assert len(papers) + len(rejects) == EXPECTED[name]
    assert len(rejects) <= 0.01 * EXPECTED[name], [str(r) for r in rejects[:10]]
    assert all(p.title and p.abstract and p.key for p in papers)
    lines = [p.line for p in papers]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    if name.endswith(".json"):  # arXiv API and Hugging Face output: every paper has its arXiv id
        assert all(p.key.startswith("arxiv:") for p in papers)


def test_corpus_has_only_the_expected_files() -> None:
    found = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".md"}
    assert found == set(EXPECTED), "new corpus file: add its count from SOURCE.md to EXPECTED"
