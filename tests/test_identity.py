"""One node per sense (issue 11): keys from each paper's own evidence, in every store, in any order."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace

import pytest
import rdflib
from kg.extract import Extractor
from kg.graph import build_graph, entity_identity
from kg.keys import paper_key
from kg.model import Entity, Extraction, Mention, Paper
from kg.sinks.neo4j import Neo4jSink
from kg.sinks.rdf import graph_to_ntriples
from kg.sinks.store import OxigraphStore
from tests.neo4j_server import Neo4jInfo
from tests.test_neo4j_sink import _dump

M = (Mention("abstract", 0, 5, "s", "r"),)
SCHEMA = rdflib.Namespace("https://schema.org/")
KGV = rdflib.Namespace("https://w3id.org/kg-ml/vocab#")


def _p(n: int, date: str = "2025-05-01") -> Paper:
    return Paper(f"arxiv:2505.{n:05d}", f"Paper {n}", f"Abstract {n}.", arxiv_id=f"2505.{n:05d}", date=date,
                 source="a.jsonl")


def _m(name: str, role: str = "mentioned", long_form: str | None = None, kb: bool = False) -> Entity:
    key = name.lower().replace("-", "")
    return Entity("Method", key, name, role, (long_form,) if long_form else (), M,
                  f"method:{key}" if kb else None, long_form)


# two different PRISMs proposed, a bare PRISM mentioned, one long form defined twice and another
# once, a known entity everywhere, and a later record of paper 1 that spells LoRA otherwise
CASES = [
    Extraction(_p(1), methods=(_m("PRISM", "proposed"), _m("LoRA", kb=True))),
    Extraction(_p(2), methods=(_m("PRISM", "proposed"), _m("SGAN", long_form="Stacked GAN"))),
    Extraction(_p(3), methods=(_m("PRISM"), _m("SGAN", long_form="Stacked GANs"), _m("LoRA", kb=True))),
    Extraction(_p(4), methods=(_m("SGAN", long_form="Semi-Supervised GAN"),)),
    Extraction(_p(1, "2025-06-01"), methods=(_m("PRISM", "proposed"), replace(_m("LoRA", kb=True), name="LORA"))),
]


def test_keys_are_senses_from_the_papers_own_evidence():
    g = build_graph(CASES)
    methods = {n: d for n, d in g.nodes(data=True) if d["label"] == "Method"}
    assert sorted(methods) == ["Method:lora", "Method:prism", "Method:prism@arxiv:2505.00001",
                               "Method:prism@arxiv:2505.00002", "Method:sgan~semi-supervised-gan",
                               "Method:sgan~stacked-gan"]
    assert methods["Method:prism"]["ambiguous"] and methods["Method:prism"]["sense"] == "name"
    assert {d["sense"] for n, d in methods.items() if "@" in n} == {"owned"}
    assert {d["name_key"] for n, d in methods.items() if n.startswith("Method:prism")} == {"prism"}
    assert methods["Method:lora"]["sense"] == "kb" and not methods["Method:lora"]["ambiguous"]
    # the later record of paper 1 (2025-06-01) is the one kept: LoRA is spelled LORA only there
    assert methods["Method:lora"]["labels"] == ("LORA", "LoRA")
    assert entity_identity(_m("X", "proposed", "Xtra Net"), "arxiv:1") == ("x~xtra-net", "defined")


def test_the_graph_is_the_same_in_every_order():
    def dump(g):
        return (sorted((n, sorted(d.items())) for n, d in g.nodes(data=True)),
                sorted((u, v, k, sorted(d.items())) for u, v, k, d in g.edges(keys=True, data=True)))
    want = dump(build_graph(CASES))
    for order in itertools.permutations(CASES):
        assert dump(build_graph(order)) == want
    assert dump(build_graph(CASES + CASES)) == want


def test_store_rdf_and_neo4j_hold_the_same_senses_in_any_order(tmp_path, neo4j_db: Neo4jInfo):
    got = []
    for i, order in enumerate((CASES, CASES[::-1], [CASES[4], *CASES, CASES[0]])):
        with OxigraphStore(tmp_path / f"s{i}") as s:
            for ex in order:  # one paper a write: every replacement goes through the store
                s.write(build_graph([ex]))
            got.append(set(s.store.quads_for_pattern(None, None, None, None)))
    assert got[0] == got[1] == got[2]
    g = rdflib.Graph().parse(data="\n".join(graph_to_ntriples(build_graph(CASES))), format="nt")
    name = rdflib.URIRef("https://kg.example.org/method/prism")
    assert (name, KGV.ambiguous, rdflib.Literal(True)) in g
    assert (name, KGV.nameKey, rdflib.Literal("prism")) in g
    paper = rdflib.URIRef("https://kg.example.org/paper/arxiv%3A2505.00001")
    assert (paper, SCHEMA.sameAs, rdflib.URIRef("https://arxiv.org/abs/2505.00001")) in g
    dumps = []
    for order in (CASES, CASES[::-1]):
        with Neo4jSink(neo4j_db.uri, neo4j_db.user, neo4j_db.password, neo4j_db.database) as sink:
            sink.query("MATCH (n) DETACH DELETE n")
            for ex in order:
                sink.write(build_graph([ex]))
            dumps.append(_dump(neo4j_db))
            _, rows = sink.query("MATCH (m:Method) RETURN m.key, m.name, m.aliases, m.sense, m.ambiguous "
                                 "ORDER BY m.key")
    assert dumps[0] == dumps[1]
    assert rows[0] == ["lora", "LORA", ["LoRA"], "kb", False]
    assert ["prism", "PRISM", [], "name", True] in rows


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def _paper(abstract: str, arxiv: str = "2505.00009", date: str = "2025-05-20") -> Paper:
    return Paper(paper_key("T", arxiv), "T", abstract, arxiv_id=arxiv, date=date)


def _one(ex: Extractor, abstract: str, name: str, **kw) -> Entity | None:
    found = ex.extract(_paper(abstract, **kw))
    return next((e for e in found.methods + found.datasets if name in (e.name, *e.aliases)), None)


def test_a_definition_in_the_text_beats_the_knowledge_base(ex):
    stacked = _one(ex, "We train a Stacked GAN (SGAN) on faces and compare it with others.", "SGAN")
    assert stacked is not None and stacked.kb_id != "method:socialgan" and "Social GAN" not in stacked.aliases
    assert entity_identity(stacked, "p") == ("sgan~stacked-gan", "kb")  # a sense kb_senses.yaml lists
    social = _one(ex, "Social GAN (SGAN) forecasts pedestrian trajectories in crowds.", "SGAN")
    assert social is not None and social.kb_id == "method:socialgan" and social.key == "sgan~social-gan"
    lora = _one(ex, "We propose Localized Region Attention (LoRA), a new attention for detection.", "LoRA")
    assert lora is not None and lora.kb_id is None and entity_identity(lora, "p")[1] == "defined"


def test_a_shared_name_resolves_by_context_or_stays_ambiguous(ex):
    assert _one(ex, "Our model lowers the MAE and RMSE of the forecasting baseline.", "MAE") is None  # a metric
    masked = _one(ex, "We pre-train a ViT encoder with MAE on masked patches.", "MAE")
    assert masked is not None and masked.key == "mae~masked-autoencoder"
    bare = _one(ex, "We compare against SGAN and two other baselines.", "SGAN")
    assert bare is not None and bare.kb_id is None and entity_identity(bare, "p") == ("sgan", "name")


def test_a_known_entity_is_proposed_only_by_its_own_paper(ex):
    text = "We propose LoRA for efficient fine-tuning of large models."
    later = _one(ex, text, "LoRA")
    assert later is not None and later.role == "mentioned" and later.same_as == ("https://arxiv.org/abs/2106.09685",)
    # the extractor's own role decision aside, the post-step keeps a proposal by the entity's own paper
    lora = Entity("Method", "lora", "LoRA", "proposed", (), (Mention("abstract", 11, 15, text, "propose-cue"),),
                  "method:lora")
    for arxiv, date, role in (("2106.09685", "2021-06-17", "proposed"), ("2505.00009", "2025-05-20", "mentioned"),
                              (None, None, "proposed"), (None, "2025-01-01", "mentioned")):
        p = Paper("title:x", "T", text, arxiv_id=arxiv, date=date)
        assert ex.known.apply(Extraction(p, methods=(lora,))).methods[0].role == role, (arxiv, date)
    generic = _one(ex, "We propose a new LLM for chemistry, trained from scratch.", "LLM")
    assert generic is None or generic.role == "mentioned"


def test_kg_stats_reports_ambiguous_names_and_most_senses(tmp_path):
    with OxigraphStore(tmp_path / "s") as s:
        s.write(build_graph(CASES))
    r = subprocess.run([sys.executable, "-m", "kg", "stats", "--store", str(tmp_path / "s")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "ambiguous names (mentions no sense could be given): 1" in r.stdout
    assert "names with several senses: 2" in r.stdout
    assert "2       3  PRISM (Method)" in r.stdout and "2       3  SGAN (Method)" in r.stdout
