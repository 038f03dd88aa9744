"""A full output device (`-o /dev/full`, `--rejects` to a full disk, `kg query > /dev/full`): one
line, no traceback, exit 1, and nothing half-written left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.files import TMP_SUFFIX
from tests.helpers import DATA, REPO

TWO = DATA / "cli" / "two-papers.jsonl"
REJECTS = DATA / "cli" / "with-rejects.jsonl"
FORMATS = ["turtle", "ntriples", "nquads", "jsonld", "graphml", "json"]
KEEP = b"keep\n"


def run(*args: object) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}") from result.exception
    return result


def one_line_full(text: str, where: str = "") -> None:
    assert "Traceback" not in text, text
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("rejected: ")]
    assert len(lines) == 1, text
    assert ("device is full" in lines[0] or "disk is full" in lines[0]) and where in lines[0], text


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, patched: None) -> Path:
    s = tmp_path_factory.mktemp("devfill") / "kg-data"
    assert run("ingest", TWO, "--store", s, "-q").exit_code == 0
    return s


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_dev_full_is_one_line(store: Path, fmt: str) -> None:
    r = run("export", "--format", fmt, "-o", "/dev/full", "--store", store)
    assert r.exit_code == 1
    one_line_full(r.output)
    assert Path("/dev/full").is_char_device()


def test_extract_output_and_rejects_to_dev_full_are_one_line(patched: None) -> None:
    r = run("extract", TWO, "-o", "/dev/full", "-q")
    assert r.exit_code == 1
    one_line_full(r.output, "cannot write /dev/full")
    r = run("extract", REJECTS, "-o", "/dev/null", "--rejects", "/dev/full", "-q")
    assert r.exit_code == 1
    one_line_full(r.output, "cannot write /dev/full")


def test_ingest_rejects_to_dev_full_is_one_line(tmp_path: Path, patched: None) -> None:
    r = run("ingest", REJECTS, "--store", tmp_path / "s", "--rejects", "/dev/full", "-q")
    assert r.exit_code == 1
    one_line_full(r.output, "cannot write /dev/full")


def _kg_to_dev_full(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open("/dev/full", "w") as full:
        return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)


@pytest.mark.parametrize("args", [
    ("query", "dataset-usage"), ("query", "dataset-usage", "--format", "csv"),
    ("query", "dataset-usage", "--format", "json"), ("stats",), ("export",),
    ("export", "--format", "graphml"), ("export", "--format", "json"), ("query", "--list"),
], ids=lambda a: "-".join(a))
def test_standard_output_to_dev_full_is_one_line(store: Path, args: tuple[str, ...]) -> None:
    extra = () if args == ("query", "--list") else ("--store", store)
    p = _kg_to_dev_full(*args, *extra)
    assert p.returncode == 1, p.stderr
    one_line_full(p.stderr, "standard output" if args[0] != "export" or len(args) > 1 else "")


# ---- a real full disk: a 64 KiB tmpfs filled up (needs root to mount; skips otherwise) ----------

@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up ({r.stderr.strip()}); /dev/full tests cover the rest")
    try:
        (mnt / "x.ttl").write_bytes(KEEP)
        (mnt / "admin").mkdir()
        (mnt / "admin" / "nodes-Paper.csv").write_bytes(KEEP)
        try:
            with open(mnt / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 1024)
                    f.flush()
        except OSError:
            pass
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_full_disk_keeps_the_old_files_and_leaves_no_temporary(store: Path, full_disk: Path, patched: None) -> None:
    for fmt in FORMATS:
        r = run("export", "--format", fmt, "-o", full_disk / "x.ttl", "--store", store)
        assert r.exit_code == 1
        one_line_full(r.output)
    r = run("export", "--format", "neo4j-admin", "-o", full_disk / "admin", "--store", store)
    assert r.exit_code == 1
    one_line_full(r.output)
    r = run("extract", TWO, "-o", full_disk / "x.ttl", "-q")
    assert r.exit_code == 1
    one_line_full(r.output)
    r = run("ingest", REJECTS, "--store", store.parent / "other", "--rejects", full_disk / "x.ttl", "-q")
    assert r.exit_code == 1
    one_line_full(r.output, f"cannot write {full_disk / 'x.ttl'}")
    assert (full_disk / "x.ttl").read_bytes() == KEEP
    assert (full_disk / "admin" / "nodes-Paper.csv").read_bytes() == KEEP
    assert sorted(p.name for p in full_disk.rglob("*") if p.name.endswith(TMP_SUFFIX)) == []
    assert sorted(p.name for p in (full_disk / "admin").iterdir()) == ["nodes-Paper.csv"]
