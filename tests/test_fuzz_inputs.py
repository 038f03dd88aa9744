"""Fuzz every source reader and the extractor (hypothesis, bounded): random bytes, mutated valid
files and mutated real abstracts. Nothing but SourceError may escape a reader, nothing at all the
extractor, and every mention's offsets must index its field. ``KG_FUZZ=N`` runs N times longer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import SourceError
from kg.extract import Extractor
from kg.model import Notice, Paper, Reject
from kg.sources import FORMATS, read
from tests.helpers import CORPUS

SCALE = max(1, int(os.environ.get("KG_FUZZ", "1")))
EXT = {"daily": "txt", "jsonl": "jsonl", "json": "json", "csv": "csv", "arxiv-xml": "xml"}
GOOD = {
    "daily": b"A Title\n\nAn abstract sentence that goes on. Another one, with ResNet on ImageNet.\n",
    "jsonl": b'{"title": "A Title", "abstract": "We use BERT on SQuAD.", "authors": ["A B"]}\n',
    "json": b'{"days": [{"date": "2026-01-01", "papers": [{"title": "T", "summary": "S \\u00e9", "id": "2501.00001"}]}]}',
    "csv": b'title,abstract,authors\n"A, Title","We use ""GPT"" on\nMNIST.",A B\n',
    "arxiv-xml": b"<feed><entry><title>T</title><summary>We &amp; ViT.</summary><id>2501.00001v1</id></entry></feed>",
}
NASTY = ["\x00", "\x1b[31m", "\u202e", "\ufffe", "\ud800", "\r\n", "\r", "<a href=\"", "\\url{", "(((", "'''",
         "https://[::1/x", "https://\u2100.com/", "Big Model (BM)", "$", "{", "}", "&amp;", "\u00a0", "😀", "\n\n",
         "github.com/", "(ABC)", "e.g.", "—", "\t", "\\"]
FALLBACK = [
    "We propose FooNet, a Transformer (TF) trained on ImageNet and CIFAR-10. Code: https://github.com/a/foonet.",
    "Large Language Models (LLMs) such as GPT-4 are evaluated on MMLU and GSM8K; see <a href=\"https://x.org\">this https URL</a>.",
    "We introduce the Toulouse Road Network dataset and a Graph Neural Network (GNN) baseline \\url{https://gitlab.com/t/r}.",
]


def _abstracts() -> list[str]:
    path = CORPUS / "amds123_arxiv_posts_2014-2019_derived.jsonl"
    if not path.exists():
        return FALLBACK
    out = []
    with path.open(encoding="utf-8") as f:
        for line, _ in zip(f, range(300)):
            out.append(json.loads(line)["abstract"])
    return out + FALLBACK


ABSTRACTS = _abstracts()
# A lone surrogate never reaches the extractor (every reader rejects the record holding one).
TEXT_NASTY = [s for s in NASTY if s != "\ud800"]
SETTINGS = dict(deadline=None, derandomize=SCALE == 1, suppress_health_check=list(HealthCheck))


def _mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    for pos, cut, ins in ops:
        p = pos % (len(data) + 1)
        data = data[:p] + ins + data[p + cut % 4:]
    return data


def _read_all(path: Path, fmt: str | None) -> None:
    try:
        for rec in read(path, fmt):
            assert isinstance(rec, (Paper, Reject, Notice)), rec
            if isinstance(rec, Paper):
                assert rec.title and rec.abstract and rec.key
            str(rec)
    except SourceError:
        pass  # the whole file refused, in one message (its wording is tested elsewhere)


_ops = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3),
                          st.one_of(st.sampled_from(NASTY).map(lambda s: s.encode("utf-8", "surrogatepass")),
                                    st.binary(max_size=6))), max_size=6)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=40 * SCALE, **SETTINGS)
@given(data=st.binary(max_size=600))
def test_reader_on_random_bytes(tmp_path_factory: pytest.TempPathFactory, fmt: str, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fz") / f"f.{EXT[fmt]}"
    path.write_bytes(data)
    _read_all(path, None)
    _read_all(path, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=60 * SCALE, **SETTINGS)
@given(ops=_ops)
def test_reader_on_mutated_valid_files(tmp_path_factory: pytest.TempPathFactory, fmt: str,
                                       ops: list[tuple[int, int, bytes]]) -> None:
    path = tmp_path_factory.mktemp("fz") / f"f.{EXT[fmt]}"
    path.write_bytes(_mutate(GOOD[fmt], ops))
    _read_all(path, None)
    _read_all(path, fmt)


def _check_offsets(field_text: str, mentions: tuple) -> None:
    for m in mentions:
        assert 0 <= m.start <= m.end <= len(field_text), (m, len(field_text))
        assert m.field in ("title", "abstract")


@settings(max_examples=60 * SCALE, **SETTINGS)
@given(i=st.integers(0, len(ABSTRACTS) - 1),
       ops=st.lists(st.tuples(st.integers(0, 5_000), st.integers(0, 3), st.sampled_from(TEXT_NASTY)), max_size=8),
       title_ops=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 3), st.sampled_from(TEXT_NASTY)), max_size=3))
def test_extractor_on_mutated_real_abstracts(extractor: Extractor, i: int, ops: list, title_ops: list) -> None:
    def mutate(text: str, edits: list) -> str:
        for pos, cut, ins in edits:
            p = pos % (len(text) + 1)
            text = text[:p] + ins + text[p + cut:]
        return text

    abstract = mutate(ABSTRACTS[i], ops)
    title = mutate("A Study of ResNet-50 (RN50) on ImageNet", title_ops)
    ex = extractor.extract(Paper(key="k", title=title, abstract=abstract))  # raises ExtractionError on any failure
    fields = {"title": title, "abstract": abstract}
    for e in ex.methods + ex.datasets:
        assert e.name and e.key
        for m in e.mentions:
            _check_offsets(fields[m.field], (m,))
    for u in ex.code_urls:
        assert u.url.startswith(("http://", "https://", "ftp://"))
        for m in u.mentions:
            _check_offsets(fields[m.field], (m,))


def test_csv_header_with_a_stray_quote_is_one_line(tmp_path: Path) -> None:
    """Found by the fuzz target above: csv.Error escaped the reader (a traceback)."""
    path = tmp_path / "p.csv"
    path.write_bytes(b'tle,"abs\x1b[31m"tract\n"A, Title","x"\n')
    with pytest.raises(SourceError, match=r"p.csv:1: bad CSV header row: .*check its quotes"):
        list(read(path))
