"""kg on a real Dask cluster here (a LocalCluster of 2 worker processes on 127.0.0.1): sharded
extraction equals single-process `kg extract`, re-runs skip complete shards, a killed worker loses
and duplicates nothing, and the assembled graph equals what `kg ingest` builds."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg import api
from kg.distributed.partitions import plan_partitions, read_partition
from kg.distributed.shards import marker_path, read_records
from kg.model import Reject
from kg.sources import read
from tests.helpers import REPO, corpus_slice

distributed = pytest.importorskip("distributed", reason="the cluster tests need pip install 'kg[dask]'")

N = 300  # abstracts from the corpus: a few seconds of extraction


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first N corpus abstracts, then two bad lines and 40 of the same papers again."""
    folder = tmp_path_factory.mktemp("corpus")
    path = corpus_slice(folder / "slice.jsonl", N)
    lines = path.read_bytes().splitlines(keepends=True)
    with path.open("ab") as f:
        f.write(b'{"title": "broken"\n\nnot json at all\n')
        f.writelines(lines[100:140])
    return path


@pytest.fixture(scope="module")
def single(corpus: Path, patched: None) -> tuple[list[str], list[str]]:
    """Single-process `kg extract` output lines and rejects (the module's extractor)."""
    out, rejects = io.StringIO(), []
    api.extract_to_jsonl([corpus], out, on_reject=lambda r: rejects.append(str(r)))
    return out.getvalue().splitlines(), rejects


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes (one thread each) on 127.0.0.1, with the extractor preloaded."""
    from kg.distributed.cluster import connect

    with connect("local:2") as c:
        c.wait_for_workers(2, timeout=120)
        yield c


def _shard_lines(out: Path) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for f in sorted((out / "extract").glob("part-*[0-9].*"))
            if not f.name.endswith((".papers.jsonl", ".done.json")) for r in read_records(f)]


def test_partitions_read_as_the_whole_file(tmp_path: Path) -> None:
    """Byte ranges cut anywhere (mid-line, mid-character, at CRLF) give the file's records, once,
    with the line numbers and source a whole-file read gives."""
    p = tmp_path / "x.jsonl"
    rows = [json.dumps({"title": f"Paper é{i}", "abstract": "We use ImageNet." * (i % 7)}) for i in range(60)]
    rows[5], rows[17] = "{broken", ""
    p.write_bytes(("\ufeff" + "\r\n".join(rows) + "\n").encode("utf-8"))
    whole = list(read(p))
    for size in (1, 7, 64, 1000, 10_000):
        parts, bad = plan_partitions([p], None, size)
        assert not bad and len(parts) == -(-p.stat().st_size // size)
        got, offset = [], 0
        for part in parts:
            recs, lines, absolute = read_partition(part)
            if not absolute:
                recs = [type(r)(**{**{f: getattr(r, f) for f in r.__slots__}, "line": r.line + offset}) for r in recs]
            offset += lines
            got += recs
        assert got == whole, size
    assert any(isinstance(r, Reject) and r.line == 6 for r in whole)


def test_cli_local_cluster_equals_kg_extract(corpus: Path, single: tuple[list[str], list[str]], tmp_path: Path) -> None:
    """`kg extract --scheduler local:2` as a user runs it: shards equal `kg extract` line for line
    (sorted), rejects are reported the same way (exit 3), the manifest counts them; a re-run skips."""
    out = tmp_path / "shards"
    rejects_file = tmp_path / "rejects.txt"
    cmd = [sys.executable, "-m", "kg", "extract", str(corpus), "--scheduler", "local:2", "-o", str(out),
           "--partition-mb", "0.05", "--rejects", str(rejects_file)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert r.returncode == 3, r.stderr[-2000:]
    lines, rejects = single
    assert sorted(_shard_lines(out)) == sorted(lines)
    assert [ln.removeprefix("rejected: ") for ln in r.stderr.splitlines() if ln.startswith("rejected: ")] == rejects
    assert len(rejects) == 2 and rejects[0].startswith(f"{corpus}:{N + 1}: invalid JSON")
    assert rejects_file.read_text(encoding="utf-8").splitlines() == rejects  # --rejects in place despite exit 3
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["papers"] == len(lines) == N + 40 and manifest["rejects"] == rejects
    assert len(manifest["partitions"]) > 4 and manifest["kg_version"]
    assert [p["first_line"] for p in manifest["partitions"]][0] == 1
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert again.returncode == 3 and f"({len(manifest['partitions'])} already complete)" in again.stderr


def test_rerun_redoes_only_incomplete_shards(corpus: Path, single: tuple[list[str], list[str]], client,
                                            tmp_path: Path) -> None:
    out = tmp_path / "shards"
    first = api.extract_sharded([corpus], out, scheduler=None, partition_bytes=50_000)
    shards = sorted((out / "extract").glob("part-*[0-9].jsonl"))
    # a half-written shard (as a killed writer leaves it: the marker is written last, so missing)
    marker_path(shards[1]).unlink()
    shards[1].write_text(shards[1].read_text()[:100])
    # a shard cut short after its marker was written: the size no longer matches
    shards[2].write_text("")
    from kg.distributed.extract import extract_sharded

    second = extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=50_000)
    assert second.skipped == first.partitions - 2
    assert sorted(_shard_lines(out)) == sorted(single[0])


def test_parquet_shards_hold_the_same_records(corpus: Path, single: tuple[list[str], list[str]], client,
                                             tmp_path: Path) -> None:
    from kg.distributed.extract import extract_sharded

    out = tmp_path / "pq"
    extract_sharded([corpus], out, scheduler="unused", client=client, fmt="parquet", partition_bytes=100_000)
    assert list((out / "extract").glob("*.parquet"))
    assert sorted(_shard_lines(out)) == sorted(single[0])


def test_killed_worker_loses_and_duplicates_nothing(corpus: Path, single: tuple[list[str], list[str]], client,
                                                   tmp_path: Path) -> None:
    """SIGKILL a worker while it holds tasks: the nanny restarts it, the scheduler runs its tasks
    again, and the shards hold every paper exactly once."""
    from kg.distributed.extract import extract_sharded

    out = tmp_path / "killed"
    killed: list[str] = []

    def kill_one() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = {w: ts for w, ts in client.processing().items() if ts}
            if busy and any((out / "extract").glob("*.done.json")):
                victim = sorted(busy)[0]
                pid = client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)
                killed.append(victim)
            time.sleep(0.02)

    t = threading.Thread(target=kill_one)
    t.start()
    report = extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=8_000)
    t.join()
    assert killed, "no worker was busy to kill"
    lines = _shard_lines(out)
    assert len(lines) == len(single[0]) and sorted(lines) == sorted(single[0])
    assert report.papers == len(single[0]) and report.partitions > 20
    client.wait_for_workers(2, timeout=120)


def _every_candidate_a_proposed_method(path: Path) -> Path:
    """A hand-made scorer file (kg.extract.model's format): no weights, intercepts that make the
    scorer keep every proposal as a Method the paper proposes."""
    from kg.extract.model import FORMAT, KINDS

    path.write_text(json.dumps({"format": FORMAT, "threshold": 0.5,
                                "type": {"classes": list(KINDS), "intercept": [-5.0, 5.0, -5.0], "weights": {}},
                                "role": {"Method": {"intercept": 5.0, "weights": {}},
                                         "Dataset": {"intercept": -5.0, "weights": {}}}}))
    return path


def _extract_here(corpus: Path, model: str) -> list[str]:
    from kg.extract import Extractor, extraction_to_json

    papers = [r for r in read(corpus) if not isinstance(r, Reject)]
    return [json.dumps(extraction_to_json(ex), ensure_ascii=False)
            for ex in Extractor(model=model).extract_all(papers)]


def test_cli_local_cluster_uses_kg_model(corpus: Path, single: tuple[list[str], list[str]], tmp_path: Path) -> None:
    """KG_MODEL (and --model) reach the workers of `kg extract --scheduler local:2`: the shards equal a
    single-process extraction with that model and hold far more methods than the shipped model finds."""
    model = _every_candidate_a_proposed_method(tmp_path / "all-methods.json")
    out = tmp_path / "shards"
    cmd = [sys.executable, "-m", "kg", "extract", str(corpus), "--scheduler", "local:2", "-o", str(out),
           "--partition-mb", "0.05", "-q"]
    env = {**os.environ, "PYTHONPATH": str(REPO), "KG_MODEL": str(model)}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert r.returncode == 3, r.stderr[-2000:]
    lines = _shard_lines(out)
    assert sorted(lines) == sorted(_extract_here(corpus, str(model))) != sorted(single[0])
    def methods(rows: list[str]) -> int:
        return sum(len(json.loads(ln)["methods"]) for ln in rows)

    assert methods(lines) > 1.5 * methods(single[0])  # every candidate kept as a method: far more
    assert json.loads((out / "manifest.json").read_text())["model"] == str(model.resolve())
    # a missing model file fails before any cluster starts, as kg extract does
    bad = subprocess.run([*cmd[:-1], "--model", str(tmp_path / "nope.json")], capture_output=True, text=True,
                         env=env, timeout=120, check=False)
    assert bad.returncode == 1 and "cannot read the model file" in bad.stderr, bad.stderr[-800:]


def test_model_reaches_workers_and_a_new_model_redoes_the_shards(corpus: Path, single: tuple[list[str], list[str]],
                                                                  client, tmp_path: Path) -> None:
    from kg.distributed.extract import extract_sharded

    out = tmp_path / "shards"
    first = extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=50_000)
    assert sorted(_shard_lines(out)) == sorted(single[0])
    rules = extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=50_000, model="rules")
    assert rules.skipped == 0 and rules.partitions == first.partitions  # made with another model: redone
    got = sorted(_shard_lines(out))
    assert got == sorted(_extract_here(corpus, "rules")) and got != sorted(single[0])
    again = extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=50_000, model="rules")
    assert again.skipped == first.partitions


_HASH = "https://w3id.org/kg-ml/vocab#contentHash"  # written by kg ingest only (kg.changes), not by kg assemble


def _triples(store: Path) -> set[str]:
    with api.open_store(store, read_only=True) as st:
        return {str(q.triple) for q in st.store if q.predicate.value != _HASH}


def _graph(store: Path):
    with api.open_store(store, read_only=True) as st:
        g = st.to_networkx()
    for _, d in g.nodes(data=True):
        d.pop("content_hash", None)
    return dict(g.nodes(data=True)), sorted(g.edges(keys=True, data=True), key=repr)


@pytest.fixture(scope="module")
def assembled(corpus: Path, client, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.distributed import assemble
    from kg.distributed.extract import extract_sharded

    out = tmp_path_factory.mktemp("assembled")
    extract_sharded([corpus], out, scheduler="unused", client=client, partition_bytes=50_000)
    assemble(out, client=client, buckets=3)
    return out


def test_assembled_graph_equals_kg_ingest(corpus: Path, assembled: Path, patched: None, tmp_path: Path) -> None:
    """`kg load` of the assembled N-Triples gives the triples `kg ingest` writes in one batch, and
    the nodes and edges (names, aliases, mentions, provenance) of a batched ingest."""
    store = tmp_path / "loaded"
    r = api.load_shards(assembled, store)
    one = tmp_path / "one-batch"
    api.ingest([corpus], store=one, batch_size=10**6)
    assert r["triples"] == len(_triples(one)) and _triples(store) == _triples(one)
    batched = tmp_path / "batched"
    api.ingest([corpus], store=batched, batch_size=64)
    assert _graph(store) == _graph(batched)
    counts = json.loads((assembled / "graph" / "graph-manifest.json").read_text())["counts"]
    with api.open_store(store, read_only=True) as st:
        c = st.counts()
    assert {k: c[k] for k in ("Paper", "Method", "Dataset")} == {k: counts[k] for k in ("Paper", "Method", "Dataset")}
    assert c["Paper"] == N
    # a second load of the same graph changes nothing; a store with other data is refused
    assert api.load_shards(assembled, store)["triples"] == r["triples"]
    from kg.errors import KGError

    with pytest.raises(KGError, match="already holds a graph"):
        api.load_shards(assembled, batched)


def test_neo4j_csv_shards_have_headers_and_every_row_once(assembled: Path) -> None:
    import csv
    import shlex

    neo = assembled / "graph" / "neo4j"
    args = shlex.split((neo / "import-command.txt").read_text())
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    papers = [a for a in args if a.startswith("--nodes=Paper=")][0].split("=", 2)[2].split(",")
    # the 3 buckets' files joined into one per label and type (all far below MIN_FILE_BYTES)
    assert papers[0].endswith("nodes-Paper-header.csv") and len(papers) == 2
    keys = [row[0] for f in papers[1:] for row in csv.reader(open(f, newline="", encoding="utf-8"))]
    assert len(keys) == len(set(keys)) == N
