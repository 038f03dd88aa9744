"""Hostile input and secrets: values never become query text, minted IRIs are valid and distinct,
the Neo4j password never shows, no eval/pickle of input, exports write only where told."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner, Result
from hypothesis import given, settings, strategies as st

from kg.api import open_store
from kg.cli import cli
from kg.graph import build_graph
from kg.keys import entity_key
from kg.model import Entity, Extraction, Mention, Paper
from kg.sinks.store import OxigraphStore
from tests.helpers import REPO
from tests.neo4j_server import free_port

PACKAGE = REPO / "kg"
HOSTILE_TITLES = [
    'x"}) DETACH DELETE n //',
    "'; DROP TABLE papers; --",
    "} ; DROP ALL ; SELECT * {",
    "Back\\slash \\\\ and \\n and \\u0041",
    "`backtick` MATCH (n) DETACH DELETE n",
    '" . } INSERT DATA { <http://e/x> <http://e/y> "z" } #',
    "{{braces}} {0} %s %(x)s $rows",
]
KB = [
    {"name": "Evil`Net", "type": "method"},
    {"name": "Brace{Set}", "type": "dataset"},
    {"name": 'Quote"Bench', "type": "dataset"},
]
ABSTRACT = 'We propose Evil`Net and evaluate it on Brace{Set} and Quote"Bench. } ; DROP ALL ; SELECT * {'


def run(*args: object, ok: tuple[int, ...] = (0,)) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code in ok, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    d = tmp_path_factory.mktemp("hostile")
    kb = d / "kb.jsonl"
    kb.write_text("".join(json.dumps(e) + "\n" for e in KB))
    papers = d / "hostile.jsonl"
    papers.write_text("".join(json.dumps({"title": t, "abstract": ABSTRACT}) + "\n" for t in HOSTILE_TITLES))
    base = d / "base.jsonl"
    base.write_text(json.dumps({"title": "A Plain Paper", "abstract": "We use ImageNet and ResNet-50."}) + "\n")
    return kb, papers, base


def test_hostile_titles_and_names_stored_verbatim_and_queries_with_them_change_nothing(
        hostile_files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    kb, papers, base = hostile_files
    store = tmp_path / "s"
    run("ingest", base, "--store", store, "-q")
    with open_store(store, read_only=True) as st_:
        plain = set(st_.store.quads_for_pattern(None, None, None, None))
    run("ingest", papers, "--store", store, "--kb", kb, "-q")
    with open_store(store, read_only=True) as st_:
        before = set(st_.store.quads_for_pattern(None, None, None, None))
        _, rows = st_.query("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }")
        _, names = st_.query("SELECT DISTINCT ?n WHERE { ?e a ?c ; rdfs:label ?n VALUES ?c { kg:Method kg:Dataset } }")
    assert plain < before  # the plain paper is still all there
    assert sorted(r[0] for r in rows) == sorted(HOSTILE_TITLES + ["A Plain Paper"])
    assert {e["name"] for e in KB} <= {n[0] for n in names}
    for title in HOSTILE_TITLES:  # each as a query parameter, through the CLI
        out = run("query", "shared-datasets", "--param", f"paper={title}", "--store", store, "--format", "json")
        got = json.loads(out.stdout)  # the other papers sharing a dataset with the one named
        assert {r["paper"] for r in got} == set(HOSTILE_TITLES) - {title}, (title, got)
        assert {"Brace{Set}", 'Quote"Bench'} <= {r["dataset"] for r in got}
        run("query", "dataset-usage", "--param", f"min_papers={title}", "--store", store, ok=(0, 1))
    with open_store(store, read_only=True) as st_:
        assert set(st_.store.quads_for_pattern(None, None, None, None)) == before


def _ex(title: str, names: list[str]) -> Extraction:
    ents = tuple(Entity("Dataset", entity_key(n), n, "used", (), (Mention("abstract", 0, 1, "s", "kb"),))
                 for n in names)
    return Extraction(Paper(key=f"title:{title}", title=title, abstract="a"), (), ents, ())


text_no_surrogates = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None)
@given(st.lists(text_no_surrogates, min_size=1, max_size=6, unique=True),
       st.lists(text_no_surrogates, min_size=1, max_size=6, unique=True))
def test_minted_iris_parse_in_a_turtle_export_and_distinct_keys_never_share_one(
        tmp_path_factory: pytest.TempPathFactory, titles: list[str], names: list[str]) -> None:
    d = tmp_path_factory.mktemp("iri")
    with OxigraphStore(d / "s") as store:
        store.write(build_graph([_ex(t, names) for t in titles]))
        out = d / "g.ttl"
        with out.open("wb") as f:
            store.export("turtle", f)
    g = rdflib.Graph().parse(out, format="turtle")
    kg_ns = "https://kg.example.org/"
    paper_iris = {str(s) for s in g.subjects() if str(s).startswith(kg_ns + "paper/")}
    dataset_iris = {str(s) for s in g.subjects() if str(s).startswith(kg_ns + "dataset/")}
    assert len(paper_iris) == len({f"title:{t}" for t in titles})
    assert len(dataset_iris) == len({entity_key(n) for n in names})
    for iri in paper_iris | dataset_iris:
        assert not re.search(r"[\s<>\"{}|\\^`]", iri), iri
    stored_titles = {str(o) for o in g.objects(None, rdflib.DCTERMS.title)}
    assert stored_titles == set(titles)


# ---- secrets ------------------------------------------------------------------------------------

SECRET = "S3cret-Pa55word-xyzzy"


def _kg(*args: str, env_extra: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_extra}
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_password_never_shown_with_a_server_down_or_in_the_uri(hostile_files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, _, base = hostile_files
    down = f"bolt://127.0.0.1:{free_port()}"
    cases = [
        ("ingest", str(base), "--no-store", "--neo4j", down),
        ("query", "dataset-usage", "--neo4j", down),
        ("query", "--cypher", "RETURN 1", "--neo4j", down),
        ("ingest", str(base), "--no-store", "--neo4j", f"bolt://neo4j:{SECRET}@127.0.0.1:{free_port()}"),
    ]
    for args in cases:
        done = _kg(*args, env_extra={"KG_NEO4J_PASSWORD": SECRET}, cwd=tmp_path)
        assert done.returncode == 1, (args, done.stderr)
        assert SECRET not in done.stdout + done.stderr, args
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_password_never_in_the_store_or_any_export(hostile_files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, papers, _ = hostile_files
    env = {"KG_NEO4J_PASSWORD": SECRET, "KG_STORE": str(tmp_path / "s")}
    assert _kg("ingest", str(papers), "-q", env_extra=env, cwd=tmp_path).returncode == 0
    (tmp_path / "exports").mkdir()
    for fmt in ("turtle", "ntriples", "nquads", "jsonld", "graphml", "json", "neo4j-admin"):
        out = tmp_path / "exports" / fmt
        done = _kg("export", "--format", fmt, "-o", str(out), env_extra=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert SECRET not in done.stdout + done.stderr
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert SECRET.encode() not in f.read_bytes(), f


def test_dotenv_is_git_ignored() -> None:
    done = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO)
    assert done.returncode == 0, ".env is not git-ignored"
    tracked = subprocess.run(["git", "ls-files", "--", ".env", "**/.env"], cwd=REPO, capture_output=True, text=True)
    assert tracked.stdout.strip() == "", "a .env file is tracked"


# ---- the code itself ----------------------------------------------------------------------------

def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"), str(p))) for p in sorted(PACKAGE.rglob("*.py"))]


def _safe_yaml_loader(tree: ast.Module, call: ast.Call) -> bool:
    """``yaml.load(..., Loader=X)`` where X is (or is a module constant bound to) a SafeLoader."""
    loader = next((k.value for k in call.keywords if k.arg == "Loader"), None)
    if loader is None or (isinstance(call.func, ast.Attribute) and call.func.attr != "load"):
        return False
    text = ast.unparse(loader)
    if isinstance(loader, ast.Name):
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == loader.id for t in node.targets):
                text = ast.unparse(node.value)
    return "SafeLoader" in text and not re.search(r"Unsafe|Full|\bLoader\b", text.replace("SafeLoader", ""))


def test_no_eval_exec_or_pickle_in_the_package() -> None:
    bad = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
                if name in ("eval", "exec", "compile") and not owner or owner in ("pickle", "marshal", "shelve") \
                        or (owner == "yaml" and name in ("load", "unsafe_load", "full_load", "load_all")
                            and not _safe_yaml_loader(tree, node)):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno}: {owner + '.' if owner else ''}{name}()")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                if any(m.split(".")[0] in ("pickle", "marshal", "shelve", "dill") for m in mods):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno}: imports {mods}")
    assert bad == []


_QUERY_WORDS = re.compile(r"\b(MATCH|MERGE|CREATE|DELETE|DETACH|UNWIND|SELECT|CONSTRUCT|INSERT|WHERE|RETURN)\b")
# f-strings that build query text from kg's own constants only (reviewed): file -> function names
_REVIEWED = {"kg/sinks/store.py": {"counts"}}


def _functions(tree: ast.Module) -> dict[ast.AST, str]:
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                owner.setdefault(node, fn.name)
    return owner


def test_no_query_text_built_with_values() -> None:
    """No f-string, ``.format`` or ``%`` builds Cypher or SPARQL text, except reviewed sites that
    splice only kg's own constants (a new one fails here until someone reviews it)."""
    assert _query_text_sites(_modules()) == []
    # the cypher statements are files with $parameters, never Python placeholders
    for f in (PACKAGE / "sinks" / "cypher").glob("*.cypher"):
        assert not re.search(r"\{\w*\}|%s|%\(", f.read_text()), f
    named = [*(REPO / "queries").glob("*.*"), *(PACKAGE / "queries").glob("*.*")]
    assert named, "no named query files found"
    for f in named:
        assert not re.search(r"\{\d*\}|%s|%\(\w+\)s", f.read_text()), f


def test_the_query_text_check_catches_each_way_of_splicing() -> None:
    bad = ast.parse('''
def f(s, x):
    s.run(f"MATCH (n {{key: '{x}'}}) RETURN n")
    q = "SELECT ?s WHERE { ?s ?p '%s' }" % x
    r = "MERGE (n:Paper {{key: '{}'}}) RETURN n".format(x)
    ok = f"wrote {x} papers"
''')
    assert len(_query_text_sites([(PACKAGE / "fake.py", bad)])) == 3


def _query_text_sites(modules: list[tuple[Path, ast.Module]]) -> list[tuple[str, str, str]]:
    found = []
    for path, tree in modules:
        owner = _functions(tree)
        rel = str(path.relative_to(REPO))
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant):
                text = str(node.left.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                    and isinstance(node.func.value, ast.Constant):
                text = str(node.func.value.value)
            if text and _QUERY_WORDS.search(text) and ("{" in text or "(" in text or "$" in text) \
                    and not text.rstrip().endswith((";", ".")) and len(_QUERY_WORDS.findall(text)) >= 2:
                found.append((rel, owner.get(node, "<module>"), text[:60]))
    return [f for f in found if f[1] not in _REVIEWED.get(f[0], set())]


def test_exports_and_ingest_write_only_where_told(hostile_files: tuple[Path, Path, Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _, papers, _ = hostile_files
    cwd, elsewhere = tmp_path / "cwd", tmp_path / "elsewhere"
    cwd.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(cwd)
    store = elsewhere / "store"
    run("ingest", papers, "--store", store, "-q", "--rejects", elsewhere / "rejects.txt")
    outputs = []
    for fmt in ("turtle", "ntriples", "nquads", "jsonld", "graphml", "json", "neo4j-admin"):
        out = elsewhere / "out" / f"graph.{fmt}"
        if fmt != "neo4j-admin":
            out.parent.mkdir(parents=True, exist_ok=True)
        run("export", "--format", fmt, "-o", out, "--store", store)
        outputs.append(out)
    run("export", "--format", "turtle", "--store", store)  # to stdout
    run("stats", "--store", store)
    run("query", "dataset-usage", "--store", store)
    assert list(cwd.iterdir()) == [], list(cwd.iterdir())
    assert sorted(p.name for p in elsewhere.iterdir()) == ["out", "rejects.txt", "store"]
    assert sorted(p.name for p in (elsewhere / "out").iterdir()) == sorted(o.name for o in outputs)


def test_export_to_a_missing_folder_is_one_line_not_a_traceback(hostile_files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, _, base = hostile_files
    run("ingest", base, "--store", tmp_path / "s", "-q")
    out = tmp_path / "no" / "such" / "dir" / "g.ttl"
    result = run("export", "--format", "turtle", "-o", out, "--store", tmp_path / "s", ok=(1,))
    assert result.output.strip() == (f"Error: cannot write {out}: No such file or directory; check that its "
                                      "folder exists and is writable")
    result = run("ingest", base, "--store", tmp_path / "s", "--rejects", out, ok=(1,))
    assert result.output.startswith(f"Error: cannot write {out}")
    assert not (tmp_path / "no").exists()
