"""The RDF mapping of the graph (DESIGN.md): IRIs, graph -> quads, and quads -> graph again."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import quote

import networkx as nx
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.errors import ConfigError
from kg.graph import node_id
from kg.model import Mention
from kg.sinks.vocab import KG, SCHEMA_NS

__all__ = [
    "DEFAULT_BASE_IRI",
    "IRI_KINDS",
    "EDGE_PREDICATES",
    "PREFIXES",
    "check_base_iri",
    "mint_iri",
    "mention_iri",
    "graph_to_quads",
    "paper_quads",
    "quads_to_networkx",
]

DEFAULT_BASE_IRI = "https://kg.example.org/"
IRI_KINDS = {"Paper": "paper", "Method": "method", "Dataset": "dataset", "CodeRepository": "code"}
EDGE_PREDICATES = {
    "PROPOSES": str(KG.proposes),
    "MENTIONS": str(KG.mentions),
    "INTRODUCES": str(KG.introduces),
    "USES": str(KG.uses),
    "HAS_CODE": str(KG.hasCode),
}
PREFIXES = {
    "kg": str(KG._NS),
    "schema": SCHEMA_NS,
    "dcterms": str(DCTERMS._NS),
    "rdf": str(RDF._NS),
    "rdfs": str(RDFS._NS),
    "skos": str(SKOS._NS),
    "xsd": str(XSD._NS),
}

_N = NamedNode
_TYPE = _N(str(RDF.type))
_LABEL, _ALT = _N(str(RDFS.label)), _N(str(SKOS.altLabel))
_ID, _TITLE, _ABSTRACT = _N(str(DCTERMS.identifier)), _N(str(DCTERMS.title)), _N(str(DCTERMS.abstract))
_CREATOR, _DATE = _N(str(DCTERMS.creator)), _N(str(DCTERMS.date))
_URL = _N(SCHEMA_NS + "url")
_ANYURI = _N(str(XSD.anyURI))
_ARXIV, _SOURCE = _N(str(KG.arxivId)), _N(str(KG.sourceFile))
_HOST, _OWNER, _REPO = _N(str(KG.host)), _N(str(KG.owner)), _N(str(KG.repo))
_M_PAPER, _M_ENTITY, _M_REL = _N(str(KG.paper)), _N(str(KG.entity)), _N(str(KG.relation))
_M_FIELD, _M_START, _M_END = _N(str(KG.field)), _N(str(KG.start)), _N(str(KG.end))
_M_SENT, _M_RULE = _N(str(KG.sentence)), _N(str(KG.rule))
_CLASSES = {
    "Paper": (_N(str(KG.Paper)), _N(SCHEMA_NS + "ScholarlyArticle")),
    "Method": (_N(str(KG.Method)),),
    "Dataset": (_N(str(KG.Dataset)), _N(SCHEMA_NS + "Dataset")),
    "CodeRepository": (_N(str(KG.CodeRepository)), _N(SCHEMA_NS + "SoftwareSourceCode")),
}
_MENTION_CLASS = _N(str(KG.Mention))
_EDGE_PRED = {t: _N(iri) for t, iri in EDGE_PREDICATES.items()}
_PRED_EDGE = {iri: t for t, iri in EDGE_PREDICATES.items()}
_CLASS_LABEL = {cls[0].value: label for label, cls in _CLASSES.items()}


def check_base_iri(base: str) -> str:
    """``base`` as an absolute IRI ending in ``/`` or ``#`` (a ``/`` is added), or ConfigError."""
    if not base.endswith(("/", "#")):
        base += "/"
    try:
        NamedNode(base)
    except ValueError as e:
        raise ConfigError(
            f"base IRI {base!r} is not a valid absolute IRI ({e}); "
            "set KG_BASE_IRI to something like https://kg.example.org/"
        ) from e
    return base


def _pct(key: str) -> str:
    """Percent-encode every byte that is not an RFC 3986 unreserved character (injective)."""
    return quote(key.encode("utf-8", "surrogatepass"), safe="")


def mint_iri(base: str, kind: str, key: str) -> str:
    """``{base}{kind}/{pct(key)}``: a valid IRI for any key, different keys never sharing one."""
    return f"{base}{kind}/{_pct(key)}"


def mention_iri(base: str, paper_key: str, entity: str, etype: str, m: Mention) -> str:
    """``{base}mention/{sha1}`` of the paper, entity node id, relation and the mention itself."""
    parts = (paper_key, entity, etype, m.field, str(m.start), str(m.end), m.rule, m.sentence)
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{base}mention/{digest}"


def _lit(value: object) -> Literal:
    """A literal; text with lone surrogates (not UTF-8) gets U+FFFD rather than failing the write."""
    try:
        return Literal(value)
    except (UnicodeEncodeError, ValueError):
        return Literal(str(value).encode("utf-8", "replace").decode("utf-8"))


def _entity_triples(iri: NamedNode, attrs: dict) -> list[tuple]:
    label = attrs["label"]
    out: list[tuple] = [(iri, _TYPE, c) for c in _CLASSES[label]]
    out.append((iri, _ID, _lit(attrs["key"])))
    if label == "CodeRepository":
        out.append((iri, _URL, Literal(attrs["url"], datatype=_ANYURI)))
        out.append((iri, _LABEL, _lit(attrs["url"])))
        for pred, name in ((_HOST, "host"), (_OWNER, "owner"), (_REPO, "repo")):
            if attrs.get(name) is not None:
                out.append((iri, pred, _lit(attrs[name])))
    else:
        out.append((iri, _LABEL, _lit(attrs["name"])))
        out.extend((iri, _ALT, _lit(a)) for a in attrs.get("aliases", ()))
    return out


def paper_quads(
    graph: nx.MultiDiGraph, pid: str, base: str, cache: dict | None = None
) -> Iterator[Quad]:
    """Every quad of one paper's named graph (named by the paper's IRI)."""
    cache = {} if cache is None else cache
    p = graph.nodes[pid]
    s = NamedNode(mint_iri(base, "paper", p["key"]))
    for c in _CLASSES["Paper"]:
        yield Quad(s, _TYPE, c, s)
    yield Quad(s, _ID, _lit(p["key"]), s)
    yield Quad(s, _TITLE, _lit(p.get("title") or ""), s)
    yield Quad(s, _ABSTRACT, _lit(p.get("abstract") or ""), s)
    if p.get("arxiv_id"):
        yield Quad(s, _ARXIV, _lit(p["arxiv_id"]), s)
    if p.get("url"):
        yield Quad(s, _URL, Literal(p["url"], datatype=_ANYURI), s)
    for a in p.get("authors") or ():
        yield Quad(s, _CREATOR, _lit(a), s)
    if p.get("date"):
        yield Quad(s, _DATE, _lit(p["date"]), s)
    if p.get("source"):
        yield Quad(s, _SOURCE, _lit(p["source"]), s)
    for _, nid, etype, ed in graph.out_edges(pid, keys=True, data=True):
        hit = cache.get(nid)
        if hit is None:
            attrs = graph.nodes[nid]
            o = NamedNode(mint_iri(base, IRI_KINDS[attrs["label"]], attrs["key"]))
            hit = cache[nid] = (o, _entity_triples(o, attrs))
        o, triples = hit
        yield Quad(s, _EDGE_PRED[etype], o, s)
        for t in triples:
            yield Quad(t[0], t[1], t[2], s)
        source = ed.get("source") or p.get("source") or ""
        for m in ed.get("mentions", ()):
            mi = NamedNode(mention_iri(base, p["key"], nid, etype, m))
            yield Quad(mi, _TYPE, _MENTION_CLASS, s)
            yield Quad(mi, _M_PAPER, s, s)
            yield Quad(mi, _M_ENTITY, o, s)
            yield Quad(mi, _M_REL, Literal(etype), s)
            yield Quad(mi, _M_FIELD, _lit(m.field), s)
            yield Quad(mi, _M_START, Literal(m.start), s)
            yield Quad(mi, _M_END, Literal(m.end), s)
            yield Quad(mi, _M_SENT, _lit(m.sentence), s)
            yield Quad(mi, _M_RULE, _lit(m.rule), s)
            if source:
                yield Quad(mi, _SOURCE, _lit(source), s)


def graph_to_quads(graph: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[Quad]:
    """The quads of every paper in ``graph``, each paper's in the named graph of the paper.

    An entity's type, key, label and alt labels are repeated in the graph of each paper naming
    it, so clearing one paper's graph never loses what another paper said about the entity.
    """
    base = check_base_iri(base_iri)
    cache: dict = {}
    for pid, label in graph.nodes(data="label"):
        if label == "Paper":
            yield from paper_quads(graph, pid, base, cache)


def _value(term: object) -> object:
    if isinstance(term, Literal):
        if term.datatype.value in _INT_TYPES:
            return int(term.value)
        return term.value
    if isinstance(term, (NamedNode, BlankNode)):
        return term.value
    return str(term)


_INT_TYPES = {str(XSD.integer), str(XSD.int), str(XSD.long), str(XSD.nonNegativeInteger)}


def quads_to_networkx(quads: Iterable[Quad | Triple]) -> nx.MultiDiGraph:
    """Read quads (or triples) written by :func:`graph_to_quads` back into the DESIGN.md graph shape.

    Graph names are ignored (the union is read). Lossy only where RDF is a set: a paper's authors
    come back sorted, and an entity's ``name`` is its smallest label, the other names aliases.
    """
    subj: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for q in quads:
        subj[q.subject.value][q.predicate.value].add(_value(q.object))
    g = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    label_of = {iri: _first_class(props) for iri, props in subj.items()}
    for iri, props in subj.items():
        label = label_of[iri]
        if label is None or label == "Mention":
            continue
        key = _one(props, _ID)
        nid = ids[iri] = node_id(label, key)
        if label == "Paper":
            g.add_node(nid, label=label, key=key, title=_one(props, _TITLE), abstract=_one(props, _ABSTRACT),
                       arxiv_id=_one(props, _ARXIV), url=_one(props, _URL),
                       authors=tuple(sorted(props.get(_CREATOR.value, ()))), date=_one(props, _DATE),
                       source=_one(props, _SOURCE) or "")
        elif label == "CodeRepository":
            g.add_node(nid, label=label, key=key, url=_one(props, _URL), host=_one(props, _HOST),
                       owner=_one(props, _OWNER), repo=_one(props, _REPO))
        else:
            names = props.get(_LABEL.value, set()) | props.get(_ALT.value, set())
            name = min(props.get(_LABEL.value) or names)
            g.add_node(nid, label=label, key=key, name=name, aliases=tuple(sorted(names - {name})))
    mentions: dict[tuple, list[Mention]] = defaultdict(list)
    for iri, props in subj.items():
        if label_of[iri] == "Mention":
            edge = (_one(props, _M_PAPER), _one(props, _M_ENTITY), _one(props, _M_REL))
            mentions[edge].append(Mention(_one(props, _M_FIELD), _one(props, _M_START), _one(props, _M_END),
                                          _one(props, _M_SENT), _one(props, _M_RULE)))
    for iri, props in subj.items():
        if label_of[iri] != "Paper":
            continue
        for pred, etype in _PRED_EDGE.items():
            for target in sorted(props.get(pred, ())):
                ms = sorted(mentions.get((iri, target, etype), ()), key=_mention_order)
                g.add_edge(ids[iri], ids[target], key=etype, type=etype, mentions=tuple(ms),
                           source=g.nodes[ids[iri]]["source"])
    return g


def _first_class(props: dict[str, set]) -> str | None:
    for cls in sorted(props.get(_TYPE.value, ())):
        if cls in _CLASS_LABEL:
            return _CLASS_LABEL[cls]
        if cls == _MENTION_CLASS.value:
            return "Mention"
    return None


def _one(props: dict[str, set], pred: NamedNode) -> object:
    """The smallest value of ``pred`` (a deterministic pick when papers disagree), or None."""
    values = props.get(pred.value)
    return min(values, key=lambda v: (str(type(v)), v)) if values else None


def _mention_order(m: Mention) -> tuple:
    return (m.field != "title", m.field, m.start, m.end, m.rule, m.sentence)
