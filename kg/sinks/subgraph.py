"""Small subgraphs read from the embedded store: a node's neighbourhood, or the most named entities."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import networkx as nx
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from kg.keys import normalise_name
from kg.sinks.rdf import EDGE_PREDICATES, quads_to_networkx
from kg.sinks.vocab import KG

__all__ = ["find_nodes", "neighbourhood", "top_entities"]

_DG = DefaultGraph()
_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_ID = NamedNode("http://purl.org/dc/terms/identifier")
_TITLE = NamedNode("http://purl.org/dc/terms/title")
_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PAPER_CLASS = NamedNode(str(KG.Paper))
_PAPER_OF = NamedNode(str(KG.paper))
_ENTITY = NamedNode(str(KG.entity))
_EDGES = tuple(NamedNode(iri) for iri in EDGE_PREDICATES.values())
_AUTHORS = NamedNode(str(KG.authorList))
_REST = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")


def find_nodes(store: Store, query: str, limit: int = 10) -> list[str]:
    """IRIs of the nodes ``query`` names: an exact key, else entities whose name or alias matches
    (compared as ANNOTATION.md compares names), else papers whose title holds ``query``."""
    q = query.strip()
    if not q:
        return []
    hits = [s.subject.value for s in store.quads_for_pattern(None, _ID, Literal(q), _DG)]
    if hits:
        return sorted(set(hits))[:limit]
    want = normalise_name(q)
    named: Counter = Counter()
    if want:
        for pred in (_LABEL, _ALT):
            for quad in store.quads_for_pattern(None, pred, None, _DG):
                if normalise_name(quad.object.value) == want:
                    named[quad.subject.value] += 1
    if named:
        # the most connected sense first (a name several senses share lists them all)
        degree = {iri: _degree(store, iri) for iri in named}
        return sorted(named, key=lambda iri: (-degree[iri], iri))[:limit]
    folded = " ".join(q.casefold().split())
    titles = [t.subject.value for t in store.quads_for_pattern(None, _TITLE, None, _DG)
              if folded in " ".join(t.object.value.casefold().split())]
    return sorted(titles)[:limit]


def _degree(store: Store, iri: str) -> int:
    node = NamedNode(iri)
    return sum(1 for p in _EDGES for _ in store.quads_for_pattern(None, p, node, _DG))


def _is_paper(store: Store, iri: str) -> bool:
    return any(True for _ in store.quads_for_pattern(NamedNode(iri), _TYPE, _PAPER_CLASS, _DG))


def _papers_of(store: Store, iri: str) -> list[str]:
    """Papers with an edge to entity ``iri``, newest first (by date, then IRI)."""
    node = NamedNode(iri)
    papers = {q.subject.value for p in _EDGES for q in store.quads_for_pattern(None, p, node, _DG)}
    date = NamedNode("http://purl.org/dc/terms/date")
    dated = {p: min((q.object.value for q in store.quads_for_pattern(NamedNode(p), date, None, _DG)), default="")
             for p in papers}
    return sorted(papers, key=lambda p: (dated[p], p), reverse=True)


def _author_cells(store: Store, paper: NamedNode) -> list[Quad]:
    """The triples of ``paper``'s author-list cells (so the authors keep their order)."""
    out: list[Quad] = []
    cells = [q.object for q in store.quads_for_pattern(paper, _AUTHORS, None, _DG)]
    seen: set = set()
    while cells and isinstance(cells[0], NamedNode) and cells[0].value.startswith(paper.value + "/") \
            and cells[0] not in seen:
        seen.add(cells[0])
        quads = list(store.quads_for_pattern(cells[0], None, None, _DG))
        out.extend(quads)
        cells = [q.object for q in quads if q.predicate == _REST]
    return out


def _quads(store: Store, papers: Iterable[str], entities: Iterable[str], only: set[str] | None = None) -> list[Quad]:
    """Every triple of ``papers`` (with their mentions) and of the entities they and ``entities`` name;
    with ``only``, the papers' edges (and mentions) to other entities than those are left out."""
    out: list[Quad] = []
    targets = set(entities)
    for p in papers:
        node = NamedNode(p)
        for q in store.quads_for_pattern(node, None, None, _DG):
            if q.predicate in _EDGES:
                if only is not None and q.object.value not in only:
                    continue
                targets.add(q.object.value)
            out.append(q)
        out.extend(_author_cells(store, node))
        for m in store.quads_for_pattern(None, _PAPER_OF, node, _DG):
            quads = list(store.quads_for_pattern(m.subject, None, None, _DG))
            if only is not None and not any(q.predicate == _ENTITY and q.object.value in only for q in quads):
                continue
            out.extend(quads)
    for e in sorted(targets):
        out.extend(store.quads_for_pattern(NamedNode(e), None, None, _DG))
    return out


def neighbourhood(store: Store, iris: list[str], max_papers: int = 50) -> tuple[nx.MultiDiGraph, int]:
    """The subgraph around ``iris``: a paper with everything it names; an entity with the papers
    naming it (newest ``max_papers``) and everything those papers name. Returns (graph, papers left out)."""
    papers: list[str] = []
    entities: list[str] = []
    left_out = 0
    for iri in iris:
        if _is_paper(store, iri):
            papers.append(iri)
        else:
            entities.append(iri)
            linked = _papers_of(store, iri)
            papers += linked[:max_papers]
            left_out += max(0, len(linked) - max_papers)
    return quads_to_networkx(_quads(store, dict.fromkeys(papers), entities)), left_out


def top_entities(store: Store, n: int, max_papers: int = 300) -> nx.MultiDiGraph:
    """The ``n`` entities named by most papers, and the papers that name at least two of them."""
    degree: Counter = Counter()
    by_paper: dict[str, set[str]] = {}
    for p in _EDGES:
        if p.value == str(KG.hasCode):
            continue
        for q in store.quads_for_pattern(None, p, None, _DG):
            degree[q.object.value] += 1
            by_paper.setdefault(q.subject.value, set()).add(q.object.value)
    top = {iri for iri, _ in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:n]}
    linking = sorted((p for p, es in by_paper.items() if len(es & top) >= 2),
                     key=lambda p: (-len(by_paper[p] & top), p))[:max_papers]
    return quads_to_networkx(_quads(store, linking, top, only=top))
