"""The ``kg show`` and ``kg view`` commands: look at the graph in the terminal or in a browser."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
import networkx as nx

from kg import api
from kg.cli_common import settings, store_option, terminal_safe, user_errors

__all__ = ["show", "view", "format_neighbourhood"]

_IN = {"PROPOSES": "proposed by", "MENTIONS": "mentioned by", "INTRODUCES": "introduced by",
       "USES": "used by", "HAS_CODE": "code of"}
_OUT = {"PROPOSES": "proposes", "MENTIONS": "mentions", "INTRODUCES": "introduces", "USES": "uses",
        "HAS_CODE": "code at"}
_MAX_EVIDENCE = 2


def _name(d: dict) -> str:
    return str(d.get("name") or d.get("title") or d.get("url") or d["key"])


def _clip(s: str, n: int = 200) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _evidence(ms: tuple) -> list[str]:
    return [f"      “{_clip(m.sentence)}”" for m in list(dict.fromkeys(ms))[:_MAX_EVIDENCE]]


def _paper_lines(g: nx.MultiDiGraph, nid: str) -> list[str]:
    d = g.nodes[nid]
    out = [f"Paper  {d.get('title') or ''}", f"  key: {d['key']}"]
    for k in ("date", "arxiv_id", "url"):
        if d.get(k):
            out.append(f"  {k}: {d[k]}")
    if d.get("authors"):
        out.append(f"  authors: {_clip(', '.join(d['authors']))}")
    for etype in _OUT:
        edges = sorted(((t, ed) for _, t, k, ed in g.out_edges(nid, keys=True, data=True) if k == etype),
                       key=lambda te: _name(g.nodes[te[0]]).casefold())
        if not edges:
            continue
        out.append(f"  {_OUT[etype]}:")
        for t, ed in edges:
            out.append(f"    {_name(g.nodes[t])}")
            out += _evidence(ed.get("mentions", ()))
    return out


def _entity_lines(g: nx.MultiDiGraph, nid: str, left_out: int) -> list[str]:
    d = g.nodes[nid]
    out = [f"{d['label']}  {_name(d)}", f"  key: {d['key']}"]
    if d.get("aliases"):
        out.append(f"  also: {_clip(', '.join(d['aliases']))}")
    if d.get("url") and d["label"] == "CodeRepository":
        out.append(f"  url: {d['url']}")
    papers: set[str] = set()
    for etype in _IN:
        edges = sorted(((s, ed) for s, _, k, ed in g.in_edges(nid, keys=True, data=True) if k == etype),
                       key=lambda se: (str(g.nodes[se[0]].get("date") or ""), se[0]), reverse=True)
        if not edges:
            continue
        out.append(f"  {_IN[etype]} ({len(edges)}):")
        for s, ed in edges:
            papers.add(s)
            date = g.nodes[s].get("date")
            out.append(f"    {_clip(g.nodes[s].get('title') or s, 120)}" + (f"  [{date}]" if date else ""))
            out += _evidence(ed.get("mentions", ()))
    if left_out:
        out.append(f"  ... and {left_out} more papers (the newest are shown)")
    co: dict[str, Counter] = {"Dataset": Counter(), "Method": Counter(), "CodeRepository": Counter()}
    for p in papers:
        for _, t in g.out_edges(p):
            if t != nid and g.nodes[t]["label"] in co:
                co[g.nodes[t]["label"]][t] += 1
    for label, title in (("Dataset", "datasets used alongside"), ("Method", "methods named alongside"),
                         ("CodeRepository", "code links of these papers")):
        common = sorted(co[label].items(), key=lambda kv: (-kv[1], _name(g.nodes[kv[0]]).casefold()))[:10]
        if common:
            out.append(f"  {title}: " + ", ".join(f"{_name(g.nodes[t])} ({n})" for t, n in common))
    return out


def format_neighbourhood(nb: api.Neighbourhood) -> str:
    """The terminal text of ``kg show``: each matched node, its links and their evidence sentences."""
    blocks = []
    for nid in nb.focus:
        lines = (_paper_lines(nb.graph, nid) if nb.graph.nodes[nid]["label"] == "Paper"
                 else _entity_lines(nb.graph, nid, nb.left_out))
        blocks.append("\n".join(lines))
    if len(nb.focus) > 1:
        blocks.insert(0, f"{len(nb.focus)} nodes match; each is shown below.")
    return "\n\n".join(blocks)


@click.command()
@click.argument("name")
@store_option
@click.option("--max-papers", type=click.IntRange(1), default=20, show_default=True,
              help="Papers shown for an entity (the newest).")
def show(name: str, store: Path | None, max_papers: int) -> None:
    """Show one paper's, method's or dataset's neighbourhood, with the sentences as evidence.

    NAME is a method or dataset name (any spelling or alias), a key such as arxiv:2401.00001,
    or part of a paper title. A name several senses share shows each of them.

    Example: kg show SuperGLUE
    """
    s = settings(store=store)
    with user_errors():
        nb = api.neighbourhood(s.store, name, max_papers=max_papers, base_iri=s.base_iri)
    click.echo(terminal_safe(format_neighbourhood(nb), newlines=True))


@click.command()
@click.argument("name", required=False)
@click.option("--top", type=click.IntRange(1, 2000), default=None,
              help="Instead of NAME: the N entities named by most papers and the papers linking them.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("graph.html"),
              show_default=True, help="The HTML file to write.")
@store_option
@click.option("--max-papers", type=click.IntRange(1), default=50, show_default=True,
              help="Papers drawn around an entity (the newest).")
def view(name: str | None, top: int | None, out: Path, store: Path | None, max_papers: int) -> None:
    """Write a self-contained interactive HTML page of a subgraph (works offline).

    Nodes are coloured by type and edges by relation; click a node for its details and the
    sentences it comes from; search by name. Without NAME or --top, the top 30 entities.

    Example: kg view SuperGLUE -o superglue.html
    """
    if name is not None and top is not None:
        raise click.UsageError("give NAME or --top N, not both")
    s = settings(store=store)
    with user_errors():
        if name is not None:
            nb = api.neighbourhood(s.store, name, max_papers=max_papers, base_iri=s.base_iri)
            note = f"{nb.left_out} more papers not drawn" if nb.left_out else ""
            size = api.write_view(nb.graph, out, title=f"kg: {name}", focus=nb.focus[0] if nb.focus else None, note=note)
            g = nb.graph
        else:
            g = api.top_subgraph(s.store, top or 30, base_iri=s.base_iri)
            size = api.write_view(g, out, title=f"kg: top {top or 30} entities")
    click.echo(f"wrote {out} ({g.number_of_nodes()} nodes, {g.number_of_edges()} edges, {size:,} bytes)", err=True)
