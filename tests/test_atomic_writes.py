"""Never lose a file: every file kg writes appears whole or not at all, and a failed or
interrupted run (no store, store busy, missing input, Ctrl-C) leaves the old file as it was."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.errors import SinkError
from kg.files import TMP_SUFFIX, AtomicFiles, atomic_write
from kg.sinks.store_open import LOCK_FILE
from tests.helpers import DATA, REPO, corpus_slice

TWO = DATA / "cli" / "two-papers.jsonl"
FILE_FORMATS = ["turtle", "ntriples", "nquads", "jsonld", "graphml", "json"]
KEEP = b"keep: the user's old file\n"


def run(*args: object, ok: int) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}") from result.exception
    assert result.exit_code == ok, (result.exit_code, result.output)
    return result


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(f"*{TMP_SUFFIX}"))


def old_file(path: Path) -> Path:
    path.write_bytes(KEEP)
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, patched: None) -> Path:
    s = tmp_path_factory.mktemp("atomic") / "kg-data"
    run("ingest", TWO, "--store", s, "-q", ok=0)
    return s


@pytest.fixture()
def busy(store: Path) -> Iterator[Path]:
    """The store, locked as a running `kg ingest` holds it."""
    fd = os.open(store / LOCK_FILE, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield store
    finally:
        os.close(fd)


# ---- the helper ------------------------------------------------------------------------------

@pytest.mark.parametrize("error", [ValueError("boom"), KeyboardInterrupt()])
def test_an_error_or_ctrl_c_inside_the_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, error) -> None:
    target = old_file(tmp_path / "out.txt")
    with pytest.raises(type(error)):
        with atomic_write(target, "w") as f:
            f.write("half of the new content")
            assert leftovers(tmp_path), "the new content goes to a temporary file beside the target"
            raise error
    assert target.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


def test_success_replaces_the_file_keeping_its_mode_and_a_symlink(tmp_path: Path) -> None:
    real = old_file(tmp_path / "real.txt")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with atomic_write(link, "w") as f:
        f.write("new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "new.txt", "w") as f:
        f.write("x")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_group_renames_nothing_unless_every_file_is_complete(tmp_path: Path) -> None:
    a, b = old_file(tmp_path / "a.csv"), old_file(tmp_path / "b.csv")
    with pytest.raises(RuntimeError):
        with AtomicFiles() as files:
            files.open(a).write("new a")
            files.open(b).write("new b")
            raise RuntimeError("the second file failed")
    assert a.read_bytes() == b.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


def test_a_device_is_written_directly_never_replaced(tmp_path: Path) -> None:
    with atomic_write("/dev/null", "w") as f:
        f.write("gone")
    assert Path("/dev/null").is_char_device()


def test_a_directory_or_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SinkError, match="it is a directory"):
        with atomic_write(tmp_path, "w"):
            pass
    with pytest.raises(SinkError, match="No such file or directory; check that its folder exists"):
        with atomic_write(tmp_path / "no" / "x.txt", "w"):
            pass


# ---- every command that writes ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_export_with_no_store_or_a_busy_store_leaves_the_old_file(tmp_path: Path, busy: Path, fmt: str) -> None:
    out = old_file(tmp_path / f"graph.{fmt}")
    r = run("export", "--format", fmt, "-o", out, "--store", tmp_path / "nostore", ok=1)
    assert "no store at" in r.output
    assert out.read_bytes() == KEEP
    r = run("export", "--format", fmt, "-o", out, "--store", busy, ok=1)
    assert "in use by another kg process" in r.output
    assert out.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_export_success_replaces_the_old_file_whole(tmp_path: Path, store: Path, fmt: str) -> None:
    out = old_file(tmp_path / f"graph.{fmt}")
    run("export", "--format", fmt, "-o", out, "--store", store, ok=0)
    assert out.read_bytes() != KEEP and out.stat().st_size > 1000
    assert leftovers(tmp_path) == []


def test_neo4j_admin_folder_keeps_its_old_files_on_failure_and_gets_all_new_ones_on_success(
        tmp_path: Path, busy: Path) -> None:
    folder = tmp_path / "admin"
    folder.mkdir()
    old = [old_file(folder / "nodes-Paper.csv"), old_file(folder / "import-command.txt")]
    run("export", "--format", "neo4j-admin", "-o", folder, "--store", busy, ok=1)
    run("export", "--format", "neo4j-admin", "-o", folder, "--store", tmp_path / "nostore", ok=1)
    assert all(p.read_bytes() == KEEP for p in old)
    assert leftovers(tmp_path) == []
    fresh = tmp_path / "fresh"
    run("export", "--format", "neo4j-admin", "-o", fresh, "--store", tmp_path / "nostore", ok=1)
    assert not fresh.exists(), "a folder the failed export created is removed"


def test_neo4j_admin_success_replaces_every_file(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "admin"
    folder.mkdir()
    old_file(folder / "nodes-Paper.csv")
    mine = old_file(folder / "my-notes.txt")
    run("export", "--format", "neo4j-admin", "-o", folder, "--store", store, ok=0)
    assert (folder / "nodes-Paper.csv").read_text().startswith("key:ID(Paper),")
    assert mine.read_bytes() == KEEP, "files kg does not write are left alone"
    assert len(list(folder.glob("*.csv"))) == 9 and (folder / "import-command.txt").exists()
    assert leftovers(tmp_path) == []


def test_extract_and_its_rejects_with_a_missing_input_leave_the_old_files(tmp_path: Path, patched: None) -> None:
    out, rej = old_file(tmp_path / "out.jsonl"), old_file(tmp_path / "rejects.txt")
    r = run("extract", tmp_path / "nosuch.txt", "-o", out, "--rejects", rej, ok=1)
    assert "nosuch.txt" in r.output
    assert out.read_bytes() == rej.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


def test_extract_writes_the_readable_files_papers_when_another_is_missing(tmp_path: Path, patched: None) -> None:
    out = old_file(tmp_path / "out.jsonl")
    run("extract", TWO, tmp_path / "nosuch.txt", "-o", out, ok=1)
    assert len(out.read_text().splitlines()) == 2, "README: kg extract writes the other files' papers"


def test_ingest_rejects_file_is_kept_when_the_store_is_busy_or_the_input_missing(
        tmp_path: Path, busy: Path, patched: None) -> None:
    rej = old_file(tmp_path / "rejects.txt")
    run("ingest", DATA / "cli" / "with-rejects.jsonl", "--store", busy, "--rejects", rej, "-q", ok=1)
    run("ingest", tmp_path / "nosuch.jsonl", "--store", tmp_path / "s", "--rejects", rej, "-q", ok=1)
    assert rej.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


def test_ingest_rejects_file_is_replaced_when_the_run_completes(tmp_path: Path, patched: None) -> None:
    rej = old_file(tmp_path / "rejects.txt")
    run("ingest", DATA / "cli" / "with-rejects.jsonl", "--store", tmp_path / "s", "--rejects", rej, "-q", ok=3)
    lines = rej.read_text().splitlines()
    assert lines and all("with-rejects.jsonl:" in ln for ln in lines)


def test_view_with_no_store_leaves_the_old_page(tmp_path: Path) -> None:
    page = old_file(tmp_path / "graph.html")
    run("view", "--store", tmp_path / "nostore", "-o", page, ok=1)
    assert page.read_bytes() == KEEP


def test_kb_import_pwc_with_a_broken_dump_leaves_the_old_kb(tmp_path: Path) -> None:
    kb = old_file(tmp_path / "kb.jsonl")
    bad = tmp_path / "datasets.json"
    bad.write_text("[{\"name\": ")
    run("kb", "import-pwc", bad, bad, "-o", kb, ok=1)
    assert kb.read_bytes() == KEEP


def test_ctrl_c_during_kg_extract_leaves_the_old_output(tmp_path: Path) -> None:
    """A real run interrupted once its output is being written: the old file stays, and the
    temporary file beside it is gone."""
    src = corpus_slice(tmp_path / "in.jsonl", 3000)
    out = old_file(tmp_path / "out.jsonl")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "kg", "extract", str(src), "-o", str(out), "-q"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        tmp = [p for p in tmp_path.iterdir() if p.name.endswith(TMP_SUFFIX)]
        if tmp and tmp[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    assert proc.poll() is None, ("extract finished before it could be interrupted", proc.communicate())
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (1, 130), (proc.returncode, err)
    assert b"Traceback" not in err, err
    assert out.read_bytes() == KEEP
    assert leftovers(tmp_path) == []


def test_extract_on_a_cluster_keeps_the_old_rejects_file_when_it_cannot_start(tmp_path: Path) -> None:
    """`kg extract --scheduler ... --rejects FILE` without -o: a usage error, and FILE untouched
    (this path used to call a helper that no longer existed)."""
    rej = old_file(tmp_path / "rejects.txt")
    r = run("extract", TWO, "--scheduler", "local:1", "--rejects", rej, ok=2)
    assert "give -o FOLDER" in r.output
    assert rej.read_bytes() == KEEP
    assert leftovers(tmp_path) == []
