"""Interrupted and concurrent `kg ingest` on the real embedded store: SIGKILL mid-way then a re-run
ends with exactly the quads of an uninterrupted run; Ctrl-C stops cleanly (exit 130, says how far
and how to resume); a second ingest on the same store is refused clearly and corrupts nothing."""

from __future__ import annotations

import json
import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.api import open_store
from tests.helpers import corpus_slice as write_corpus_slice

SLICE = 600  # papers: a few seconds to ingest here, 20 batches of 30, so a kill lands mid-way
BATCH = "30"
COPIES = 6  # of the slice, for the ingest that holds the store while others try it


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first SLICE lines of the shared JSONL corpus, copied to tmp (never into the repo)."""
    return write_corpus_slice(tmp_path_factory.mktemp("corpus") / "slice.jsonl", SLICE)


class Ingest:
    """`python -m kg ingest` with stderr on a pseudo-terminal, so its progress counter shows."""

    def __init__(self, *args: object, cwd: Path, group: bool = False) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "ingest", *map(str, args), "--batch-size", BATCH],
            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, cwd=cwd, text=True,
            start_new_session=group,  # its own process group, as a shell gives a job
        )
        os.close(slave)
        self._master = master
        self._chunks: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not data:
                break
            self._chunks.append(data.decode("utf-8", "replace"))
        os.close(self._master)

    @property
    def stderr(self) -> str:
        return "".join(self._chunks)

    def papers_written(self) -> int:
        counts = re.findall(r"([\d,]+) papers", self.stderr)  # the live display's counter
        return int(counts[-1].replace(",", "")) if counts else 0

    def wait_for_papers(self, n: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while self.papers_written() < n:
            assert self.proc.poll() is None, f"ingest ended before {n} papers: {self.stderr[-2000:]}"
            assert time.monotonic() < deadline, f"no {n} papers within {timeout} s: {self.stderr[-2000:]}"
            time.sleep(0.02)

    def finish(self, timeout: float = 120.0) -> tuple[int, str, str]:
        out, _ = self.proc.communicate(timeout=timeout)
        self._reader.join(10)
        return self.proc.returncode, out, self.stderr


def quads(store: Path) -> set:
    with open_store(store, read_only=True) as st:
        return set(st.store.quads_for_pattern(None, None, None, None))


def papers(store: Path) -> int:
    with open_store(store, read_only=True) as st:
        return st.counts()["Paper"]


@pytest.fixture(scope="module")
def reference(corpus_slice: Path) -> set:
    """The store's quads after one uninterrupted ingest of the slice."""
    store = corpus_slice.parent / "reference"
    code, out, err = Ingest(corpus_slice, "--store", store, cwd=corpus_slice.parent).finish()
    assert code == 0, err
    assert f"papers read: {SLICE}," in out
    got = quads(store)
    assert len(got) > 5_000
    return got


def test_sigkill_mid_ingest_then_rerun_equals_an_uninterrupted_run(corpus_slice: Path, reference: set, tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = Ingest(corpus_slice, "--store", store, cwd=tmp_path)
    run.wait_for_papers(120)
    run.proc.send_signal(signal.SIGKILL)
    code, _, _ = run.finish()
    assert code == -signal.SIGKILL
    # the killed store opens (RocksDB recovers) and holds part of the slice; not necessarily every
    # batch the progress counter showed: the last one written before a kill may not be on disk
    mid = papers(store)
    assert 0 < mid < SLICE, mid
    code, out, err = Ingest(corpus_slice, "--store", store, cwd=tmp_path).finish()
    assert code == 0, err
    got = quads(store)
    assert len(got) == len(reference)
    assert got == reference


def test_sigint_stops_cleanly_says_how_far_and_how_to_resume(corpus_slice: Path, reference: set, tmp_path: Path) -> None:
    store = tmp_path / "store"
    run = Ingest(corpus_slice, "--store", store, cwd=tmp_path)
    run.wait_for_papers(90)
    run.proc.send_signal(signal.SIGINT)
    code, out, err = run.finish()
    assert code == 130, err
    assert "Traceback" not in err + out
    m = re.search(r"interrupted: ([\d,]+) papers were written \(the last from (.+?):(\d+)\); "
                  r"run the same command again to finish", err)
    assert m, err[-1000:]
    written = int(m.group(1).replace(",", ""))
    assert m.group(2) == str(corpus_slice) and int(m.group(3)) == written  # one paper a line here
    assert 90 <= written < SLICE
    assert papers(store) >= written  # the store was closed cleanly: it opens, nothing lost
    code, out, err = Ingest(corpus_slice, "--store", store, cwd=tmp_path).finish()
    assert code == 0, err
    assert quads(store) == reference


def test_ctrl_c_to_the_whole_job_with_worker_processes_is_clean_too(corpus_slice: Path, tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of the job, the extraction workers included."""
    store = tmp_path / "store"
    run = Ingest(corpus_slice, "--store", store, "--workers", "2", cwd=tmp_path, group=True)
    run.wait_for_papers(60)
    os.killpg(run.proc.pid, signal.SIGINT)
    code, out, err = run.finish()
    assert code == 130, err
    assert "Traceback" not in err + out and "KeyboardInterrupt" not in err
    assert re.search(r"interrupted: [\d,]+ papers were written .*run the same command again", err), err[-1000:]
    assert papers(store) >= 60


def test_second_ingest_on_the_same_store_is_refused_and_nothing_is_corrupted(
        corpus_slice: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    other = tmp_path / "other.jsonl"
    other.write_text('{"title": "A Lone Paper", "abstract": "We use ImageNet."}\n')
    # copies of the slice under fresh titles: the first ingest must still hold the store
    # while the two other processes start up and try it (each takes a second or two here)
    big = tmp_path / "big.jsonl"
    lines = corpus_slice.read_text(encoding="utf-8").splitlines()
    with big.open("w", encoding="utf-8") as f:
        for copy in range(COPIES):
            for line in lines:
                rec = json.loads(line)
                rec["title"] = f"{rec['title']} (copy {copy})"
                rec.pop("arxiv_url", None)
                f.write(json.dumps(rec) + "\n")
    ref_store = tmp_path / "reference"
    code, _, err = Ingest(big, "--store", ref_store, cwd=tmp_path).finish()
    assert code == 0, err
    reference = quads(ref_store)
    first = Ingest(big, "--store", store, cwd=tmp_path)
    first.wait_for_papers(60)
    # both start at once (one after the other they took long enough, on a busy machine, for the
    # first ingest to finish in between)
    tries = [subprocess.Popen([sys.executable, "-m", "kg", *cmd, "--store", str(store)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path)
             for cmd in (["ingest", str(other)], ["stats"])]
    results = [(p, *p.communicate(timeout=120)) for p in tries]
    assert first.proc.poll() is None and first.papers_written() < COPIES * SLICE, \
        "the first ingest ended too soon for this test to mean anything"
    for done, _, err in results:
        assert done.returncode == 1, err
        assert err.strip() == (f"Error: store {store} is in use by another kg process; wait for it "
                               "to finish or use another --store directory")
    code, out, err = first.finish()
    assert code == 0, err
    assert quads(store) == reference  # the refused writer left no trace
    # once the first is done, the second goes through and adds exactly its paper
    done = subprocess.run([sys.executable, "-m", "kg", "ingest", str(other), "--store", str(store), "-q"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    in_reference = {q.subject for q in reference if q.object.value == "https://w3id.org/kg-ml/vocab#Paper"}
    assert papers(store) == len(in_reference) + 1
