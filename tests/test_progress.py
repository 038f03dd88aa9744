"""Progress as a user sees it: on a terminal a live display with papers, share of the input, rate,
ETA and file, every message on a line of its own; off a terminal only plain lines; --quiet silent."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli_progress import Progress, count_lines
from kg.model import Paper
from tests.helpers import REPO

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def papers_file(path: Path, n: int = 60, bad_at: int = 35) -> Path:
    lines = [json.dumps({"title": f"Probing Study {i}", "abstract": f"We train ResNet-{i} on ImageNet."})
             for i in range(n)]
    lines.insert(bad_at, '{"title": "broken')
    path.write_text("\n".join(lines) + "\n")
    return path


def run_in_pty(*args: object, cwd: Path) -> tuple[int, str]:
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "kg", *map(str, args)], stdout=subprocess.DEVNULL, stderr=slave,
                         stdin=subprocess.DEVNULL, cwd=cwd, env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    os.close(master)
    return p.wait(timeout=120), out.decode("utf-8", "replace")


def test_count_lines_counts_a_last_line_without_newline(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x\ny\nz")
    (tmp_path / "b").write_bytes(b"x\n" * 3_000_000)
    assert count_lines(tmp_path / "a") == 3 and count_lines(tmp_path / "b") == 3_000_000


def test_share_of_the_input_counts_the_files_before_the_current_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("x\n" * 30)
    b.write_text("x\n" * 10)
    p = Progress(False, "papers", [a, b])
    p.at(Paper(key="k", title="t", abstract="a", source=str(b), line=5))
    assert p.fraction() == pytest.approx(35 / 40)
    assert Progress(False, "papers", [Path("-")]).fraction() is None  # stdin: no total


def test_on_a_terminal_a_live_display_and_messages_on_their_own_lines(tmp_path: Path) -> None:
    src = papers_file(tmp_path / "in.jsonl")
    code, err = run_in_pty("ingest", src, tmp_path / "missing.jsonl", "--store", tmp_path / "s",
                           "--batch-size", "5", cwd=tmp_path)
    assert code == 1  # the missing file: its error comes last, after the display is gone
    text = ANSI.sub("", err)
    assert re.search(r"\d+ papers .*\d+%.* \d+/s .*in\.jsonl", text), text[-2000:]
    for m in re.finditer(r"rejected: |Error: ", text):  # "end the line before any message"
        assert m.start() == 0 or text[m.start() - 1] in "\r\n", repr(text[max(0, m.start() - 80):m.end()])
    assert "rejected: " in text and "Error: " in text and "missing.jsonl" in text
    assert re.search(r"(^|\r)60 papers in \d+:\d\d, \d+ papers/s\r?$", text, re.M), text[-800:]


def test_off_a_terminal_plain_lines_only_and_quiet_is_silent(tmp_path: Path) -> None:
    src = papers_file(tmp_path / "in.jsonl")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    p = subprocess.run([sys.executable, "-m", "kg", "ingest", str(src), "--store", str(tmp_path / "s"),
                        "--batch-size", "5"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert p.returncode == 3
    assert "\r" not in p.stderr and "\x1b" not in p.stderr
    assert all(ln.startswith("rejected: ") for ln in p.stderr.splitlines()), p.stderr
    code, err = run_in_pty("ingest", src, "--store", tmp_path / "s2", "-q", cwd=tmp_path)
    assert code == 3 and err.strip() == "", err
