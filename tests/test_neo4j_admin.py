"""neo4j-admin CSV export: headers neo4j-admin expects, rows read back equal the graph."""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

from kg.graph import build_graph
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper
from kg.sinks.neo4j_admin import ARRAY_DELIMITER, export_neo4j_admin

D = ARRAY_DELIMITER


def _graph():
    m1 = Mention("abstract", 4, 8, 'Uses LoRA; then "tunes", too,\nline two.', "kb")
    m2 = Mention("title", 0, 4, "LoRA", "pattern")
    p1 = Paper("arxiv:2403.00001", 'A "quoted", title; ok', "Line one.\nLine two, with comma.",
               "2403.00001", "https://arxiv.org/abs/2403.00001", ("Ann; Jr.", "Bo"), "2024-03-11", "a.jsonl", 1)
    p2 = Paper("title:abc", "Second", "Abs.", source="b.csv", line=2)
    return build_graph([
        Extraction(p1, methods=(Entity("Method", "lora", "LoRA", "proposed", ("Low-Rank; Adaptation",), (m1, m2), "method:lora"),),
                   datasets=(Entity("Dataset", "cifar100", "CIFAR-100", "used", ("CIFAR100",), (m1,), "dataset:cifar100"),),
                   code_urls=(CodeUrl("https://github.com/a/b", "github.com/a/b", "github", "a", "b", (m1,)),)),
        Extraction(p2, methods=(Entity("Method", "lora", "LoRA", "mentioned", kb_id="method:lora"),)),
    ])


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _rows(folder: Path, stem: str) -> list[list[str]]:
    """Header and rows of one label or type: its file, then its multiline pieces (same header)."""
    rows = _read(folder / f"{stem}.csv")
    assert not any("\n" in c or "\r" in c for r in rows for c in r), f"{stem}.csv holds a line break"
    for piece in sorted(folder.glob(f"{stem}-multiline-*.csv")):
        more = _read(piece)
        assert more[0] == rows[0] and len(more) > 1
        rows += more[1:]
    return rows


def test_headers_and_rows(tmp_path: Path) -> None:
    counts = export_neo4j_admin(_graph(), tmp_path)
    assert counts == {"Paper": 2, "Method": 1, "Dataset": 1, "CodeRepository": 1,
                      "PROPOSES": 1, "MENTIONS": 1, "INTRODUCES": 0, "USES": 1, "HAS_CODE": 1}
    papers = _rows(tmp_path, "nodes-Paper")
    assert papers[0] == ["key:ID(Paper)", "title", "abstract", "arxiv_id", "url", "authors:string[]",
                         "date", "source", "record", "same_as", "content_hash", ":LABEL"]
    records = {d["key"]: d["record"] for _, d in _graph().nodes(data=True) if d["label"] == "Paper"}
    # the paper with a newline in its abstract comes from the multiline piece, after the others
    assert papers[2] == ["arxiv:2403.00001", 'A "quoted", title; ok', "Line one.\nLine two, with comma.",
                         "2403.00001", "https://arxiv.org/abs/2403.00001", f"Ann; Jr.{D}Bo", "2024-03-11",
                         "a.jsonl", records["arxiv:2403.00001"], "https://arxiv.org/abs/2403.00001", "", "Paper"]
    assert papers[1] == ["title:abc", "Second", "Abs.", "", "", "", "", "b.csv", records["title:abc"], "", "", "Paper"]
    methods = _read(tmp_path / "nodes-Method.csv")
    assert methods == [["key:ID(Method)", "name", "aliases:string[]", "name_key", "sense", "ambiguous:boolean",
                        "kb_id", "same_as:string[]", ":LABEL"],
                       ["lora", "LoRA", "Low-Rank; Adaptation", "lora", "kb", "false", "method:lora", "", "Method"]]
    code = _read(tmp_path / "nodes-CodeRepository.csv")
    assert code == [["key:ID(CodeRepository)", "url", "host", "owner", "repo", ":LABEL"],
                    ["github.com/a/b", "https://github.com/a/b", "github", "a", "b", "CodeRepository"]]
    proposes = _rows(tmp_path, "relationships-PROPOSES")
    assert proposes[0] == [":START_ID(Paper)", ":END_ID(Method)", "fields:string[]", "starts:int[]",
                           "ends:int[]", "sentences:string[]", "rules:string[]", "source", "name",
                           "aliases:string[]", ":TYPE"]
    assert proposes[1] == ["arxiv:2403.00001", "lora", f"abstract{D}title", f"4{D}0", f"8{D}4",
                           f'Uses LoRA; then "tunes", too,\nline two.{D}LoRA', f"kb{D}pattern", "a.jsonl",
                           "LoRA", "Low-Rank; Adaptation", "PROPOSES"]
    mentions = _rows(tmp_path, "relationships-MENTIONS")
    assert mentions[1] == ["title:abc", "lora", "", "", "", "", "", "b.csv", "LoRA", "", "MENTIONS"]
    assert _read(tmp_path / "relationships-INTRODUCES.csv")[1:] == []
    assert _rows(tmp_path, "relationships-USES")[1][:2] == ["arxiv:2403.00001", "cifar100"]
    args = shlex.split((tmp_path / "import-command.txt").read_text())
    assert "--array-delimiter=U+001F" in args and "--multiline-fields-format=v2" in args
    assert "--multiline-fields=true" not in args  # v1: one parsing thread for every file
    # the rows with a newline: one piece each for the paper, PROPOSES, USES and HAS_CODE (by the
    # mention m1's sentence); each piece is an input group of its own and named as multiline
    pieces = sorted(tmp_path.glob("*-multiline-*.csv"))
    assert [p.name for p in pieces] == ["nodes-Paper-multiline-00000.csv", "relationships-HAS_CODE-multiline-00000.csv",
                                        "relationships-PROPOSES-multiline-00000.csv",
                                        "relationships-USES-multiline-00000.csv"]
    multiline = [a for a in args if a.startswith("--multiline-fields=")][0].split("=", 1)[1].split(",")
    assert sorted(multiline) == [str(p) for p in pieces]
    assert f"--nodes=Paper={tmp_path / 'nodes-Paper.csv'}" in args
    assert f"--nodes=Paper={tmp_path / 'nodes-Paper-multiline-00000.csv'}" in args


def test_real_import_tool_accepts_the_files(tmp_path: Path, neo4j_server) -> None:
    """Run neo4j-admin's own importer (shipped in the test launcher's classpath) on the files."""
    from tests.neo4j_server import run_admin_import

    export_neo4j_admin(_graph(), tmp_path / "csv")
    args = shlex.split((tmp_path / "csv" / "import-command.txt").read_text())
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    r = run_admin_import(tmp_path / "csv", tmp_path)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    # by hand from _graph(): nodes 2 papers + LoRA + CIFAR-100 + 1 repo; relationships PROPOSES,
    # MENTIONS, USES, HAS_CODE; properties: papers 10 + 5 (with record, same_as), method 7, dataset 7
    # (with name_key, sense, ambiguous, kb_id), repo 5, PROPOSES/USES 8 (with name, aliases),
    # HAS_CODE 6, MENTIONS 2 (source and name: no mentions, no aliases) = 58
    assert "IMPORT DONE" in out and "5 nodes" in out and "4 relationships" in out
    assert "58 properties" in out
