"""Nasty inputs end to end through `kg ingest`: good records land, bad ones are `file:line: reason`,
the documented exit code (0 all in, 1 error, 3 some rejected), never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kg.api
from kg.api import open_store
from kg.cli import cli
from kg.extract import Extractor

GOOD = {"title": "Sparse Probes for ImageNet", "abstract": "We train ResNet-50 on ImageNet and CIFAR-10."}
GOOD2 = {"title": "Graph Nets on Cora", "abstract": "We evaluate GraphSAGE on Cora and PubMed."}




@pytest.fixture(autouse=True)
def _one_extractor(monkeypatch: pytest.MonkeyPatch, extractor: Extractor) -> None:
    """The real extractor, built once per module instead of once per command (it takes seconds)."""
    monkeypatch.setattr(kg.api, "_extractor", lambda kb_files, model=None: extractor)


def ingest(*args: object, ok: int) -> Result:
    result = CliRunner().invoke(cli, ["ingest", *map(str, args)])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}") from result.exception
    assert result.exit_code == ok, (result.exit_code, result.output)
    return result


def titles(store: Path) -> list[str]:
    with open_store(store, read_only=True) as st:
        _, rows = st.query("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t")
    return [r[0] for r in rows]


def paper_count(store: Path) -> int:
    with open_store(store, read_only=True) as st:
        return st.counts()["Paper"]


def rejects_of(result: Result) -> list[str]:
    return [ln.removeprefix("rejected: ") for ln in result.stderr.splitlines() if ln.startswith("rejected: ")]


def jsonl(path: Path, *records: object) -> Path:
    # ensure_ascii=False keeps non-ASCII as UTF-8 bytes; a lone surrogate can only be a \u escape
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    path.write_bytes(text.encode("utf-8", "backslashreplace"))
    return path


@pytest.fixture()
def good(tmp_path: Path) -> Path:
    return jsonl(tmp_path / "good.jsonl", GOOD)


# ---- whole files that cannot be read: exit 1, one line naming the file, the other files still land

@pytest.mark.parametrize("name,content,message", [
    ("image.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4, "not a text file"),
    ("notlist.json", b'{"count": 2, "query": "x"}', "expected a JSON list of paper objects"),
    ("nocols.csv", b"name,year\nfoo,2020\n", "CSV header has no title or abstract column"),
    ("utf16.jsonl", json.dumps(GOOD).encode("utf-16"), "UTF-16"),
])
def test_unreadable_file_is_one_line_exit_1_and_other_files_still_ingested(
        tmp_path: Path, good: Path, name: str, content: bytes, message: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    store = tmp_path / "s"
    result = ingest(good, bad, "--store", store, ok=1)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {bad}") and message in line, line
    assert "the other files were ingested: 1 papers" in line
    assert titles(store) == [GOOD["title"]]
    # the bad file first changes nothing: the good one after it still lands
    store2 = tmp_path / "s2"
    ingest(bad, good, "--store", store2, ok=1)
    assert titles(store2) == [GOOD["title"]]


def test_extract_keeps_the_good_files_and_names_the_unreadable_one(tmp_path: Path, good: Path) -> None:
    bad = tmp_path / "image.jsonl"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4)
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(cli, ["extract", str(bad), str(good), "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {bad}") and "not a text file" in line, line
    assert "the other files were extracted: 1 papers written" in line
    assert [json.loads(x)["title"] for x in out.read_text().splitlines()] == [GOOD["title"]]


def test_eval_stops_at_an_unreadable_input_rather_than_score_without_it(tmp_path: Path, good: Path) -> None:
    gold = jsonl(tmp_path / "gold.jsonl", {"title": GOOD["title"], "methods": {"core": ["ResNet-50"]},
                                           "datasets": {"core": ["ImageNet", "CIFAR-10"]}})
    bad = tmp_path / "nocols.csv"
    bad.write_bytes(b"name,year\nfoo,2020\n")
    result = CliRunner().invoke(cli, ["eval", str(gold), str(good), str(bad)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.strip().startswith(f"Error: {bad}"), result.stderr
    assert "P " not in result.stdout and "methods" not in result.stdout


def test_missing_file_alone_is_exit_1_without_a_partial_promise(tmp_path: Path) -> None:
    result = ingest(tmp_path / "nope.jsonl", "--store", tmp_path / "s", ok=1)
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope.jsonl'}: no such file; check the path"


@pytest.mark.parametrize("name,content", [
    ("empty.jsonl", b""), ("blank.txt", b"\n\n  \n"), ("bom-only.csv", b"\xef\xbb\xbf"), ("empty.json", b""),
])
def test_empty_file_says_no_papers_found_and_exits_3(tmp_path: Path, good: Path, name: str, content: bytes) -> None:
    """Issue 12: an empty file loaded nothing and said nothing (exit 0); now it is named, as a reject."""
    empty = tmp_path / name
    empty.write_bytes(content)
    result = ingest(empty, good, "--store", tmp_path / "s", ok=3)
    assert rejects_of(result) == [f"no papers found in {empty}"]
    assert "papers read: 1, rejected: 1," in result.stdout
    assert titles(tmp_path / "s") == [GOOD["title"]]


# ---- bad records inside a readable file: each one `file:line: reason`, exit 3, the rest land

def test_invalid_utf8_and_broken_jsonl_lines_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([
        json.dumps(GOOD).encode(),
        b'{"title": "Bad \xff\xfe bytes", "abstract": "x"}',
        b'{"title": "cut off',
        b"}{",
        json.dumps(GOOD2).encode(),
    ]) + b"\n")
    rejects = tmp_path / "rejects.txt"
    result = ingest(path, "--store", tmp_path / "s", "--rejects", rejects, ok=3)
    got = rejects_of(result)
    assert [r.split(": ")[0] for r in got] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "invalid UTF-8" in got[0] and "invalid JSON" in got[1] and "invalid JSON" in got[2]
    assert rejects.read_text(encoding="utf-8").splitlines() == got
    assert titles(tmp_path / "s") == sorted([GOOD["title"], GOOD2["title"]])
    assert "papers read: 2, rejected: 3," in result.stdout


@pytest.mark.parametrize("record,reason", [
    ({"title": "", "abstract": "a"}, "missing title"),
    ({"abstract": "a"}, "missing title"),
    ({"title": "T", "abstract": "  "}, "missing abstract"),
    ({"title": "T"}, "missing abstract"),
    ({"title": "Lone \ud800 half", "abstract": "a"}, "title: lone surrogate U+D800"),
])
def test_missing_or_broken_fields_are_rejected_by_line(tmp_path: Path, record: dict, reason: str) -> None:
    path = jsonl(tmp_path / "x.jsonl", GOOD, record, GOOD2)
    result = ingest(path, "--store", tmp_path / "s", ok=3)
    (r,) = rejects_of(result)
    assert r.startswith(f"{path}:2: {reason}"), r
    assert titles(tmp_path / "s") == sorted([GOOD["title"], GOOD2["title"]])


@pytest.mark.parametrize("char", ["\u0000", "\u0008", "\u007f", "\u0085", "\u009b", "\ufffe", "\uffff"])
def test_control_characters_are_replaced_with_a_note_and_the_paper_kept(tmp_path: Path, char: str) -> None:
    """Issue 12/14: NUL, DEL, C1 controls (a CSI can drive the terminal) and U+FFFE/U+FFFF (no XML
    parser accepts them) were a reject of the whole paper, or kept raw: now a space, and a note."""
    bad = {"title": f"Nul {char} inside", "abstract": f"We use{char}MNIST."}
    path = jsonl(tmp_path / "x.jsonl", GOOD, bad, GOOD2)
    result = ingest(path, "--store", tmp_path / "s", ok=0)
    assert rejects_of(result) == []
    notes = [ln for ln in result.stderr.splitlines() if ln.startswith("note: ")]
    cp = f"U+{ord(char):04X}"
    assert notes == [f"note: {path}:2: title: control character {cp} at offset 4 replaced by a space",
                     f"note: {path}:2: abstract: control character {cp} at offset 6 replaced by a space"]
    assert titles(tmp_path / "s") == sorted([GOOD["title"], GOOD2["title"], "Nul inside"])
    with open_store(tmp_path / "s", read_only=True) as st:
        _, rows = st.query('SELECT ?a WHERE { ?p dcterms:title "Nul inside" ; dcterms:abstract ?a }')
    assert rows == [["We use MNIST."]]


def test_five_mb_abstract_is_one_reject_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    huge = {"title": "Huge", "abstract": "We use ImageNet. " * 300_000}  # 5.1 MB, made here, not committed
    jsonl(path, GOOD, huge, GOOD2)
    assert path.stat().st_size > 5_000_000
    result = ingest(path, "--store", tmp_path / "s", ok=3)
    (r,) = rejects_of(result)
    assert r.startswith(f"{path}:2: abstract is 5,100,000 characters, over the limit"), r[:200]
    assert len(r) < 1000  # the record is shown cut short, not 5 MB on stderr
    assert titles(tmp_path / "s") == sorted([GOOD["title"], GOOD2["title"]])


def test_bom_and_crlf_in_every_text_format(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    (tmp_path / "a.jsonl").write_bytes(bom + json.dumps(GOOD).encode() + b"\r\n")
    (tmp_path / "b.csv").write_bytes(bom + b'title,abstract\r\n"Crlf CSV Paper","We use MNIST.\r\nTwo lines."\r\n')
    (tmp_path / "c.txt").write_bytes(bom + b"Crlf Daily Paper\r\n\r\nWe use MNIST here.\r\n")
    (tmp_path / "d.json").write_bytes(bom + json.dumps([GOOD2], indent=1).replace("\n", "\r\n").encode())
    store = tmp_path / "s"
    ingest(*(tmp_path / n for n in ("a.jsonl", "b.csv", "c.txt", "d.json")), "--store", store, ok=0)
    got = titles(store)
    assert got == sorted([GOOD["title"], "Crlf CSV Paper", "Crlf Daily Paper", GOOD2["title"]])
    assert not any("\ufeff" in t or "\r" in t for t in got)


def test_same_paper_twice_in_one_file_and_across_files_is_one_node(tmp_path: Path) -> None:
    a = jsonl(tmp_path / "a.jsonl", {**GOOD, "id": "2401.00001"}, {**GOOD, "id": "2401.00001v2"}, GOOD2)
    b = jsonl(tmp_path / "b.jsonl", {**GOOD2, "title": "  graph NETS on cora "}, {**GOOD, "arxiv_id": "2401.00001"})
    store = tmp_path / "s"
    ingest(a, b, "--store", store, ok=0)
    assert paper_count(store) == 2
    ingest(b, a, "--store", store, ok=0)
    assert paper_count(store) == 2


def test_long_url_zero_width_rtl_and_hostile_names_stored_verbatim(tmp_path: Path) -> None:
    long_url = "https://github.com/owner/" + "r" * 10_000
    records = [
        {"title": "Long URL Paper", "abstract": f"Code: {long_url} . We use ImageNet.", "url": long_url},
        {"title": "Zero\u200bwidth \u200d joiner \ufeff paper", "abstract": "We use CIFAR-10."},
        {"title": "\u202eRight to left\u202c \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627", "abstract": "We use MNIST."},
        {"title": 'x"}) DETACH DELETE n //', "abstract": "We propose `Tick\\Net` {x} '; DROP TABLE papers; --"},
        {"title": "} ; DROP ALL ; SELECT * {", "abstract": 'Quotes " \' and \\" and \\\\ and ${x} and #{y}.'},
    ]
    path = jsonl(tmp_path / "hostile.jsonl", *records)
    store = tmp_path / "s"
    ingest(path, "--store", store, ok=0)
    assert titles(store) == sorted(r["title"] for r in records)
    with open_store(store, read_only=True) as st:
        _, rows = st.query("SELECT ?t ?a ?u WHERE { ?p dcterms:title ?t ; dcterms:abstract ?a . "
                           "OPTIONAL { ?p schema:url ?u } }", {"t": records[0]["title"]})
        assert rows == [[records[0]["abstract"], long_url]]
        _, rows = st.query("SELECT ?t ?a WHERE { ?p dcterms:title ?t ; dcterms:abstract ?a }", {"t": records[3]["title"]})
        assert rows == [[records[3]["abstract"]]]


def test_subprocess_mixed_bad_input_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    exe = shutil.which("kg")
    if exe is None:
        pytest.skip("the kg console script is not installed: pip install -e '.[dev]'")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(json.dumps(GOOD).encode() + b"\n{broken\n" + json.dumps({"title": "T"}).encode() + b"\n")
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x00\x01\x02" * 500)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def run(*args: Path) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([exe, "ingest", *map(str, args), "--store", str(tmp_path / "s")],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert "Traceback" not in done.stderr + done.stdout, done.stderr
        return done

    done = run(mixed)
    assert done.returncode == 3, done.stderr
    assert re.findall(r"^rejected: (.+?:\d+): ", done.stderr, re.M) == [f"{mixed}:2", f"{mixed}:3"]
    done = run(mixed, binary)
    assert done.returncode == 1 and f"Error: {binary}: not a text file" in done.stderr
    assert titles(tmp_path / "s") == [GOOD["title"]]
