"""`kg export --no-provenance`: the lean graph (papers, entities, relations) in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import rdflib
from click.testing import CliRunner
from pyoxigraph import NamedNode
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.sinks.export import EXPORTERS
from kg.sinks.neo4j_admin import LEAN_REL_HEADERS, export_neo4j_admin
from kg.sinks.store import OxigraphStore
from kg.sinks.vocab import KG
from tests.helpers import SEED, need
from tests.test_export import _term
from tests.test_rdf_helpers import graph_of, hostile_corpus, small_corpus

MENTION = "https://kg.example.org/mention/"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with OxigraphStore(tmp_path_factory.mktemp("lean") / "kg-data") as s:
        s.write(graph_of(small_corpus() + hostile_corpus()))
        yield s


def _graph(store, keep) -> rdflib.Graph:
    g = rdflib.Graph()
    for q in store.store.quads_for_pattern(None, None, None, None):
        if keep(q):
            g.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return g


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                               ("nquads", "nquads"), ("trig", "trig")])
def test_lean_rdf_is_the_store_without_its_mention_resources(store, fmt, rdflib_format):
    out = io.BytesIO()
    n = EXPORTERS[fmt](store, out, provenance=False)
    parsed = rdflib.Dataset().parse(data=out.getvalue(), format=rdflib_format)
    got = rdflib.Graph()
    for s, p, o, _ in parsed.quads():
        got.add((s, p, o))
    lean = _graph(store, lambda q: not q.subject.value.startswith(MENTION))
    assert n == len(got) == len(lean) < len(store.store)
    assert isomorphic(got, lean)
    assert not any(str(s).startswith(MENTION) or str(o).startswith(MENTION) for s, _, o in got)
    assert (None, rdflib.RDF.type, rdflib.URIRef(str(KG.Mention))) not in got
    # papers, entities and every relation are all there
    for pred in (KG.proposes, KG.mentions, KG.introduces, KG.uses, KG.hasCode, KG.authorList):
        assert len(list(got.triples((None, rdflib.URIRef(str(pred)), None)))) == \
            len(list(store.store.quads_for_pattern(None, NamedNode(str(pred)), None, None)))


def test_lean_graphml_and_json_have_no_mentions(store):
    full = store.to_networkx()
    assert dict(store.to_networkx(provenance=False).nodes(data=True)) == dict(full.nodes(data=True))
    out = io.BytesIO()
    n = EXPORTERS["graphml"](store, out, provenance=False)
    back = nx.read_graphml(io.BytesIO(out.getvalue()), force_multigraph=True)
    assert n == full.number_of_nodes() + full.number_of_edges()
    assert sorted(back.edges(keys=True)) == sorted(full.edges(keys=True))
    assert all(set(d) == {"type"} for _, _, d in back.edges(data=True))
    assert b"sentence" not in out.getvalue()
    out = io.BytesIO()
    EXPORTERS["json"](store, out, provenance=False)
    doc = json.loads(out.getvalue())
    assert len(doc["edges"]) == full.number_of_edges()
    assert all("mentions" not in e for e in doc["edges"])
    assert {n["id"]: n for n in doc["nodes"]}["Paper:arxiv:2401.00001"]["authors"] == ["Ann", "Bob"]


def test_lean_neo4j_admin_rows_are_ends_and_type(store, tmp_path: Path):
    counts = export_neo4j_admin(store.to_networkx(provenance=False), tmp_path, provenance=False)
    rows = []
    # rows whose key holds a line break are in multiline pieces (kg.sinks.neo4j_admin), same header
    for path in [tmp_path / "relationships-USES.csv", *sorted(tmp_path.glob("relationships-USES-multiline-*.csv"))]:
        with open(path, newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
        assert not rows or got[0] == rows[0]
        rows += got if not rows else got[1:]
    assert rows[0] == LEAN_REL_HEADERS["USES"] == [":START_ID(Paper)", ":END_ID(Dataset)", ":TYPE"]
    assert len(rows) - 1 == counts["USES"] == len([e for e in store.to_networkx().edges(keys=True) if e[2] == "USES"])
    assert ["arxiv:2401.00001", "imagenet", "USES"] in rows


def test_cli_no_provenance_on_the_seed(tmp_path: Path):
    """As a user runs it; the share of provenance triples is the README's figure."""
    store = tmp_path / "kg-data"
    r = CliRunner().invoke(cli, ["ingest", str(need(SEED)), "--store", str(store), "-q"])
    assert r.exit_code == 0, r.output
    sizes = {}
    for flag in ([], ["--no-provenance"]):
        out = tmp_path / f"graph{len(flag)}.nt"
        r = CliRunner().invoke(cli, ["export", "--format", "ntriples", "-o", str(out), "--store", str(store), *flag])
        assert r.exit_code == 0, r.output
        g = rdflib.Graph().parse(out, format="nt")
        sizes[bool(flag)] = len(g)
        assert f"wrote {len(g):,} items" in r.stderr
    share = 1 - sizes[True] / sizes[False]
    assert 0.5 < share < 0.85, share  # measured 2026-12-04 on the seed: see README "Exporting"
    r = CliRunner().invoke(cli, ["export", "--help"])
    assert "--no-provenance" in r.output
