"""A damaged store (truncated or bit-flipped RocksDB file) is one line saying so and what to do;
`kg doctor` finds damage a query may miss; leftover bulk-load files go on the next write."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.api import open_store
from kg.cli import cli
from tests.helpers import DATA, corpus_slice

TWO = DATA / "cli" / "two-papers.jsonl"
READERS = [("query", "dataset-usage"), ("export",), ("export", "--format", "graphml"), ("stats",),
           ("show", "ImageNet"), ("doctor",)]


def run(*args: object) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}") from result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def healthy(tmp_path_factory: pytest.TempPathFactory, patched: None) -> Path:
    store = tmp_path_factory.mktemp("damage") / "kg-data"
    src = corpus_slice(store.parent / "in.jsonl", 300)
    assert run("ingest", src, TWO, "--store", store, "-q").exit_code in (0, 3)
    return store


def _copy(healthy: Path, tmp_path: Path) -> tuple[Path, Path]:
    store = tmp_path / "copy"
    shutil.copytree(healthy, store)
    biggest = max(store.glob("*.sst"), key=lambda p: p.stat().st_size)
    return store, biggest


def _damaged_line(result: Result, store: Path) -> None:
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert f"store {store} is damaged" in lines[0] and "re-ingest" in lines[0], lines[0]


@pytest.mark.parametrize("args", READERS, ids="-".join)
def test_a_truncated_file_is_one_line_for_every_reader(healthy: Path, tmp_path: Path, args) -> None:
    store, sst = _copy(healthy, tmp_path)
    with sst.open("r+b") as f:
        f.truncate(sst.stat().st_size // 2)
    _damaged_line(run(*args, "--store", store), store)


def test_a_flipped_data_block_is_found_by_doctor_and_by_every_read_that_meets_it(healthy: Path, tmp_path: Path) -> None:
    store, sst = _copy(healthy, tmp_path)
    data = bytearray(sst.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 8] = bytes(b ^ 0xFF for b in data[mid:mid + 8])
    sst.write_bytes(bytes(data))
    _damaged_line(run("doctor", "--store", store), store)
    out = tmp_path / "graph.nt"
    _damaged_line(run("export", "--format", "ntriples", "-o", out, "--store", store), store)
    assert not out.exists(), "the export stopped half-way: nothing may be left"


def test_doctor_on_a_healthy_store(healthy: Path) -> None:
    r = run("doctor", "--store", healthy)
    assert r.exit_code == 0
    assert "is readable" in r.stdout and "indexes agree" in r.stdout


def test_leftover_bulk_files_are_removed_by_the_next_write_not_by_readers(healthy: Path, tmp_path: Path) -> None:
    store, _ = _copy(healthy, tmp_path)
    orphan = store / "bulk-41141721562772765022926174820289707636.sst"
    orphan.write_bytes(b"\0" * 4096)  # what a bulk load killed mid-way leaves
    r = run("doctor", "--store", store)
    assert r.exit_code == 0 and "leftover bulk-load file" in r.output
    run("query", "dataset-usage", "--store", store)
    assert orphan.exists(), "a reader must not touch it: a writer could be loading"
    with open_store(store):
        pass
    assert not orphan.exists()
    assert run("doctor", "--store", store).exit_code == 0
