"""Every command with bad options, flags and KG_ settings: one `Error:` line, exit 1 or 2, never a
traceback and never kg's catch-all "unexpected error" (which would mean an unhandled bug); then a
bounded hypothesis fuzz over option values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import cli
from tests.helpers import DATA

TWO = DATA / "cli" / "two-papers.jsonl"
HERE = "__here__"  # replaced by the module's store


def invoke(args: list[str], env: dict[str, str] | None = None, store: Path | None = None) -> Result:
    args = [str(store) if a == HERE else a for a in args]
    clean = {k: None for k in os.environ if k.startswith("KG_")}  # the user's own settings stay out
    return CliRunner().invoke(cli, args, env={**clean, **(env or {})})


def assert_one_line(result: Result, ok: tuple[int, ...] = (1, 2)) -> None:
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}: {out}")
    assert "Traceback" not in out and 'File "' not in out, out
    assert "unexpected error" not in out, f"kg's catch-all caught a bug: {out}"
    assert result.exit_code in ok, (result.exit_code, out)
    if result.exit_code in (1, 2):
        errors = [ln for ln in out.splitlines() if ln.startswith("Error")]
        assert len(errors) == 1, out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, patched: None) -> Path:
    s = tmp_path_factory.mktemp("badopts") / "kg-data"
    r = invoke(["ingest", str(TWO), "--store", str(s), "-q"])
    assert r.exit_code == 0, r.output
    return s


BAD: list[tuple[list[str], dict[str, str]]] = [
    # settings from the environment
    (["ingest", str(TWO), "--store", HERE], {"KG_BATCH_SIZE": "-1"}),
    (["ingest", str(TWO), "--store", HERE], {"KG_BATCH_SIZE": "0"}),
    (["ingest", str(TWO), "--store", HERE], {"KG_BATCH_SIZE": "many"}),
    (["ingest", str(TWO), "--store", HERE], {"KG_WORKERS": "0"}),
    (["ingest", str(TWO), "--store", HERE], {"KG_NEO4J_BATCH_SIZE": "-5"}),
    (["ingest", str(TWO), "--store", HERE], {"KG_KB": "["}),
    (["ingest", str(TWO), "--store", HERE], {"KG_BASE_IRI": "not an iri"}),
    (["extract", str(TWO)], {"KG_WORKERS": "-3"}),
    (["query", "dataset-usage", "--store", HERE], {"KG_NEO4J_TIMEOUT": "0"}),
    (["stats"], {"KG_STORE": "/no/such/store"}),
    # flags
    (["ingest", str(TWO), "--store", HERE, "--batch-size", "0"], {}),
    (["ingest", str(TWO), "--store", HERE, "--workers", "x"], {}),
    (["ingest", str(TWO), "--store", HERE, "--input-format", "xml"], {}),
    (["ingest", str(TWO), "--store", HERE, "--kb", "/no/such.yaml"], {}),
    (["ingest", str(TWO), "--store", HERE, "--base-iri", "ftp://x y/"], {}),
    (["ingest", str(TWO), "--no-store"], {}),
    (["ingest", str(TWO), "--store", str(TWO)], {}),
    (["ingest", "/no/such/file.jsonl", "--store", HERE], {}),
    (["ingest", str(TWO), "--neo4j", "bolt://[::1", "--no-store"], {"KG_NEO4J_PASSWORD": "x" * 8}),
    (["ingest", str(TWO), "--neo4j", "http://localhost:7474", "--no-store"], {}),
    (["ingest", str(TWO), "--neo4j", "bolt://neo4j:pw@localhost", "--no-store"], {}),
    (["ingest", str(TWO), "--neo4j", "bolt://localhost:99999", "--no-store"], {}),
    (["ingest", str(TWO), "--rejects", "/no/such/dir/r.txt", "--store", HERE], {}),
    (["extract", str(TWO), "-o", "/no/such/dir/out.jsonl"], {}),
    (["extract", str(TWO), "--records", "[[[", "--input-format", "json"], {}),
    (["export", "--format", "rdfxml", "--store", HERE], {}),
    (["export", "--format", "neo4j-admin", "--store", HERE], {}),
    (["export", "--store", HERE, "--base-iri", "x"], {}),
    (["export", "-o", "/", "--store", HERE], {}),
    (["query", "dataset-usage", "--param", "a b=1", "--store", HERE], {}),
    (["query", "--sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--param", "a b=1", "--store", HERE], {}),
    (["query", "--sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--param", "1x=1", "--store", HERE], {}),
    (["query", "dataset-usage", "--param", "novalue", "--store", HERE], {}),
    (["query", "dataset-usage", "--param", "min_papers=lots", "--store", HERE], {}),
    (["query", "dataset-usage", "--param", "nope=1", "--store", HERE], {}),
    (["query", "no-such-query", "--store", HERE], {}),
    (["query", "../../etc/passwd", "--store", HERE], {}),
    (["query", "--sparql", "SELEKT", "--store", HERE], {}),
    (["query", "--sparql", "SELECT * WHERE { ?s ?p ?o }", "--param", "x=1", "--store", HERE], {}),
    (["query", "--cypher", "RETURN 1", "--store", HERE], {}),
    (["query", "dataset-usage", "--neo4j", "bolt://[::1"], {}),
    (["query", "dataset-usage", "--format", "xml", "--store", HERE], {}),
    (["query", "dataset-usage", "--store", "/no/such/store"], {}),
    (["stats", "--top", "-1", "--store", HERE], {}),
    (["stats", "--store", str(TWO)], {}),
    (["eval", "/no/gold.jsonl", str(TWO)], {}),
    (["eval", str(TWO), "/no/such/input.txt"], {}),
    (["kb", "import-pwc", str(TWO), str(TWO), "-o", "/no/such/dir/kb.jsonl"], {}),
    (["kb", "import-pwc", str(TWO), str(TWO)], {}),
    (["show", "no-such-thing-at-all", "--store", HERE], {}),
    (["show", "x", "--max-papers", "0", "--store", HERE], {}),
    (["view", "x", "--top", "3", "--store", HERE], {}),
    (["view", "--top", "0", "--store", HERE], {}),
    (["view", "ImageNet", "-o", "/no/such/dir/g.html", "--store", HERE], {}),
    (["doctor", "--store", "/no/such/store"], {}),
    (["doctor", "--store", str(TWO)], {}),
    (["no-such-command"], {}),
    (["ingest"], {}),
]


@pytest.mark.parametrize("args,env", BAD, ids=[" ".join(a[:1] + [k for k in e] + a[1:])[:70] for a, e in BAD])
def test_bad_option_is_one_line_no_traceback(store: Path, tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)  # relative defaults (./kg-data, graph.html) land in the test's folder
    try:
        assert_one_line(invoke(args, env, store), ok=(1, 2, 3))
    finally:
        os.chdir(cwd)


# ---- the fuzz: hypothesis picks a command, an option and a value ------------------------------

_SAFE_NAME = st.text(st.characters(codec="utf-8", exclude_characters="/\\\0"), min_size=1, max_size=12).filter(
    lambda s: s not in (".", ".."))
_VALUE = st.one_of(
    st.text(max_size=30),
    st.integers(-10**12, 10**12).map(str),
    st.sampled_from(["", "-", "0", "-1", "1e9", "nan", "inf", "[", "{}", "=", "a=b=c", " =1", "\x1b[2J",
                     "\u202e", "../x", "%s", "$(id)", "x" * 300]),
)
_PARAM = st.tuples(_VALUE, _VALUE).map(lambda kv: f"{kv[0]}={kv[1]}")
CASES = st.one_of(
    st.tuples(st.just(["query", "dataset-usage", "--store", HERE, "--param"]), _PARAM),
    st.tuples(st.just(["query", "shared-datasets", "--store", HERE, "--param"]), _PARAM),
    st.tuples(st.just(["query", "--store", HERE, "--sparql"]), _VALUE),
    st.tuples(st.just(["query", "--store", HERE, "--format"]), _VALUE),
    st.tuples(st.just(["query", "--store", HERE]), _VALUE),
    st.tuples(st.just(["stats", "--store", HERE, "--top"]), _VALUE),
    st.tuples(st.just(["show", "--store", HERE]), _VALUE),
    st.tuples(st.just(["show", "ImageNet", "--store", HERE, "--max-papers"]), _VALUE),
    st.tuples(st.just(["export", "--store", HERE, "--format"]), _VALUE),
    st.tuples(st.just(["export", "--store", HERE, "--base-iri"]), _VALUE),
    st.tuples(st.just(["export", "--format", "json", "--store", HERE, "-o"]), _SAFE_NAME),
    st.tuples(st.just(["view", "--store", HERE, "--top"]), _VALUE),
    st.tuples(st.just(["doctor", "--store"]), _SAFE_NAME),
    st.tuples(st.just(["ingest", str(TWO), "--store", HERE, "--batch-size"]), _VALUE),
    st.tuples(st.just(["ingest", str(TWO), "--store", HERE, "--base-iri"]), _VALUE),
    st.tuples(st.just(["ingest", str(TWO), "--store", HERE, "--input-format"]), _VALUE),
    st.tuples(st.just(["extract", str(TWO), "--records"]), _VALUE),
    st.tuples(st.just(["extract", str(TWO), "--workers"]), _VALUE),
)
ENV = st.dictionaries(st.sampled_from(["KG_BATCH_SIZE", "KG_WORKERS", "KG_NEO4J_BATCH_SIZE", "KG_NEO4J_TIMEOUT",
                                       "KG_BASE_IRI", "KG_KB"]),
                      _VALUE.filter(lambda v: "\0" not in v), max_size=2)


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=CASES, env=ENV)
def test_fuzz_option_values_never_give_a_traceback(store: Path, tmp_path: Path, case, env) -> None:
    args, value = case
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert_one_line(invoke([*args, value], env, store), ok=(0, 1, 2, 3))
    finally:
        os.chdir(cwd)
