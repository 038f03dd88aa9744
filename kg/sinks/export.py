"""Export the store: RDF formats streamed by Oxigraph, GraphML and node-link JSON via networkx."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import BinaryIO

import networkx as nx
from networkx.readwrite.graphml import GraphMLWriter

from kg.errors import SinkError
from kg.model import Mention
from kg.sinks.store import OxigraphStore

__all__ = ["EXPORTERS", "export", "graph_for_graphml", "graph_to_json", "xml_value", "xml_text"]

_JOIN = "|"  # GraphML values must be scalars: tuples of names are joined with this


Exporter = Callable[..., int]  # (store, out, *, provenance=True) -> items written


def _rdf(fmt: str) -> Exporter:
    def exporter(store: OxigraphStore, out: BinaryIO, *, provenance: bool = True) -> int:
        return store.export(fmt, out, provenance=provenance)

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
    mentions as a JSON string, None attributes left out, characters XML forbids replaced."""
    out = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        out.add_node(xml_value(n), **{k: xml_value(_graphml_value(k, v)) for k, v in d.items() if v is not None})
    for u, v, k, d in g.edges(keys=True, data=True):
        out.add_edge(xml_value(u), xml_value(v), key=xml_value(k),
                     **{a: xml_value(_graphml_value(a, x)) for a, x in d.items() if x is not None})
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


# characters XML 1.0 does not allow, even as character references: C0 controls but tab, LF and
# CR; U+FFFE and U+FFFF; lone surrogates (which Python strings can hold)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_value(value: object) -> object:
    """A GraphML value XML 1.0 can hold: characters it forbids (even as references) become
    U+FFFD, the replacement character; other values unchanged."""
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def xml_text(g: nx.MultiDiGraph) -> str:
    """``g`` (values already through :func:`xml_value`) as a GraphML document that reads back as
    written: serialised as text, not as ASCII with references, and with each CR as ``&#13;`` (a
    raw CR comes back as LF, since parsers normalise line ends; ElementTree writes a raw CR only
    inside a value, so the replacement touches nothing else)."""
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True, edge_id_from_attribute=None)
    writer.add_graph_element(g)
    writer.indent(writer.xml)
    return ET.tostring(writer.xml, encoding="unicode").replace("\r", "&#13;")


def _graphml(store: OxigraphStore, out: BinaryIO, *, provenance: bool = True) -> int:
    """Write the store as GraphML; returns nodes + edges written. Not nx.generate_graphml: its
    ``splitlines()`` turns CR, U+0085, U+2028 and U+2029 inside values into line feeds."""
    g = graph_for_graphml(store.to_networkx(provenance=provenance))
    text = _text(out)
    try:
        text.write('<?xml version="1.0" encoding="utf-8"?>\n')
        text.write(xml_text(g))
        text.write("\n")
        text.flush()
    finally:
        text.detach()  # never close the caller's stream
    return g.number_of_nodes() + g.number_of_edges()


def _json(store: OxigraphStore, out: BinaryIO, *, provenance: bool = True) -> int:
    """Write the store as networkx node-link JSON; returns nodes + edges written."""
    g = store.to_networkx(provenance=provenance)
    text = _text(out)
    try:
        json.dump(graph_to_json(g), text, ensure_ascii=False)
        text.write("\n")
        text.flush()
    finally:
        text.detach()
    return g.number_of_nodes() + g.number_of_edges()


EXPORTERS: dict[str, Exporter] = {
    "turtle": _rdf("turtle"),
    "ntriples": _rdf("ntriples"),
    "nquads": _rdf("nquads"),
    "trig": _rdf("trig"),
    "jsonld": _rdf("jsonld"),
    "graphml": _graphml,
    "json": _json,
}


def export(store: OxigraphStore, fmt: str, out: BinaryIO, *, provenance: bool = True) -> int:
    """Write ``store`` to ``out`` in ``fmt`` (a key of :data:`EXPORTERS`); returns items written.

    Without ``provenance``: the lean graph, papers, entities and relations only (no mention
    resources in RDF, no ``mentions``/``source`` on edges in GraphML and JSON)."""
    if fmt not in EXPORTERS:
        raise SinkError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
    try:
        return EXPORTERS[fmt](store, out, provenance=provenance)
    except OSError as e:
        raise SinkError(f"writing the {fmt} export failed: {e}") from e
