"""The CLI as a user runs it: click's CliRunner for each command, and the installed `kg` in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from rdflib.compare import isomorphic

from kg.cli import cli
from tests.helpers import DATA, REPO, SEED, need

TWO = DATA / "cli" / "two-papers.jsonl"
WITH_REJECTS = DATA / "cli" / "with-rejects.jsonl"


def run(*args: str, ok: tuple[int, ...] = (0,)) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def stats_json(store: Path) -> dict:
    return json.loads(run("stats", "--store", store, "--format", "json").stdout)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("seed") / "kg-data"
    result = run("ingest", need(SEED), "--store", store, "--quiet")
    assert "papers read: 41," in result.stdout
    assert "rejected: 0," in result.stdout
    return store


def test_seed_ingest_twice_changes_no_count(seed_store: Path) -> None:
    before = stats_json(seed_store)["counts"]
    run("ingest", SEED, "--store", seed_store, "--quiet")
    assert stats_json(seed_store)["counts"] == before
    assert before["Paper"] == 41


def test_second_file_adds_to_the_same_graph(tmp_path: Path) -> None:
    store = tmp_path / "s"
    run("ingest", TWO, "--store", store, "-q")
    run("ingest", WITH_REJECTS, "--store", store, "-q", ok=(3,))
    assert stats_json(store)["counts"]["Paper"] == 3


def test_dataset_usage_on_seed_finds_imagenet_in_several_papers(seed_store: Path) -> None:
    rows = json.loads(run("query", "dataset-usage", "--store", seed_store, "--format", "json").stdout)
    usage = {r["dataset"]: r["papers"] for r in rows}
    assert usage.get("ImageNet", 0) >= 2, usage


def test_readme_shared_datasets_example_finds_a_paper(seed_store: Path) -> None:
    """The quick start's example must show something: both UL2 and ERNIE 3.0 evaluate on SuperGLUE
    (read in the seed abstracts)."""
    rows = json.loads(run("query", "shared-datasets", "--param", "paper=UL2: Unifying Language Learning Paradigms",
                          "--store", seed_store, "--format", "json").stdout)
    assert {"paper": "ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training for Language Understanding and Generation",
            "dataset": "SuperGLUE"} in rows, rows
    assert 'kg query shared-datasets --param paper="UL2: Unifying Language Learning Paradigms"' in (REPO / "README.md").read_text()


def test_method_mentions_on_seed_finds_gpt3(seed_store: Path) -> None:
    rows = json.loads(run("query", "method-mentions", "--store", seed_store, "--format", "json").stdout)
    names = {r["method"]: r["papers"] for r in rows}
    assert names.get("GPT-3", 0) >= 2, names
    assert all(r["papers"] >= 2 for r in rows)


def test_every_named_query_runs_on_seed(seed_store: Path) -> None:
    from kg.sinks.named import list_queries

    for q in list_queries():
        params = ["--param", "paper=Graph Transformers for Large Graphs"] if any(p.name == "paper" for p in q.params) else []
        result = run("query", q.name, *params, "--store", seed_store, "--format", "csv")
        assert result.stdout.splitlines()[0], q.name


def test_query_table_and_csv_agree(tmp_path: Path) -> None:
    store = tmp_path / "s"
    run("ingest", TWO, "--store", store, "-q")
    table = run("query", "dataset-usage", "--store", store).stdout
    csv_out = run("query", "dataset-usage", "--store", store, "--format", "csv").stdout
    assert csv_out.splitlines()[0] == "dataset,papers"
    assert "CIFAR-10,2" in csv_out.splitlines()
    assert "CIFAR-10" in table


def test_raw_sparql_query(tmp_path: Path) -> None:
    store = tmp_path / "s"
    run("ingest", TWO, "--store", store, "-q")
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?p a schema:ScholarlyArticle }"
    rows = json.loads(run("query", "--sparql", q, "--store", store, "--format", "json").stdout)
    assert rows == [{"n": 2}]


@pytest.mark.parametrize("fmt,rdf_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_parse_back_isomorphic(seed_store: Path, tmp_path: Path, fmt: str, rdf_format: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    run("export", "--format", fmt, "-o", out, "--store", seed_store)
    got = rdflib.Graph().parse(out, format=rdf_format)
    ref_path = tmp_path / "ref.nt"
    run("export", "--format", "ntriples", "-o", ref_path, "--store", seed_store)
    ref = rdflib.Graph().parse(ref_path, format="nt")
    assert len(got) == len(ref) > 1000
    assert isomorphic(got, ref)


def test_export_graphml_and_json(seed_store: Path, tmp_path: Path) -> None:
    import networkx as nx

    run("export", "--format", "graphml", "-o", tmp_path / "g.graphml", "--store", seed_store)
    g = nx.read_graphml(tmp_path / "g.graphml")
    labels = {d.get("label") for _, d in g.nodes(data=True)}
    assert {"Paper", "Method", "Dataset", "CodeRepository"} <= labels
    run("export", "--format", "json", "-o", tmp_path / "g.json", "--store", seed_store)
    data = json.loads((tmp_path / "g.json").read_text())
    assert sum(1 for n in data["nodes"] if n.get("label") == "Paper") == 41


def test_extract_contract(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    run("extract", TWO, "-o", out, "-q")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["id"] for d in lines] == ["arxiv:2401.00001", "arxiv:2401.00002"]
    first = lines[0]
    assert set(first) >= {"id", "title", "methods", "datasets", "code_urls"}
    abstract = json.loads(TWO.read_text().splitlines()[0])["abstract"]
    for kind in ("methods", "datasets"):
        for ent in first[kind]:
            assert set(ent) >= {"name", "role", "aliases", "mentions"}
            for m in ent["mentions"]:
                assert set(m) >= {"field", "start", "end", "sentence", "rule"}
                text = abstract if m["field"] == "abstract" else first["title"]
                assert text[m["start"]:m["end"]]
    assert {d["name"] for d in first["datasets"]} >= {"ImageNet", "CIFAR-10"}
    assert [c["url"] for c in first["code_urls"]] == ["https://github.com/example-lab/sparse-probe"]


def test_rejects_listed_with_file_and_line_and_exit_3(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.txt"
    result = run("ingest", WITH_REJECTS, "--store", tmp_path / "s", "--rejects", rejects, ok=(3,))
    lines = rejects.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{WITH_REJECTS}:2:")
    assert lines[1].startswith(f"{WITH_REJECTS}:3:")
    assert "papers read: 1," in result.stdout and "rejected: 2," in result.stdout


def test_user_mistakes_give_one_line_and_right_exit_code(tmp_path: Path) -> None:
    missing = run("ingest", tmp_path / "nope.jsonl", "--store", tmp_path / "s", ok=(1,))
    assert "nope.jsonl" in missing.output
    assert run("ingest", ok=(2,)).exit_code == 2  # usage error
    assert run("query", "no-such-query", "--store", tmp_path / "s", ok=(1,)).exit_code == 1
    assert "no store" in run("stats", "--store", tmp_path / "absent", ok=(1,)).output
    bad = run("query", "dataset-usage", "--param", "oops", "--store", tmp_path / "s", ok=(2,))
    assert "NAME=VALUE" in bad.output


def test_every_command_has_help_with_example_and_is_in_readme() -> None:
    readme = (REPO / "README.md").read_text()
    commands = [(name, cmd) for name, cmd in cli.commands.items()]
    commands += [(f"kb {n}", c) for n, c in cli.commands["kb"].commands.items()]  # type: ignore[attr-defined]
    for name, cmd in commands:
        assert cmd.help and "Example:" in cmd.help, name
        assert f"kg {name}" in readme, f"`kg {name}` is not in the README"


def test_installed_console_script_and_python_m(tmp_path: Path) -> None:
    exe = shutil.which("kg")
    assert exe, "the kg console script is not installed: pip install -e '.[dev]'"
    env = {**os.environ, "KG_STORE": str(tmp_path / "env-store")}
    done = subprocess.run([exe, "ingest", str(TWO), "-q"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "papers read: 2," in done.stdout
    assert (tmp_path / "env-store").exists()
    q = subprocess.run([sys.executable, "-m", "kg", "query", "papers-without-code", "--format", "csv"],
                       capture_output=True, text=True, env=env, cwd=tmp_path)
    assert q.returncode == 0, q.stderr
    assert "CIFAR-10 Is Not Enough" in q.stdout
    bad = subprocess.run([exe, "export", "--format", "nope"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_code_repository_url_does_not_depend_on_ingest_order() -> None:
    from kg.graph import build_graph
    from kg.keys import url_key
    from kg.model import CodeUrl, Extraction, Paper

    def ex(key: str, url: str) -> Extraction:
        paper = Paper(key=key, title=key, abstract="x")
        return Extraction(paper, code_urls=(CodeUrl(url, url_key(url), "github", "o", "r"),))

    a, b = ex("p1", "https://github.com/Owner/Repo"), ex("p2", "https://github.com/owner/repo")
    urls = {build_graph(order).nodes["CodeRepository:github.com/owner/repo"]["url"] for order in ([a, b], [b, a])}
    assert urls == {"https://github.com/Owner/Repo"}


def test_kg_kb_setting_reaches_extract_and_eval(tmp_path: Path) -> None:
    """KG_KB (a JSON list of files) extends the knowledge base of every extracting command."""
    kb = tmp_path / "kb.jsonl"
    kb.write_text(json.dumps({"name": "Quillfeather Corpus", "type": "dataset"}) + "\n")
    papers = tmp_path / "p.jsonl"
    papers.write_text(json.dumps({"title": "Probing readers",
                                  "abstract": "We probe readers on the quillfeather corpus and report accuracy."}) + "\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"title": "Probing readers", "datasets": {"core": ["Quillfeather Corpus"]}}) + "\n")
    env = {"KG_KB": json.dumps([str(kb)])}

    def found(*args: str, env: dict[str, str]) -> str:
        r = CliRunner().invoke(cli, list(args), env=env)
        assert r.exit_code == 0, r.output
        return r.stdout

    assert "Quillfeather Corpus" in found("extract", str(papers), env=env)
    assert "Quillfeather" not in found("extract", str(papers), env={})
    scored = found("eval", str(gold), str(papers), env=env)
    assert any(ln.split()[:3] == ["datasets", "1.000", "1.000"] for ln in scored.splitlines()), scored
