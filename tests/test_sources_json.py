"""JSON layouts a user has: paper objects nested at any depth, ``--records PATH``, hostile nesting."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources import read
from tests.helpers import CORPUS, need

HF = CORPUS / "recent" / "hf-daily-papers-2026.json"


def split(path: Path, fmt: str | None = None, records: str | None = None) -> tuple[list[Paper], list[Reject]]:
    out = list(read(path, fmt, records=records))
    return [r for r in out if isinstance(r, Paper)], [r for r in out if isinstance(r, Reject)]


def hf_like(path: Path) -> Path:
    """The Hugging Face daily-papers layout: {"days": [{"date", "papers": [...]}]}."""
    days = {
        "source": "Hugging Face daily papers",
        "days": [
            {"date": "2026-01-01", "papers": [
                {"id": "2512.24880", "daily_date": "2026-01-01", "title": "mHC: Hyper-Connections",
                 "summary": "We propose mHC.", "authors": ["A B", "C D"], "categories": ["cs.LG", "cs.CL"],
                 "arxiv_url": "https://arxiv.org/abs/2512.24880", "github_repo": None,
                 "model_metadata": {"topic_is_new": False}},
                {"id": "2512.00002", "daily_date": "2026-01-01", "title": "Second", "summary": "Abs two."},
            ]},
            {"date": "2026-01-02", "papers": []},
            {"date": "2026-01-03", "papers": [
                {"id": "2601.00003", "daily_date": "2026-01-03", "title": "Third", "summary": ""},
            ]},
        ],
    }
    path.write_text(json.dumps(days, indent=1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


def test_papers_nested_in_days_are_found_with_their_fields_and_lines(tmp_path: Path) -> None:
    path = hf_like(tmp_path / "hf.json")
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["mHC: Hyper-Connections", "Second"]
    first = papers[0]
    assert first.key == "arxiv:2512.24880" and first.abstract == "We propose mHC."
    assert first.date == "2026-01-01" and first.categories == ("cs.LG", "cs.CL")
    assert first.url == "https://arxiv.org/abs/2512.24880" and first.authors == ("A B", "C D")
    assert first.line == line_of(path, '"2512.24880"') - 1  # the line of its "{"
    assert [(r.line, r.reason) for r in rejects] == [(line_of(path, '"2601.00003"') - 1, "missing abstract")]


def test_records_path_gives_the_same_records_and_names_a_missing_key(tmp_path: Path) -> None:
    path = hf_like(tmp_path / "hf.json")
    assert split(path, records="days[].papers") == split(path)
    assert split(path, records="$.days[*].papers[]") == split(path)
    with pytest.raises(SourceError, match=r"hf.json:\d+: --records days.papers: no key 'papers' in a list"):
        split(path, records="days.papers")
    with pytest.raises(SourceError, match=r"--records nope\[\].papers: no key 'nope'"):
        split(path, records="nope[].papers")
    papers, rejects = split(path, records="days[].paperz")
    assert papers == [] and len(rejects) == 3 and "no key 'paperz'" in rejects[0].reason
    with pytest.raises(SourceError, match="expected keys joined by '.'"):
        read(path, records="days..papers")
    csv = tmp_path / "p.csv"
    csv.write_text("title,abstract\nT,A\n")
    with pytest.raises(SourceError, match="--records applies to JSON and JSON Lines input, not csv"):
        read(csv, records="papers")


def test_a_list_of_wrappers_and_deeper_nesting(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    rec = {"title": "Deep", "abstract": "A."}
    path.write_text(json.dumps([{"week": 1, "groups": [{"name": "g", "entries": {"x": [rec]}}]}]))
    assert [p.title for p in split(path)[0]] == ["Deep"]
    # a wrapper with its own title still gives its papers, not itself
    wrap = tmp_path / "wrap.json"
    wrap.write_text(json.dumps({"title": "My reading list", "papers": [rec]}))
    assert [p.title for p in split(wrap)[0]] == ["Deep"]


def test_jsonl_lines_with_records_path(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        json.dumps({"day": "d1", "papers": [{"title": "A", "summary": "x"}, {"title": "B", "summary": "y"}]}) + "\n"
        + json.dumps({"day": "d2"}) + "\n"
    )
    papers, rejects = split(path, records="papers")
    assert [(p.line, p.title) for p in papers] == [(1, "A"), (1, "B")]
    assert [(r.line, r.reason) for r in rejects] == [(2, "--records papers: no 'papers' here")]


def test_the_shared_hugging_face_file_reads_whole() -> None:
    papers, rejects = split(need(HF))
    assert len(papers) + len(rejects) == 1616 and len(rejects) <= 5, [str(r) for r in rejects[:5]]
    assert all(p.key.startswith("arxiv:") and p.date and p.date.startswith("2026-") for p in papers)
    lines = [p.line for p in papers]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)


def test_cli_reads_nested_json_and_takes_records(tmp_path: Path) -> None:
    path = hf_like(tmp_path / "hf.json")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(cli, ["extract", str(path), "-o", str(out), "--records", "days[].papers"])
    assert r.exit_code == 3, r.output  # the third paper has no abstract
    assert [json.loads(ln)["title"] for ln in out.read_text().splitlines()] == ["mHC: Hyper-Connections", "Second"]
    assert "missing abstract" in r.stderr and "Traceback" not in r.output
    p = subprocess.run([sys.executable, "-m", "kg", "ingest", str(path), "--store", str(tmp_path / "st"), "-q"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 3, p.stderr
    assert "papers read: 2," in p.stdout and "Traceback" not in p.stderr


# Nesting deeper than the parser's recursion limit, and integers over Python's 4,300-digit limit.
DEEP = "[" * 100_000 + "]" * 100_000
HUGE = "1" * 5000


@pytest.mark.parametrize(("bad", "why"), [
    ('{"title": "D", "abstract": "a", "x": ' + DEEP + "}", "nested too deeply"),
    ('{"title": "H", "abstract": "a", "n": ' + HUGE + "}", "a number with 5,000 digits"),
])
def test_jsonl_hostile_number_or_nesting_rejects_that_line(tmp_path: Path, bad: str, why: str) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"title": "Good", "abstract": "a"}) + "\n" + bad + "\n"
                    + json.dumps({"title": "Good 2", "abstract": "b"}) + "\n")
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Good", "Good 2"]
    assert [r.line for r in rejects] == [2] and why in rejects[0].reason
    assert len(str(rejects[0])) < 300


@pytest.mark.parametrize(("bad", "why"), [(DEEP, "nested too deeply"), (HUGE, "a number with 5,000 digits")])
@pytest.mark.parametrize("layout", ["list", "nested"])
def test_json_hostile_number_or_nesting_is_one_line_naming_the_file(tmp_path: Path, bad: str, why: str,
                                                                     layout: str) -> None:
    path = tmp_path / "p.json"
    good = '{"title": "Good", "abstract": "a"}'
    body = f'[{good},\n{{"title": "B", "abstract": "b", "x": {bad}}}]'
    path.write_text(body if layout == "list" else '{"days": [{"papers": ' + body + "}]}")
    with pytest.raises(SourceError) as e:
        list(read(path))
    msg = str(e.value)
    assert msg.startswith(f"{path}:2:") and why in msg and "\n" not in msg and len(msg) < 400
    r = CliRunner().invoke(cli, ["extract", str(path), "-o", str(tmp_path / "o.jsonl")])
    assert r.exit_code == 1 and why in r.output and "Traceback" not in r.output


def test_sniffing_a_deep_first_line_is_no_crash(tmp_path: Path) -> None:
    path = tmp_path / "noext"
    path.write_text("{" + '"a":' * 50_000 + "1" + "}" * 50_000 + "\n")
    with pytest.raises(SourceError):
        list(read(path))
