"""Hostile titles and names through `kg ingest` and `kg query` into a real Neo4j: stored verbatim,
parameters only, the database untouched by queries; the password never shown on a bad login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.neo4j_server import Neo4jInfo
from tests.test_neo4j_reliability import dump
from tests.test_security import ABSTRACT, HOSTILE_TITLES, KB


def run(info: Neo4jInfo, *args: object, ok: tuple[int, ...] = (0,), password: str | None = None) -> Result:
    from kg.cli import cli

    env = {"KG_NEO4J_PASSWORD": info.password if password is None else password}
    result = CliRunner(env=env).invoke(cli, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result


@pytest.fixture()
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    kb = tmp_path / "kb.jsonl"
    kb.write_text("".join(json.dumps(e) + "\n" for e in KB))
    papers = tmp_path / "hostile.jsonl"
    papers.write_text("".join(json.dumps({"title": t, "abstract": ABSTRACT}) + "\n" for t in HOSTILE_TITLES))
    return kb, papers


def test_hostile_input_into_neo4j_verbatim_and_queries_change_nothing(neo4j_db: Neo4jInfo, hostile: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    kb, papers = hostile
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"title": "A Plain Paper", "abstract": "We use ImageNet and ResNet-50."}) + "\n")
    neo = ("--neo4j", neo4j_db.uri, "--no-store")
    run(neo4j_db, "ingest", plain, *neo, "-q")
    plain_nodes, plain_rels = dump(neo4j_db)
    run(neo4j_db, "ingest", papers, "--kb", kb, *neo, "-q")
    before = dump(neo4j_db)
    assert set(plain_nodes) < set(before[0]) and set(plain_rels) < set(before[1])  # nothing of it deleted
    rows = json.loads(run(neo4j_db, "query", "--cypher", "MATCH (p:Paper) RETURN p.title AS t ORDER BY t",
                          "--neo4j", neo4j_db.uri, "--format", "json").stdout)
    assert sorted(r["t"] for r in rows) == sorted(HOSTILE_TITLES + ["A Plain Paper"])
    names = json.loads(run(neo4j_db, "query", "--cypher", "MATCH (d:Dataset) RETURN d.name AS n",
                           "--neo4j", neo4j_db.uri, "--format", "json").stdout)
    assert {"Brace{Set}", 'Quote"Bench'} <= {r["n"] for r in names}
    for title in HOSTILE_TITLES:
        got = json.loads(run(neo4j_db, "query", "shared-datasets", "--param", f"paper={title}",
                             "--neo4j", neo4j_db.uri, "--format", "json").stdout)
        assert {r["paper"] for r in got} == set(HOSTILE_TITLES) - {title}, title
        # a raw Cypher query with the hostile value as a parameter finds exactly that paper
        got = json.loads(run(neo4j_db, "query", "--cypher", "MATCH (p:Paper {title: $t}) RETURN p.title AS t",
                             "--param", f"t={title}", "--neo4j", neo4j_db.uri, "--format", "json").stdout)
        assert got == [{"t": title}]
    assert dump(neo4j_db) == before


def test_wrong_password_never_shown_cli_and_subprocess(neo4j_server: Neo4jInfo, hostile: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    _, papers = hostile
    wrong = "Wr0ng-" + neo4j_server.password[::-1]
    result = run(neo4j_server, "ingest", papers, "--neo4j", neo4j_server.uri, "--no-store", ok=(1,), password=wrong)
    assert "refused the login" in result.output
    for secret in (wrong, neo4j_server.password):
        assert secret not in result.output
    env = {**os.environ, "KG_NEO4J_PASSWORD": wrong}
    for args in (["ingest", str(papers), "--no-store"], ["query", "dataset-usage"]):
        done = subprocess.run([sys.executable, "-m", "kg", *args, "--neo4j", neo4j_server.uri],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert done.returncode == 1, done.stderr
        assert wrong not in done.stdout + done.stderr and neo4j_server.password not in done.stdout + done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "refused the login" in done.stderr
    assert list(tmp_path.glob("*.log")) == []
