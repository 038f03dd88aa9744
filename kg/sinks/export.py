"""Export the store: RDF formats streamed by Oxigraph, GraphML and node-link JSON via networkx."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import BinaryIO

import networkx as nx

from kg.errors import SinkError
from kg.model import Mention
from kg.sinks.store import OxigraphStore

__all__ = ["EXPORTERS", "export", "graph_for_graphml", "graph_to_json"]

_JOIN = "|"  # GraphML values must be scalars: tuples of names are joined with this


def _rdf(fmt: str) -> Callable[[OxigraphStore, BinaryIO], int]:
    def exporter(store: OxigraphStore, out: BinaryIO) -> int:
        return store.export(fmt, out)

    exporter.__doc__ = f"Write the store as {fmt} (streamed by Oxigraph); returns triples written."
    return exporter


def _mention_dict(m: Mention) -> dict[str, object]:
    return {"field": m.field, "start": m.start, "end": m.end, "sentence": m.sentence, "rule": m.rule}


def _graphml_value(key: str, value: object) -> object:
    if key == "mentions":
        return json.dumps([_mention_dict(m) for m in value], ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return _JOIN.join(str(v) for v in value)
    return value


def graph_for_graphml(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` whose attribute values are all str/int/float: tuples joined with ``|``,
    mentions as a JSON string, None attributes left out."""
    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        out.add_node(n, **{k: _graphml_value(k, v) for k, v in d.items() if v is not None})
    for u, v, k, d in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **{a: _graphml_value(a, x) for a, x in d.items() if x is not None})
    return out


def _json_safe(value: object) -> object:
    if isinstance(value, Mention):
        return _mention_dict(value)
    if isinstance(value, (tuple, list)):
        return [_json_safe(v) for v in value]
    return value


def graph_to_json(g: nx.MultiDiGraph) -> dict[str, object]:
    """Node-link data of ``g`` (``nodes`` and ``edges`` lists), every value JSON-safe."""
    data = nx.node_link_data(g, edges="edges")
    for item in (*data["nodes"], *data["edges"]):
        for k, v in item.items():
            item[k] = _json_safe(v)
    return data


def _text(out: BinaryIO) -> io.TextIOWrapper:
    return io.TextIOWrapper(out, encoding="utf-8", newline="\n", write_through=True)


def _graphml(store: OxigraphStore, out: BinaryIO) -> int:
    """Write the store as GraphML (line by line); returns nodes + edges written."""
    g = graph_for_graphml(store.to_networkx())
    text = _text(out)
    try:
        for line in nx.generate_graphml(g, edge_id_from_attribute=None):
            text.write(line + "\n")
        text.flush()
    finally:
        text.detach()  # never close the caller's stream
    return g.number_of_nodes() + g.number_of_edges()


def _json(store: OxigraphStore, out: BinaryIO) -> int:
    """Write the store as networkx node-link JSON; returns nodes + edges written."""
    g = store.to_networkx()
    text = _text(out)
    try:
        json.dump(graph_to_json(g), text, ensure_ascii=False)
        text.write("\n")
        text.flush()
    finally:
        text.detach()
    return g.number_of_nodes() + g.number_of_edges()


EXPORTERS: dict[str, Callable[[OxigraphStore, BinaryIO], int]] = {
    "turtle": _rdf("turtle"),
    "ntriples": _rdf("ntriples"),
    "nquads": _rdf("nquads"),
    "trig": _rdf("trig"),
    "jsonld": _rdf("jsonld"),
    "graphml": _graphml,
    "json": _json,
}


def export(store: OxigraphStore, fmt: str, out: BinaryIO) -> int:
    """Write ``store`` to ``out`` in ``fmt`` (a key of :data:`EXPORTERS`); returns items written."""
    if fmt not in EXPORTERS:
        raise SinkError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
    try:
        return EXPORTERS[fmt](store, out)
    except OSError as e:
        raise SinkError(f"writing the {fmt} export failed: {e}") from e
