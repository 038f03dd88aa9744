"""kg assemble's last round: the buckets' CSV files joined per label and type, in bucket order, into
files of at least a given size; a task run again gives the same files and loses no row."""

from __future__ import annotations

from pathlib import Path

from kg.distributed.csvfiles import join_files, plan_joins


def _buckets(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    files = {f"nodes-Paper-{b:05d}.csv": f'"p{b}a","t"\r\n"p{b}b","multi\nline"\r\n'.encode() for b in range(5)}
    files |= {f"relationships-USES-{b:05d}.csv": f'"p{b}a","d","USES"\r\n'.encode() for b in (1, 3)}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


def test_joined_in_bucket_order_into_runs_of_at_least_min_bytes(tmp_path: Path) -> None:
    files = _buckets(tmp_path / "b")
    out = tmp_path / "out"
    out.mkdir()
    size = len(files["nodes-Paper-00000.csv"])  # every Paper bucket file has this size
    plan = plan_joins(tmp_path / "b", out, 2 * size)
    assert [(Path(t).name, [Path(s).name for s in src]) for t, src in plan] == [
        ("nodes-Paper-00000.csv", ["nodes-Paper-00000.csv", "nodes-Paper-00001.csv"]),
        ("nodes-Paper-00001.csv", ["nodes-Paper-00002.csv", "nodes-Paper-00003.csv"]),
        ("nodes-Paper-00002.csv", ["nodes-Paper-00004.csv"]),
        ("relationships-USES-00000.csv", ["relationships-USES-00001.csv", "relationships-USES-00003.csv"]),
    ]
    for item in plan:
        join_files(item)
    assert not list((tmp_path / "b").iterdir())  # every bucket file went into an output
    paper = b"".join((out / f"nodes-Paper-0000{i}.csv").read_bytes() for i in range(3))
    assert paper == b"".join(files[f"nodes-Paper-0000{b}.csv"] for b in range(5))
    assert (out / "relationships-USES-00000.csv").read_bytes() == \
        files["relationships-USES-00001.csv"] + files["relationships-USES-00003.csv"]
    # a retried task (its worker died after the file was complete) changes nothing
    assert join_files(plan[0]) == len(files["nodes-Paper-00000.csv"]) * 2
    assert (out / "nodes-Paper-00000.csv").read_bytes() == files["nodes-Paper-00000.csv"] + files["nodes-Paper-00001.csv"]


def test_one_file_per_type_when_small_and_each_bucket_alone_when_large(tmp_path: Path) -> None:
    _buckets(tmp_path / "b")
    out = tmp_path / "out"
    assert [len(src) for _, src in plan_joins(tmp_path / "b", out, 10**9)] == [5, 2]
    assert [len(src) for _, src in plan_joins(tmp_path / "b", out, 1)] == [1] * 7


def test_multiline_pieces_joined_within_one_read_buffer_each_with_the_header(tmp_path: Path) -> None:
    from kg.distributed.csvfiles import header_row
    from kg.sinks.neo4j_admin import MULTILINE_MAX_BYTES

    folder = tmp_path / "b"
    folder.mkdir()
    big = '"k{0}","' + "x" * (MULTILINE_MAX_BYTES // 3) + '\nmore"\r\n'
    pieces = {f"nodes-Paper-ml-{b:05d}-{k:05d}.csv": big.format(f"{b}.{k}").encode() for b in (0, 2) for k in (0, 1)}
    for name, data in pieces.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    plan = plan_joins(folder, out)
    assert [(Path(t).name, len(src)) for t, src in plan] == [("nodes-Paper-ml-00000.csv", 2), ("nodes-Paper-ml-00001.csv", 2)]
    for item in plan:
        join_files(item)
    header = header_row("nodes-Paper").encode()
    assert header.startswith(b"key:ID(Paper),title,")
    names = sorted(pieces)
    assert (out / "nodes-Paper-ml-00000.csv").read_bytes() == header + pieces[names[0]] + pieces[names[1]]
    assert (out / "nodes-Paper-ml-00001.csv").read_bytes() == header + pieces[names[2]] + pieces[names[3]]
    assert all((out / n).stat().st_size <= MULTILINE_MAX_BYTES for n in ("nodes-Paper-ml-00000.csv", "nodes-Paper-ml-00001.csv"))
