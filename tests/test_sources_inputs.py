"""Where input comes from: standard input (``-``) and named pipes as streams in every format, a
folder read for its data files, a .txt that is not a listing, symlink loops, UTF-32."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.api
from kg.cli import cli
from kg.errors import SourceError
from kg.extract import Extractor
from kg.model import Paper
from kg.sources import FORMATS, read

TITLE, ABSTRACT = "A Stream Paper", "We train ResNet-50 on ImageNet and report results here."
TEXT = {
    "daily": f"{TITLE}\n\n{ABSTRACT}\n",
    "jsonl": json.dumps({"title": TITLE, "abstract": ABSTRACT}) + "\n",
    "json": json.dumps({"days": [{"papers": [{"title": TITLE, "summary": ABSTRACT}]}]}),
    "csv": f'title,abstract\n"{TITLE}","{ABSTRACT}"\n',
    "arxiv-xml": f"<feed><entry><title>{TITLE}</title><summary>{ABSTRACT}</summary></entry></feed>\n",
}


@pytest.fixture(autouse=True)
def _one_extractor(monkeypatch: pytest.MonkeyPatch, extractor: Extractor) -> None:
    monkeypatch.setattr(kg.api, "_extractor", lambda kb_files, model=None: extractor)


def titles_of(jsonl_text: str) -> list[str]:
    return [json.loads(ln)["title"] for ln in jsonl_text.splitlines() if ln.strip()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("forced", [True, False])
def test_stdin_in_every_format(fmt: str, forced: bool) -> None:
    args = ["extract", "-", *(["--input-format", fmt] if forced else [])]
    r = CliRunner().invoke(cli, args, input=TEXT[fmt].encode())
    assert r.exit_code == 0, r.output
    assert titles_of(r.stdout) == [TITLE]


def test_empty_stdin_says_no_papers_found() -> None:
    r = CliRunner().invoke(cli, ["extract", "-", "--input-format", "jsonl"], input=b"")
    assert r.exit_code == 3 and "rejected: no papers found in <stdin>" in r.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_named_pipe_is_read_as_a_stream(tmp_path: Path, fmt: str) -> None:
    fifo = tmp_path / "papers.pipe"
    os.mkfifo(fifo)

    def write() -> None:
        with fifo.open("w") as f:
            f.write(TEXT[fmt])

    t = threading.Thread(target=write, daemon=True)
    t.start()
    records = list(read(fifo, fmt))
    t.join(10)
    assert [r.title for r in records if isinstance(r, Paper)] == [TITLE]


def test_installed_kg_reads_a_fifo_and_dev_stdin(tmp_path: Path) -> None:
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat > '{fifo}'"], stdin=subprocess.PIPE, text=True)
    reader = subprocess.Popen(["kg", "extract", str(fifo), "--input-format", "jsonl", "-q"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer.communicate(TEXT["jsonl"] * 3, timeout=60)
    out, err = reader.communicate(timeout=120)  # hung forever before
    assert reader.returncode == 0, err
    assert titles_of(out) == [TITLE] * 3
    p = subprocess.run(["kg", "extract", "/dev/stdin", "-q"], input=TEXT["daily"], capture_output=True,
                       text=True, timeout=120)  # read 0 papers and exit 0 before
    assert p.returncode == 0, p.stderr
    assert titles_of(p.stdout) == [TITLE]


def test_a_folder_is_read_recursively_with_a_note_per_other_file(tmp_path: Path) -> None:
    top = tmp_path / "in"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / ".git").mkdir()
    (top / "a.jsonl").write_text(TEXT["jsonl"])
    (top / "sub" / "b.csv").write_text(TEXT["csv"].replace(TITLE, "Second"))
    (top / "sub" / "deeper" / "c.json").write_text(TEXT["json"].replace(TITLE, "Third"))
    (top / "notes.md").write_text("# not data\n")
    (top / ".git" / "config.json").write_text("{}")
    (top / ".hidden.jsonl").write_text("{}")
    r = CliRunner().invoke(cli, ["extract", str(top)])
    assert r.exit_code == 0, r.output
    assert titles_of(r.stdout) == [TITLE, "Second", "Third"]
    notes = [ln for ln in r.stderr.splitlines() if ln.startswith("note: ")]
    assert len(notes) == 1 and notes[0].startswith(f"note: {top / 'notes.md'}: skipped: not a data file")
    assert "Traceback" not in r.output and "is a directory" not in r.output


def test_txt_that_is_not_a_listing_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "readme.txt"
    path.write_text("\n\n".join(f"Paragraph {i} of some prose. It goes on for a while, as prose does, "
                                "with sentences that end in full stops." for i in range(200)))
    with pytest.raises(SourceError, match="does not look like a daily-papers listing.*accepted formats: daily"):
        list(read(path))
    r = CliRunner().invoke(cli, ["extract", str(path)])
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not look like a daily-papers listing" in lines[0]
    assert "jsonl, json, csv, arxiv-xml" in lines[0] and "--input-format" in lines[0]


def test_a_listing_with_one_title_missing_its_abstract_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "l.txt"
    path.write_text(f"Lonely Title\n\n{TITLE}\n\n{ABSTRACT}\n")
    recs = list(read(path))
    assert [type(r).__name__ for r in recs] == ["Reject", "Paper"]


def test_symlink_loop_is_called_a_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    with pytest.raises(SourceError, match="symbolic link loop"):
        read(loop)
    broken = tmp_path / "broken.jsonl"
    broken.symlink_to(tmp_path / "gone.jsonl")
    with pytest.raises(SourceError, match="broken symbolic link"):
        read(broken)


@pytest.mark.parametrize(("codec", "name"), [("utf-32", "UTF-32"), ("utf-32-be", None), ("utf-16", "UTF-16")])
def test_utf32_is_not_called_utf16(tmp_path: Path, codec: str, name: str | None) -> None:
    path = tmp_path / "p.jsonl"
    data = TEXT["jsonl"].encode(codec)
    path.write_bytes(b"\x00\x00\xfe\xff" + data if codec == "utf-32-be" else data)
    with pytest.raises(SourceError) as e:
        read(path)
    assert f"it looks like {name or 'UTF-32'};" in str(e.value)
