"""The RDF mapping of the graph (DESIGN.md): IRIs, graph -> N-Triples, and triples -> graph again."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import quote

import networkx as nx
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, Triple, parse
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.errors import ConfigError
from kg.graph import node_id
from kg.keys import arxiv_iri
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
    "author_cell_iri",
    "graph_to_quads",
    "graph_to_ntriples",
    "entity_ntriples",
    "paper_ntriples",
    "hash_ntriples",
    "ntriples_bytes",
    "quads_to_networkx",
    "store_to_networkx",
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

_XSD = str(XSD._NS)
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_TYPE = f"<{RDF.type}>"
_LABEL, _ALT = f"<{RDFS.label}>", f"<{SKOS.altLabel}>"
_ID, _TITLE, _ABSTRACT = f"<{DCTERMS.identifier}>", f"<{DCTERMS.title}>", f"<{DCTERMS.abstract}>"
_CREATOR, _DATE = f"<{DCTERMS.creator}>", f"<{DCTERMS.date}>"
_URL = f"<{SCHEMA_NS}url>"
_ARXIV, _SOURCE = f"<{KG.arxivId}>", f"<{KG.sourceFile}>"
_HOST, _OWNER, _REPO = f"<{KG.host}>", f"<{KG.owner}>", f"<{KG.repo}>"
_M_PAPER, _M_ENTITY, _M_REL = f"<{KG.paper}>", f"<{KG.entity}>", f"<{KG.relation}>"
_M_FIELD, _M_START, _M_END = f"<{KG.field}>", f"<{KG.start}>", f"<{KG.end}>"
_M_SENT, _M_RULE = f"<{KG.sentence}>", f"<{KG.rule}>"
_M_NAME, _M_ALIAS = f"<{KG.name}>", f"<{KG.alias}>"
_NAME_KEY, _SENSE, _AMBIGUOUS, _KB_ID = f"<{KG.nameKey}>", f"<{KG.sense}>", f"<{KG.ambiguous}>", f"<{KG.kbId}>"
_RECORD, _SAME_AS = f"<{KG.record}>", f"<{SCHEMA_NS}sameAs>"
_TRUE = f'"true"^^<{_XSD}boolean>'
_HASH = f"<{KG.contentHash}>"
_AUTHORS, _FIRST, _REST, _NIL = f"<{KG.authorList}>", f"<{RDF.first}>", f"<{RDF.rest}>", f"<{RDF.nil}>"
_CLASSES = {
    "Paper": (str(KG.Paper), SCHEMA_NS + "ScholarlyArticle"),
    "Method": (str(KG.Method),),
    "Dataset": (str(KG.Dataset), SCHEMA_NS + "Dataset"),
    "CodeRepository": (str(KG.CodeRepository), SCHEMA_NS + "SoftwareSourceCode"),
}
_MENTION_CLASS = str(KG.Mention)
_EDGE_PRED = {t: f"<{iri}>" for t, iri in EDGE_PREDICATES.items()}
_PRED_EDGE = {iri: t for t, iri in EDGE_PREDICATES.items()}
_CLASS_LABEL = {cls[0]: label for label, cls in _CLASSES.items()}


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


def mention_iri(base: str, paper_key: str, entity: str, etype: str, m: Mention, source: str = "",
                names: tuple[str, ...] = ()) -> str:
    """``{base}mention/{sha1}`` of the paper, entity node id, relation, the mention, its source
    file and the names the paper gives the entity: everything a mention resource says, so equal
    IRIs mean equal triples."""
    parts = (paper_key, entity, etype, m.field, str(m.start), str(m.end), m.rule, m.sentence, source, *names)
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{base}mention/{digest}"


def author_cell_iri(paper_iri: str, i: int) -> str:
    """The IRI of cell ``i`` (1-based) of a paper's author list: minted, not a blank node, so a
    re-ingest writes the same triples and the store can find and replace the paper's list."""
    return f"{paper_iri}/authors/{i}"


def _author_lines(s: str, authors: tuple[str, ...] | list[str]) -> list[str]:
    """``s kg:authorList ( a1 a2 ... )`` as N-Triples with minted cells (order kept)."""
    if not authors:
        return []
    cells = [f"<{author_cell_iri(s[1:-1], i)}>" for i in range(1, len(authors) + 1)]
    lines = [f"{s} {_AUTHORS} {cells[0]} ."]
    for i, (cell, name) in enumerate(zip(cells, authors)):
        rest = cells[i + 1] if i + 1 < len(cells) else _NIL
        lines += (f"{cell} {_FIRST} {_lit(name)} .", f"{cell} {_REST} {rest} .")
    return lines


def _lit(value: str) -> str:
    """An N-Quads string literal: only ``"``, ``\\``, LF and CR need escaping (N-Triples grammar)."""
    return f'"{value.translate(_ESCAPE)}"'


def _int(value: int) -> str:
    return f'"{int(value)}"^^<{_XSD}integer>'


def _uri_lit(value: str) -> str:
    return f'"{value.translate(_ESCAPE)}"^^<{_XSD}anyURI>'


def entity_ntriples(graph: nx.MultiDiGraph, nid: str, base: str) -> tuple[str, list[str]]:
    """The IRI term (``<...>``) of entity node ``nid`` and its N-Triples lines (types, key, names).

    An entity's triples are shared by every paper naming it (RDF set semantics merges them).
    """
    attrs = graph.nodes[nid]
    label = attrs["label"]
    iri = f"<{mint_iri(base, IRI_KINDS[label], attrs['key'])}>"
    out = [f"{iri} {_TYPE} <{c}> ." for c in _CLASSES[label]]
    out.append(f"{iri} {_ID} {_lit(attrs['key'])} .")
    if label == "CodeRepository":
        out.append(f"{iri} {_URL} {_uri_lit(attrs['url'])} .")
        out.append(f"{iri} {_LABEL} {_lit(attrs['url'])} .")
        for pred, name in ((_HOST, "host"), (_OWNER, "owner"), (_REPO, "repo")):
            if attrs.get(name) is not None:
                out.append(f"{iri} {pred} {_lit(attrs[name])} .")
    else:
        out.extend(f"{iri} {_LABEL} {_lit(a)} ." for a in attrs.get("labels") or (attrs["name"],))
        out.extend(f"{iri} {_ALT} {_lit(a)} ." for a in attrs.get("alts", attrs.get("aliases", ())))
        out.append(f"{iri} {_NAME_KEY} {_lit(attrs.get('name_key') or attrs['key'])} .")
        out.append(f"{iri} {_SENSE} {_lit(attrs.get('sense') or 'name')} .")
        if attrs.get("ambiguous"):
            out.append(f"{iri} {_AMBIGUOUS} {_TRUE} .")
        if attrs.get("kb_id"):
            out.append(f"{iri} {_KB_ID} {_lit(attrs['kb_id'])} .")
        out.extend(f"{iri} {_SAME_AS} <{u}> ." for u in attrs.get("same_as") or ())
    return iri, out


def paper_ntriples(graph: nx.MultiDiGraph, pid: str, base: str, iris: dict[str, str] | None = None) -> list[str]:
    """The N-Triples lines (``s p o .``) a paper owns: the paper, its edges, its mention resources.

    Entities' own triples are not included (see :func:`entity_ntriples`). IRIs are minted
    (percent-encoded keys under a checked base), so only literals need escaping. ``iris`` caches
    entity IRI terms across papers of one write.
    """
    iris = {} if iris is None else iris
    p = graph.nodes[pid]
    s = f"<{mint_iri(base, 'paper', p['key'])}>"
    lines = [f"{s} {_TYPE} <{c}> ." for c in _CLASSES["Paper"]]
    lines.append(f"{s} {_ID} {_lit(p['key'])} .")
    lines.append(f"{s} {_TITLE} {_lit(p.get('title') or '')} .")
    lines.append(f"{s} {_ABSTRACT} {_lit(p.get('abstract') or '')} .")
    if p.get("arxiv_id"):
        lines.append(f"{s} {_ARXIV} {_lit(p['arxiv_id'])} .")
        lines.append(f"{s} {_SAME_AS} <{arxiv_iri(p['arxiv_id'])}> .")
    if p.get("record"):
        lines.append(f"{s} {_RECORD} {_lit(p['record'])} .")
    if p.get("url"):
        lines.append(f"{s} {_URL} {_uri_lit(p['url'])} .")
    lines.extend(f"{s} {_CREATOR} {_lit(a)} ." for a in p.get("authors") or ())
    lines += _author_lines(s, p.get("authors") or ())
    if p.get("date"):
        lines.append(f"{s} {_DATE} {_lit(p['date'])} .")
    if p.get("source"):
        lines.append(f"{s} {_SOURCE} {_lit(p['source'])} .")
    for _, nid, etype, ed in graph.out_edges(pid, keys=True, data=True):
        o = iris.get(nid)
        if o is None:
            attrs = graph.nodes[nid]
            o = iris[nid] = f"<{mint_iri(base, IRI_KINDS[attrs['label']], attrs['key'])}>"
        lines.append(f"{s} {_EDGE_PRED[etype]} {o} .")
        source = ed.get("source") or p.get("source") or ""
        rel = _lit(etype)
        name, aliases = ed.get("name"), tuple(ed.get("aliases") or ())
        names = (name, *aliases) if name else ()
        for m in ed.get("mentions", ()):
            mi = f"<{mention_iri(base, p['key'], nid, etype, m, source, names)}>"
            lines += (
                f"{mi} {_TYPE} <{_MENTION_CLASS}> .",
                f"{mi} {_M_PAPER} {s} .",
                f"{mi} {_M_ENTITY} {o} .",
                f"{mi} {_M_REL} {rel} .",
                f"{mi} {_M_FIELD} {_lit(m.field)} .",
                f"{mi} {_M_START} {_int(m.start)} .",
                f"{mi} {_M_END} {_int(m.end)} .",
                f"{mi} {_M_SENT} {_lit(m.sentence)} .",
                f"{mi} {_M_RULE} {_lit(m.rule)} .",
            )
            if source:
                lines.append(f"{mi} {_SOURCE} {_lit(source)} .")
            if name:
                lines.append(f"{mi} {_M_NAME} {_lit(name)} .")
                lines.extend(f"{mi} {_M_ALIAS} {_lit(a)} ." for a in aliases)
    return lines


def hash_ntriples(graph: nx.MultiDiGraph, pid: str, base: str) -> list[str]:
    """The paper's ``kg:contentHash`` triple when it has one (kg.changes: the input that wrote it).

    Kept apart from :func:`paper_ntriples` so that a store can write it after the paper's
    other triples: a paper whose hash is stored is complete."""
    p = graph.nodes[pid]
    if not p.get("content_hash"):
        return []
    return [f"<{mint_iri(base, 'paper', p['key'])}> {_HASH} {_lit(p['content_hash'])} ."]


def ntriples_bytes(lines: list[str]) -> bytes:
    """Lines joined as UTF-8 (a lone surrogate, which RDF cannot hold, becomes ``?``)."""
    text = "\n".join(lines) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def graph_to_ntriples(graph: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[str]:
    """The N-Triples lines of ``graph``: each paper's own lines, then each entity's once."""
    base = check_base_iri(base_iri)
    iris: dict[str, str] = {}
    for pid, label in graph.nodes(data="label"):
        if label == "Paper":
            yield from paper_ntriples(graph, pid, base, iris)
            yield from hash_ntriples(graph, pid, base)
    for nid in iris:
        yield from entity_ntriples(graph, nid, base)[1]


def graph_to_quads(graph: nx.MultiDiGraph, base_iri: str = DEFAULT_BASE_IRI) -> Iterator[Quad]:
    """The triples of ``graph`` (see :func:`graph_to_ntriples`) as quads in the default graph."""
    for t in parse(ntriples_bytes(list(graph_to_ntriples(graph, base_iri))), RdfFormat.N_TRIPLES):
        yield Quad(t.subject, t.predicate, t.object, DefaultGraph())


def _iri(term: str) -> str:
    return term[1:-1]


_INTS = {_iri(_M_START), _iri(_M_END)}
_P = {name: _iri(v) for name, v in (
    ("type", _TYPE), ("id", _ID), ("title", _TITLE), ("abstract", _ABSTRACT), ("arxiv", _ARXIV),
    ("url", _URL), ("creator", _CREATOR), ("date", _DATE), ("source", _SOURCE), ("label", _LABEL),
    ("alt", _ALT), ("host", _HOST), ("owner", _OWNER), ("repo", _REPO), ("paper", _M_PAPER),
    ("entity", _M_ENTITY), ("rel", _M_REL), ("field", _M_FIELD), ("start", _M_START),
    ("end", _M_END), ("sentence", _M_SENT), ("rule", _M_RULE), ("mname", _M_NAME), ("malias", _M_ALIAS),
    ("name_key", _NAME_KEY), ("sense", _SENSE), ("ambiguous", _AMBIGUOUS), ("kb_id", _KB_ID),
    ("record", _RECORD), ("same_as", _SAME_AS), ("authors", _AUTHORS),
    ("first", _FIRST), ("rest", _REST), ("hash", _HASH))}


def quads_to_networkx(quads: Iterable[Quad | Triple]) -> nx.MultiDiGraph:
    """Read quads (or triples) written by :func:`graph_to_quads` back into the DESIGN.md graph shape.

    Graph names are ignored (the union is read). Authors come back in the order of the paper's
    ``kg:authorList`` (sorted ``dcterms:creator`` values when a paper has no complete list). Lossy
    only where RDF is a set: an entity's ``name`` is its smallest label, the other names aliases.
    """
    subj: dict[str, dict[str, set]] = defaultdict(dict)
    for q in quads:
        pred = q.predicate.value
        value = q.object.value
        if pred in _INTS:
            value = int(value)
        props = subj[q.subject.value]
        if pred in props:
            props[pred].add(value)
        else:
            props[pred] = {value}
    return _to_graph(subj)


def store_to_networkx(store: Store, *, provenance: bool = True) -> nx.MultiDiGraph:
    """The default graph of a pyoxigraph ``store`` read back like :func:`quads_to_networkx`.

    One pattern scan per predicate the graph needs (and per class for ``rdf:type``), values kept
    as plain strings: no per-node query, and the mentions' own type triples are never read.
    Without ``provenance`` the mention resources are not read at all and edges carry neither
    ``mentions`` nor ``source`` (the lean graph of ``kg export --no-provenance``).
    """
    dg = DefaultGraph()
    subj: dict[str, dict[str, set]] = defaultdict(dict)
    type_iri = _P["type"]
    for cls in _CLASS_LABEL:  # a mention is known by its kg:paper (see _first_class)
        for q in store.quads_for_pattern(None, NamedNode(type_iri), NamedNode(cls), dg):
            subj[q.subject.value].setdefault(type_iri, set()).add(cls)
    skip = {"type"} if provenance else {"type", *_MENTION_KEYS}
    for pred in (*(v for k, v in _P.items() if k not in skip), *_PRED_EDGE):
        conv = int if pred in _INTS else None
        for q in store.quads_for_pattern(None, NamedNode(pred), None, dg):
            value = q.object.value
            props = subj[q.subject.value]
            vals = props.get(pred)
            if vals is None:
                vals = props[pred] = set()
            vals.add(conv(value) if conv else value)
    return _to_graph(subj, provenance)


_MENTION_KEYS = ("paper", "entity", "rel", "field", "start", "end", "sentence", "rule")


def _to_graph(subj: dict[str, dict[str, set]], provenance: bool = True) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    ids: dict[str, str] = {}
    label_of = {iri: _first_class(props) for iri, props in subj.items()}
    P = _P
    for iri, props in subj.items():
        label = label_of[iri]
        if label is None or label == "Mention":
            continue
        key = _one(props, P["id"])
        nid = ids[iri] = node_id(label, key)
        if label == "Paper":
            g.add_node(nid, label=label, key=key, title=_one(props, P["title"]),
                       abstract=_one(props, P["abstract"]), arxiv_id=_one(props, P["arxiv"]),
                       url=_one(props, P["url"]), authors=_authors(subj, props),
                       date=_one(props, P["date"]), source=_one(props, P["source"]) or "",
                       record=_one(props, P["record"]))
            if P["hash"] in props:
                g.nodes[nid]["content_hash"] = _one(props, P["hash"])
        elif label == "CodeRepository":
            g.add_node(nid, label=label, key=key, url=_one(props, P["url"]), host=_one(props, P["host"]),
                       owner=_one(props, P["owner"]), repo=_one(props, P["repo"]))
        else:
            labels = props.get(P["label"], set())
            alts = props.get(P["alt"], set())
            name = min(labels or alts)
            sense = _one(props, P["sense"]) or "name"
            g.add_node(nid, label=label, key=key, name=name, labels=tuple(sorted(labels or {name})),
                       alts=tuple(sorted(alts)), aliases=tuple(sorted((labels | alts) - {name})),
                       name_key=_one(props, P["name_key"]) or key, sense=sense,
                       ambiguous=_one(props, P["ambiguous"]) in ("true", "1"), kb_id=_one(props, P["kb_id"]),
                       same_as=tuple(sorted(props.get(P["same_as"], ()))))
    mentions: dict[tuple, list[Mention]] = defaultdict(list)
    naming: dict[tuple, tuple[object, set]] = {}
    for iri, props in subj.items():
        if label_of[iri] == "Mention":
            edge = (_one(props, P["paper"]), _one(props, P["entity"]), _one(props, P["rel"]))
            mentions[edge].append(Mention(_one(props, P["field"]), _one(props, P["start"]),
                                          _one(props, P["end"]), _one(props, P["sentence"]),
                                          _one(props, P["rule"])))
            if P["mname"] in props:
                naming[edge] = (_one(props, P["mname"]), props.get(P["malias"], set()))
    for iri, props in subj.items():
        if label_of[iri] != "Paper":
            continue
        for pred, etype in _PRED_EDGE.items():
            for target in sorted(props.get(pred, ())):
                if not provenance:
                    g.add_edge(ids[iri], ids[target], key=etype, type=etype)
                    continue
                ms = sorted(mentions.get((iri, target, etype), ()), key=_mention_order)
                extra: dict[str, object] = {}
                if etype != "HAS_CODE":
                    name, aliases = naming.get((iri, target, etype), (None, set()))
                    extra = {"name": name or g.nodes[ids[target]]["name"], "aliases": tuple(sorted(aliases))}
                g.add_edge(ids[iri], ids[target], key=etype, type=etype, mentions=tuple(ms),
                           source=g.nodes[ids[iri]]["source"], **extra)
    return g


def _authors(subj: dict[str, dict[str, set]], props: dict[str, set]) -> tuple[str, ...]:
    """The names along the paper's ``kg:authorList``, or its sorted creators if the list is broken."""
    out: list[str] = []
    cell = _one(props, _P["authors"])
    nil, seen = _iri(_NIL), set()
    while cell is not None and cell != nil:
        c = subj.get(cell, {})
        first, rest = c.get(_P["first"]), c.get(_P["rest"])
        if cell in seen or not first or len(first) != 1 or not rest or len(rest) != 1:
            return tuple(sorted(props.get(_P["creator"], ())))
        seen.add(cell)
        out.append(next(iter(first)))
        cell = next(iter(rest))
    return tuple(out) if cell is not None else tuple(sorted(props.get(_P["creator"], ())))


def _first_class(props: dict[str, set]) -> str | None:
    for cls in sorted(props.get(_P["type"], ())):
        if cls in _CLASS_LABEL:
            return _CLASS_LABEL[cls]
        if cls == _MENTION_CLASS:
            return "Mention"
    return "Mention" if _P["paper"] in props else None


def _one(props: dict[str, set], pred: str) -> object:
    """The smallest value of ``pred`` (a deterministic pick when papers disagree), or None."""
    values = props.get(pred)
    return min(values) if values else None


def _mention_order(m: Mention) -> tuple:
    return (m.field != "title", m.field, m.start, m.end, m.rule, m.sentence)
