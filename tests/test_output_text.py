"""Faithful, terminal-safe text: `kg query` never prints raw control characters, every GraphML
export parses (U+FFFE, U+FFFF, ESC in values) and CRLF text round-trips; --limit, "…" and
"did you mean"."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner, Result

from kg.cli import cli
from kg.graph import build_graph
from kg.model import Entity, Extraction, Mention, Paper
from kg.sinks.store import OxigraphStore

NASTY_TITLE = "Evil\x1b[2J Title\x7f with C1\x85\x9b and \u202e RLO and \ufffe\uffff end"
CRLF_ABSTRACT = "Line one.\r\nLine two uses ResNet-50.\rOld Mac line.\u2028Unicode line."
EVIL_SOURCE = "in\x1bput\r\n.jsonl"
LONG_TITLE = "A Very Long Title " * 10


def run(*args: object, ok: int = 0) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}: {result.output}") from result.exception
    assert result.exit_code == ok, (result.exit_code, result.output)
    return result


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding text the input side now cleans, as a store written before may still hold:
    written through the sink directly, not through the readers."""
    path = tmp_path_factory.mktemp("text") / "kg-data"
    mention = Mention("abstract", 30, 39, "Line two uses ResNet-50.", "kb")
    papers = []
    for i, title in enumerate((NASTY_TITLE, LONG_TITLE)):
        p = Paper(key=f"arxiv:2401.0000{i}", title=title, abstract=CRLF_ABSTRACT, arxiv_id=f"2401.0000{i}",
                  source=EVIL_SOURCE, line=i + 1, authors=("A\x1bB",))
        ent = Entity(kind="Method", key="resnet50", name="ResNet-50\x9b", role="mentioned", mentions=(mention,))
        papers.append(Extraction(p, methods=(ent,)))
    with OxigraphStore(path) as st:
        st.write(build_graph(papers))
    return path


def _has_raw_controls(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F
                   or c in "\u202a\u202b\u202c\u202d\u202e"})


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_query_output_has_no_raw_control_characters(store: Path, fmt: str) -> None:
    r = run("query", "--sparql", "SELECT ?t WHERE { ?p <http://purl.org/dc/terms/title> ?t } ORDER BY ?t",
            "--store", store, "--format", fmt)
    assert _has_raw_controls(r.stdout) == [], r.stdout
    if fmt == "table":
        assert "\\x1b[2J" in r.stdout and "\\x85" in r.stdout and "\\u202e" in r.stdout
    else:
        assert NASTY_TITLE in {row["t"] for row in json.loads(r.stdout)}, "JSON escapes, but the value is exact"


def test_method_table_and_stats_and_show_escape_controls(store: Path) -> None:
    for args in (("query", "method-mentions", "--param", "min_papers=1"), ("stats",), ("show", "resnet50")):
        r = run(*args, "--store", store)
        assert _has_raw_controls(r.stdout) == [], (args, r.stdout)


def test_long_titles_are_cut_with_an_ellipsis_and_limit_caps_rows(store: Path) -> None:
    r = run("query", "papers-without-code", "--store", store)
    lines = r.stdout.splitlines()
    assert any(ln.startswith(LONG_TITLE[:59] + "…") for ln in lines), r.stdout
    r = run("query", "papers-without-code", "--store", store, "--limit", "1")
    assert len(r.stdout.splitlines()) == 3  # header, rule, one row
    assert "(1 of 2 rows)" in r.stderr
    r = run("query", "papers-without-code", "--store", store, "--limit", "1", "--format", "json")
    assert len(json.loads(r.stdout)) == 1


def test_an_unknown_query_name_suggests_the_nearest(store: Path) -> None:
    r = run("query", "dataset-usgae", "--store", store, ok=1)
    assert "did you mean dataset-usage?" in r.output
    r = run("query", "dataset-usage", "--param", "min_paper=2", "--store", store, ok=1)
    assert "did you mean min_papers?" in r.output


def test_graphml_parses_and_crlf_round_trips(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    run("export", "--format", "graphml", "-o", out, "--store", store)
    ET.parse(out)  # any XML 1.0 parser: this one refuses &#65534; and raw ESC
    g = nx.read_graphml(out)
    papers = [d for _, d in g.nodes(data=True) if d.get("label") == "Paper"]
    assert {p["abstract"] for p in papers} == {CRLF_ABSTRACT}, "CR, CRLF and U+2028 come back as written"
    nasty = next(p for p in papers if p["title"].startswith("Evil"))
    assert nasty["title"] == NASTY_TITLE.replace("\x1b", "\ufffd").replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
    sources = {d["source"] for _, _, d in g.edges(data=True)}
    assert sources == {EVIL_SOURCE.replace("\x1b", "\ufffd")}
