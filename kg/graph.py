"""Extractions to one networkx MultiDiGraph: a node per paper and per entity sense, merged across papers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import networkx as nx

from kg.keys import defined_key, name_key_of, owned_key
from kg.model import CodeUrl, Entity, Extraction, Paper

__all__ = [
    "NODE_LABELS",
    "EDGE_TYPES",
    "ROLE_EDGE",
    "SENSES",
    "node_id",
    "entity_identity",
    "record_rank",
    "add_extraction",
    "build_graph",
    "papers_in",
    "without_papers",
]

NODE_LABELS = ("Paper", "Method", "Dataset", "CodeRepository")
EDGE_TYPES = ("PROPOSES", "MENTIONS", "INTRODUCES", "USES", "HAS_CODE")
ROLE_EDGE = {
    ("Method", "proposed"): "PROPOSES",
    ("Method", "mentioned"): "MENTIONS",
    ("Dataset", "introduced"): "INTRODUCES",
    ("Dataset", "used"): "USES",
}
# what an entity node is: a knowledge-base entity, a sense the text defines by its long form,
# a new entity owned by the paper that proposes or introduces it, or a bare name ("ambiguous")
SENSES = ("kb", "defined", "owned", "name")


def node_id(label: str, key: str) -> str:
    """The networkx node id of an entity: ``Label:key`` (keys are unique within a label)."""
    return f"{label}:{key}"


def entity_identity(e: Entity, paper_key: str) -> tuple[str, str]:
    """(node key, sense) of entity ``e`` found in paper ``paper_key``: a function of that paper's
    own evidence only, so ingest order can never change it (docs/DESIGN.md, "Identity").

    Known (``kb_id``): the knowledge base's key. Defined by a long form: ``name~long-form``, so
    papers giving the same long form meet and different ones never do. Proposed or introduced
    without either: ``name@paper``, the paper's own. Otherwise the bare name node ``name``.
    """
    if e.kb_id is not None:
        return e.key, "kb"
    if e.long_form:
        return defined_key(e.key, e.long_form), "defined"
    if e.role in ("proposed", "introduced"):
        return owned_key(e.key, paper_key), "owned"
    return e.key, "name"


def record_rank(ex: Extraction) -> str:
    """Which of two records of one paper the graph keeps: the later date, then the larger hash of
    everything the record says (its source file too), so the choice never depends on read order."""
    p = ex.paper
    parts = [p.key, p.title, p.abstract, p.arxiv_id or "", p.url or "", *p.authors, "\x1e", p.date or "", p.source]
    for e in (*ex.methods, *ex.datasets):
        parts += ("\x1d", e.kind, e.key, e.name, e.role, e.kb_id or "", e.long_form or "", *e.aliases, "\x1e",
                  *e.same_as, "\x1e", *(f"{m.field}\x1e{m.start}\x1e{m.end}\x1e{m.rule}\x1e{m.sentence}" for m in e.mentions))
    for c in ex.code_urls:
        parts += ("\x1d", c.url, c.key, c.host, c.owner or "", c.repo or "",
                  *(f"{m.field}\x1e{m.start}\x1e{m.end}\x1e{m.rule}\x1e{m.sentence}" for m in c.mentions))
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return f"{p.date or ''}|{digest.hexdigest()}"


def _paper_attrs(p: Paper, record: str) -> dict[str, object]:
    return {
        "label": "Paper",
        "key": p.key,
        "title": p.title,
        "abstract": p.abstract,
        "arxiv_id": p.arxiv_id,
        "url": p.url,
        "authors": tuple(p.authors),
        "date": p.date,
        "source": p.source,
        "record": record,
    }


def _set_names(attrs: dict, labels: set[str], alts: set[str]) -> None:
    """An entity's names from what its papers call it: ``labels`` every preferred name a paper
    gives, ``alts`` every other spelling a paper gives; ``name`` the smallest label and
    ``aliases`` all the other names (sorted), so the result is the same in any order."""
    attrs["name"] = min(labels)
    attrs["labels"] = tuple(sorted(labels))
    attrs["alts"] = tuple(sorted(alts))
    attrs["aliases"] = tuple(sorted((labels | alts) - {attrs["name"]}))


def _renamed(g: nx.MultiDiGraph, nid: str) -> None:
    """Recompute entity ``nid``'s names from the edges still reaching it (or drop it when none do)."""
    edges = [d for _, _, d in g.in_edges(nid, data=True)]
    if not edges:
        g.remove_node(nid)
        return
    _set_names(g.nodes[nid], {d["name"] for d in edges}, {a for d in edges for a in d["aliases"]})


def _add_entity(g: nx.MultiDiGraph, pid: str, e: Entity, p: Paper) -> None:
    key, sense = entity_identity(e, p.key)
    nid = node_id(e.kind, key)
    aliases = tuple(sorted(set(e.aliases) - {e.name}))
    if nid in g:
        attrs = g.nodes[nid]
        _set_names(attrs, {*attrs["labels"], e.name}, {*attrs["alts"], *aliases})
        attrs["same_as"] = tuple(sorted({*attrs["same_as"], *e.same_as}))
    else:
        g.add_node(nid, label=e.kind, key=key, name_key=name_key_of(key), sense=sense, ambiguous=sense == "name",
                   kb_id=e.kb_id, same_as=tuple(sorted(set(e.same_as))))
        _set_names(g.nodes[nid], {e.name}, set(aliases))
    etype = ROLE_EDGE[(e.kind, e.role)]
    if g.has_edge(pid, nid, etype):  # two names of one paper resolved to one sense: one edge
        d = g.edges[pid, nid, etype]
        d["mentions"] = tuple(sorted({*d["mentions"], *e.mentions}, key=lambda m: (m.field != "title", m.start)))
        names = {d["name"], e.name}
        d["aliases"] = tuple(sorted(({*d["aliases"], *aliases} | names) - {min(names)}))
        d["name"] = min(names)
        _renamed(g, nid)
        return
    g.add_edge(pid, nid, key=etype, type=etype, mentions=tuple(e.mentions), source=p.source,
               name=e.name, aliases=aliases)


def _add_code(g: nx.MultiDiGraph, pid: str, c: CodeUrl, source: str) -> None:
    nid = node_id("CodeRepository", c.key)
    if nid in g and c.url < g.nodes[nid]["url"]:
        # URLs sharing a key differ only in case or form: keep the smallest, as every store does
        g.nodes[nid].update(url=c.url, owner=c.owner, repo=c.repo)
    elif nid not in g:
        g.add_node(
            nid,
            label="CodeRepository",
            key=c.key,
            url=c.url,
            host=c.host,
            owner=c.owner,
            repo=c.repo,
        )
    g.add_edge(pid, nid, key="HAS_CODE", type="HAS_CODE", mentions=tuple(c.mentions), source=source)


def _remove_paper_edges(g: nx.MultiDiGraph, pid: str) -> None:
    edges = list(g.out_edges(pid, keys=True))
    g.remove_edges_from(edges)
    for nid in {v for _, v, _ in edges}:
        if g.nodes[nid]["label"] == "CodeRepository":
            if g.in_degree(nid) == 0:
                g.remove_node(nid)
        else:
            _renamed(g, nid)


def add_extraction(g: nx.MultiDiGraph, ex: Extraction) -> str:
    """Add one paper and what was found in it. A paper already in ``g`` is never doubled: of the
    two records the one with the higher :func:`record_rank` stays, whatever the order they came in.

    Returns the paper's node id.
    """
    p = ex.paper
    pid = node_id("Paper", p.key)
    rank = record_rank(ex)
    if pid in g:
        if g.nodes[pid].get("record", "") >= rank:
            return pid
        _remove_paper_edges(g, pid)
    g.add_node(pid, **_paper_attrs(p, rank))
    for e in ex.methods:
        _add_entity(g, pid, e, p)
    for e in ex.datasets:
        _add_entity(g, pid, e, p)
    for c in ex.code_urls:
        _add_code(g, pid, c, p.source)
    return pid


def build_graph(extractions: Iterable[Extraction]) -> nx.MultiDiGraph:
    """One graph from many extractions: each sense one node across all papers, in any order."""
    g = nx.MultiDiGraph()
    for ex in extractions:
        add_extraction(g, ex)
    return g


def papers_in(g: nx.MultiDiGraph) -> list[str]:
    """Node ids of the papers in ``g``."""
    return [n for n, d in g.nodes(data=True) if d.get("label") == "Paper"]


def without_papers(g: nx.MultiDiGraph, pids: Iterable[str]) -> nx.MultiDiGraph:
    """A copy of ``g`` without papers ``pids``, their edges, and the names only they gave
    (a sink leaves out records it already holds a later version of)."""
    out = g.copy()
    for pid in pids:
        _remove_paper_edges(out, pid)
        out.remove_node(pid)
    return out
