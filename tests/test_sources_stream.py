"""Memory stays flat whatever the input: an over-long daily paragraph is rejected without being
held, rejects are streamed (counted, the first few kept); reject lines stay one line."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.api
from kg.api import Rejects, ingest
from kg.cli import cli
from kg.extract import Extractor
from kg.model import Paper, Reject
from kg.sources import MAX_FIELD_CHARS, read

ABSTRACT = "A good abstract that is long enough to read as one paragraph of words."


def peak_mib(fn) -> float:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shape", ["one line", "many lines"])
def test_daily_over_long_paragraph_is_a_reject_never_held(tmp_path: Path, shape: str) -> None:
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8") as f:
        f.write(f"Good Title\n\n{ABSTRACT}\n\nBig Title\n\n")
        for _ in range(40):  # 40 MB: 40 times the field limit
            f.write("word " * 200_000 + ("\n" if shape == "many lines" else ""))
        f.write(f"\n\nLast Title\n\n{ABSTRACT}\n")
    records: list = []
    peak = peak_mib(lambda: records.extend(read(path)))
    assert peak < 12, f"{peak:.0f} MiB for a 40 MB paragraph"  # was several times the paragraph
    assert [r.title for r in records if isinstance(r, Paper)] == ["Good Title", "Last Title"]
    (rej,) = [r for r in records if isinstance(r, Reject)]
    assert rej.line == 5 and rej.record == "Big Title"
    assert rej.reason.startswith(f"abstract is over {MAX_FIELD_CHARS:,} characters (40,000,0")


def test_daily_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    body = ("word " * (MAX_FIELD_CHARS // 5 - 1)).strip() + "."
    path.write_text(f"Big Title\n\n{body}\n", encoding="utf-8")
    (p,) = list(read(path))
    assert isinstance(p, Paper) and len(p.abstract) == len(body)


def test_rejects_are_counted_not_held(tmp_path: Path, extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.api, "_extractor", lambda kb_files, model=None: extractor)
    path = tmp_path / "bad.jsonl"
    with path.open("w") as f:
        f.write(json.dumps({"title": "Good", "abstract": "We use ImageNet."}) + "\n")
        f.write('{"title": "cut off\n' * 100_000)
    seen = [0]

    def on_reject(r: Reject) -> None:
        seen[0] += 1

    report = kg.api.IngestReport()
    peak = peak_mib(lambda: ingest([path], store=tmp_path / "st", on_reject=on_reject, report=report))
    assert len(report.rejected) == seen[0] == 100_000 and report.papers == 1
    assert len(list(report.rejected)) == report.rejected.keep == 20
    assert [r.line for r in report.rejected][:2] == [2, 3]
    assert "rejected: 100000" in report.summary()
    assert peak < 40, f"{peak:.0f} MiB"  # 100,000 Rejects held were ~60 MiB


def test_rejects_tally() -> None:
    r = Rejects(keep=1)
    assert not r and len(r) == 0
    r.add(Reject("f", 1, "a"))
    r.add(Reject("f", 2, "b"))
    assert r and len(r) == 2 and [x.line for x in r] == [1]


def test_a_newline_in_a_file_name_keeps_the_reject_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines\x1b[31m.jsonl"
    path.write_text('{"title": "No abstract"}\n')
    r = CliRunner().invoke(cli, ["extract", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 3, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("rejected:")]
    assert lines == [f"rejected: {tmp_path}/two\\x0alines\\x1b[31m.jsonl:1: missing abstract [No abstract]"]
