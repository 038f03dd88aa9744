"""Extractions to one networkx MultiDiGraph: a node per paper and entity, merged across papers."""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from kg.model import CodeUrl, Entity, Extraction, Paper

__all__ = [
    "NODE_LABELS",
    "EDGE_TYPES",
    "ROLE_EDGE",
    "node_id",
    "add_extraction",
    "build_graph",
    "papers_in",
]

NODE_LABELS = ("Paper", "Method", "Dataset", "CodeRepository")
EDGE_TYPES = ("PROPOSES", "MENTIONS", "INTRODUCES", "USES", "HAS_CODE")
ROLE_EDGE = {
    ("Method", "proposed"): "PROPOSES",
    ("Method", "mentioned"): "MENTIONS",
    ("Dataset", "introduced"): "INTRODUCES",
    ("Dataset", "used"): "USES",
}


def node_id(label: str, key: str) -> str:
    """The networkx node id of an entity: ``Label:key`` (keys are unique within a label)."""
    return f"{label}:{key}"


def _paper_attrs(p: Paper) -> dict[str, object]:
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
    }


def _merge_names(g: nx.MultiDiGraph, nid: str, name: str, aliases: Iterable[str]) -> None:
    """Merge a name into an entity node so the result does not depend on the order papers arrive:
    the node's ``name`` is the smallest name any paper gave it, the rest are ``aliases``."""
    attrs = g.nodes[nid]
    names = {attrs["name"], *attrs["aliases"], name, *aliases}
    attrs["name"] = min({attrs["name"], name})
    attrs["aliases"] = tuple(sorted(names - {attrs["name"]}))


def _add_entity(g: nx.MultiDiGraph, pid: str, e: Entity, source: str) -> None:
    nid = node_id(e.kind, e.key)
    if nid in g:
        _merge_names(g, nid, e.name, e.aliases)
    else:
        aliases = tuple(sorted(set(e.aliases) - {e.name}))
        g.add_node(nid, label=e.kind, key=e.key, name=e.name, aliases=aliases)
    etype = ROLE_EDGE[(e.kind, e.role)]
    g.add_edge(pid, nid, key=etype, type=etype, mentions=tuple(e.mentions), source=source)


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


def add_extraction(g: nx.MultiDiGraph, ex: Extraction) -> str:
    """Add one paper and what was found in it; a paper already in ``g`` is replaced, not doubled.

    Returns the paper's node id.
    """
    p = ex.paper
    pid = node_id("Paper", p.key)
    if pid in g:
        g.remove_edges_from(list(g.out_edges(pid, keys=True)))
    g.add_node(pid, **_paper_attrs(p))
    for e in ex.methods:
        _add_entity(g, pid, e, p.source)
    for e in ex.datasets:
        _add_entity(g, pid, e, p.source)
    for c in ex.code_urls:
        _add_code(g, pid, c, p.source)
    return pid


def build_graph(extractions: Iterable[Extraction]) -> nx.MultiDiGraph:
    """One graph from many extractions, each entity one node across all papers."""
    g = nx.MultiDiGraph()
    for ex in extractions:
        add_extraction(g, ex)
    return g


def papers_in(g: nx.MultiDiGraph) -> list[str]:
    """Node ids of the papers in ``g``."""
    return [n for n, d in g.nodes(data=True) if d.get("label") == "Paper"]
