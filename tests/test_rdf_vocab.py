"""The vocabulary: one DefinedNamespace, described in vocab.ttl and aligned with schema.org."""

from __future__ import annotations

from importlib import resources

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.sinks.vocab import KG, KG_NS, VOCAB_TTL

SCHEMA = rdflib.Namespace("https://schema.org/")


@pytest.fixture(scope="module")
def vocab() -> rdflib.Graph:
    text = (resources.files("kg.sinks") / VOCAB_TTL).read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def test_namespace_fails_on_unknown_terms():
    assert str(KG.Paper) == KG_NS + "Paper"
    with pytest.raises(AttributeError):
        KG.Papers  # noqa: B018


def test_every_term_is_described_and_nothing_else(vocab):
    declared = {n for n in KG.__annotations__ if not n.startswith("_")}
    described = {str(s)[len(KG_NS):] for s in vocab.subjects(RDFS.comment, None) if str(s).startswith(KG_NS)}
    assert declared == described - {""}
    for name in declared:
        kind = RDFS.Class if name[0].isupper() else RDF.Property
        assert (KG[name], RDF.type, kind) in vocab, name
    assert (rdflib.URIRef(KG_NS), RDF.type, OWL.Ontology) in vocab


def test_classes_align_with_schema_org(vocab):
    assert (KG.Paper, RDFS.subClassOf, SCHEMA.ScholarlyArticle) in vocab
    assert (KG.Dataset, RDFS.subClassOf, SCHEMA.Dataset) in vocab
    assert (KG.CodeRepository, RDFS.subClassOf, SCHEMA.SoftwareSourceCode) in vocab
