"""A self-contained interactive HTML page of a graph: Cytoscape.js shipped inside, no network needed."""

from __future__ import annotations

import html
import json
from importlib import resources

import networkx as nx

__all__ = ["graph_to_page", "graph_to_json"]

_STATIC = "static"


def _text(name: str) -> str:
    return resources.files("kg.sinks").joinpath(_STATIC, name).read_text(encoding="utf-8")


def graph_to_json(g: nx.MultiDiGraph, focus: str | None = None, note: str = "") -> dict:
    """Nodes and edges of ``g`` as plain JSON-able data (node attributes, edge mentions)."""
    nodes = []
    for nid, d in sorted(g.nodes(data=True)):
        n = {"id": nid, "type": d["label"], "key": d["key"]}
        for k in ("name", "title", "authors", "date", "arxiv_id", "url", "aliases", "host"):
            v = d.get(k)
            if v:
                n[k] = list(v) if isinstance(v, tuple) else v
        nodes.append(n)
    edges = []
    for s, t, etype, d in sorted(g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1])):
        edges.append({"source": s, "target": t, "type": etype,
                      "mentions": [{"field": m.field, "start": m.start, "end": m.end, "sentence": m.sentence,
                                    "rule": m.rule} for m in d.get("mentions", ())]})
    return {"nodes": nodes, "edges": edges, "focus": focus, "note": note}


def _script_safe(s: str) -> str:
    """JSON or JS text that cannot close the <script> element holding it."""
    return s.replace("</", "<\\/").replace("<!--", "<\\!--")


def graph_to_page(g: nx.MultiDiGraph, title: str, focus: str | None = None, note: str = "") -> str:
    """The HTML page: the graph as JSON, the page's own script and Cytoscape.js, all inline."""
    data = json.dumps(graph_to_json(g, focus, note), ensure_ascii=True, sort_keys=True)
    page = _text("view.html")
    # the library last: its text must not be searched for placeholders
    return (page.replace("__TITLE__", html.escape(title))
                .replace("__GRAPH__", _script_safe(data))
                .replace("__CYTOSCAPE__", _script_safe(_text("cytoscape.min.js"))))
