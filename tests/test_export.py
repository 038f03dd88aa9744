"""Exports parse back: RDF formats isomorphic to the store's graph, GraphML and JSON equal to its graph."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest
import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kg.errors import SinkError
from kg.sinks.export import EXPORTERS, export, graph_to_json
from kg.sinks.store import OxigraphStore
from tests.test_rdf_helpers import graph_of, hostile_corpus, small_corpus


def _term(t):
    if isinstance(t, NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, BlankNode):  # pragma: no cover - kg writes no blank nodes
        return rdflib.BNode(t.value)
    assert isinstance(t, Literal)
    if t.language:
        return rdflib.Literal(t.value, lang=t.language)
    if t.datatype.value == str(XSD.string):  # RDF 1.1 simple literal: rdflib keeps no datatype
        return rdflib.Literal(t.value)
    return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with OxigraphStore(tmp_path_factory.mktemp("x") / "kg-data") as s:
        s.write(graph_of(small_corpus() + hostile_corpus()))
        yield s


@pytest.fixture(scope="module")
def content(store):
    """The store's (default) graph, built term by term (no serialiser involved)."""
    g = rdflib.Graph()
    for q in store.store.quads_for_pattern(None, None, None, None):
        assert isinstance(q.graph_name, DefaultGraph)
        g.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return g


def _export(store, fmt) -> tuple[int, bytes]:
    out = io.BytesIO()
    n = EXPORTERS[fmt](store, out)
    return n, out.getvalue()


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_triple_formats_parse_back_isomorphic(store, content, fmt, rdflib_format):
    n, data = _export(store, fmt)
    parsed = rdflib.Graph().parse(data=data, format=rdflib_format)
    assert n == len(content) == len(parsed)
    assert isomorphic(parsed, content)


@pytest.mark.parametrize("fmt,rdflib_format", [("nquads", "nquads"), ("trig", "trig")])
def test_dataset_formats_hold_the_default_graph(store, content, fmt, rdflib_format):
    n, data = _export(store, fmt)
    parsed = rdflib.Dataset().parse(data=data, format=rdflib_format)
    assert n == len(store.store) == len(content)
    got = rdflib.Graph()
    for s, p, o, c in parsed.quads():
        assert c is None or getattr(c, "identifier", c) == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
        got.add((s, p, o))
    assert isomorphic(got, content)


def test_turtle_uses_our_prefixes(store):
    _, data = _export(store, "turtle")
    text = data.decode("utf-8")
    assert "@prefix kg: <https://w3id.org/kg-ml/vocab#>" in text and "kg:Paper" in text


def test_graphml_has_scalar_attributes_and_the_store_graph(store):
    n, data = _export(store, "graphml")
    g = store.to_networkx()
    back = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    assert n == g.number_of_nodes() + g.number_of_edges()
    assert set(back.nodes) == set(g.nodes)
    assert sorted((u, v, k) for u, v, k in back.edges(keys=True)) == sorted(g.edges(keys=True))
    alpha = back.nodes["Paper:arxiv:2401.00001"]
    assert alpha["authors"] == "Ann|Bob" and alpha["arxiv_id"] == "2401.00001"
    assert back.nodes["Dataset:cifar100"]["aliases"] == "CIFAR100"
    edge = back.edges["Paper:arxiv:2401.00001", "Dataset:imagenet", "USES"]
    mentions = json.loads(edge["mentions"])
    assert [(m["start"], m["end"], m["rule"]) for m in mentions] == [(0, 8, "rule0"), (10, 18, "rule1")]


def test_json_is_node_link_and_json_safe(store):
    n, data = _export(store, "json")
    doc = json.loads(data)
    g = store.to_networkx()
    assert n == len(doc["nodes"]) + len(doc["edges"]) == g.number_of_nodes() + g.number_of_edges()
    nodes = {d["id"]: d for d in doc["nodes"]}
    assert nodes["Dataset:cifar100"]["aliases"] == ["CIFAR100"]
    assert nodes["Paper:arxiv:2401.00005"]["url"] is None
    e = [d for d in doc["edges"] if d["source"] == "Paper:arxiv:2401.00001" and d["key"] == "HAS_CODE"]
    assert e[0]["mentions"] == [{"field": "abstract", "start": 0, "end": 29,
                                 "sentence": "We use https://github.com/acme/alpha.", "rule": "url"}]
    back = nx.node_link_graph(doc, edges="edges", multigraph=True, directed=True)
    assert set(back.nodes) == set(g.nodes) and back.number_of_edges() == g.number_of_edges()
    assert graph_to_json(g) == doc


def test_export_does_not_close_the_callers_stream(store):
    out = io.BytesIO()
    for fmt in EXPORTERS:
        export(store, fmt, out)
        assert not out.closed


def test_unknown_format_is_a_sink_error(store):
    with pytest.raises(SinkError, match="choose one of"):
        export(store, "xml", io.BytesIO())
    with pytest.raises(SinkError, match="choose one of"):
        store.export("graphml", io.BytesIO())


ORDERED = ("Zoe Z", "Ann A", "Mia M")


@pytest.fixture(scope="module")
def ordered_store(tmp_path_factory):
    from kg.model import Extraction
    from tests.test_rdf_helpers import method, paper

    ex = [Extraction(paper("title:o", "Ordered", authors=ORDERED), methods=(method("M"),))]
    with OxigraphStore(tmp_path_factory.mktemp("o") / "kg-data") as s:
        s.write(graph_of(small_corpus() + ex))
        yield s


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_author_order_survives_every_rdf_format(ordered_store, fmt, rdflib_format):
    from rdflib.collection import Collection

    from kg.sinks.rdf import mint_iri
    from kg.sinks.vocab import KG

    parsed = rdflib.Graph().parse(data=_export(ordered_store, fmt)[1], format=rdflib_format)
    head = parsed.value(rdflib.URIRef(mint_iri("https://kg.example.org/", "paper", "title:o")),
                        rdflib.URIRef(str(KG.authorList)))
    assert [str(a) for a in Collection(parsed, head)] == list(ORDERED)


def test_author_order_survives_graphml_json_and_neo4j_admin(ordered_store, tmp_path):
    from kg.sinks.neo4j_admin import ARRAY_DELIMITER, export_neo4j_admin

    assert ordered_store.to_networkx().nodes["Paper:title:o"]["authors"] == ORDERED
    back = nx.read_graphml(io.BytesIO(_export(ordered_store, "graphml")[1]), force_multigraph=True)
    assert back.nodes["Paper:title:o"]["authors"] == "|".join(ORDERED)
    doc = json.loads(_export(ordered_store, "json")[1])
    assert next(n for n in doc["nodes"] if n["id"] == "Paper:title:o")["authors"] == list(ORDERED)
    export_neo4j_admin(ordered_store.to_networkx(), tmp_path / "csv")
    import csv

    with open(tmp_path / "csv" / "nodes-Paper.csv", newline="", encoding="utf-8") as f:
        rows = {r["key:ID(Paper)"]: r for r in csv.DictReader(f)}
    assert rows["title:o"]["authors:string[]"].split(ARRAY_DELIMITER) == list(ORDERED)
