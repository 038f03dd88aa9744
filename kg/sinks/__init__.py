"""Sinks and exporters, registered by name; classes are imported only when asked for."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SINKS", "EXPORT_FORMATS", "get_sink", "get_exporter"]

# name -> "module:attribute" (rdflib's plugin.register style: cheap to list, imported on use)
SINKS: dict[str, str] = {
    "oxigraph": "kg.sinks.store:OxigraphStore",
    "neo4j": "kg.sinks.neo4j:Neo4jSink",
}

# export format -> "module:attribute"; RDF and networkx formats read the embedded store
EXPORT_FORMATS: dict[str, str] = {
    "turtle": "kg.sinks.export:EXPORTERS",
    "ntriples": "kg.sinks.export:EXPORTERS",
    "nquads": "kg.sinks.export:EXPORTERS",
    "jsonld": "kg.sinks.export:EXPORTERS",
    "graphml": "kg.sinks.export:EXPORTERS",
    "json": "kg.sinks.export:EXPORTERS",
    "neo4j-admin": "kg.sinks.neo4j_admin:export_neo4j_admin",
}


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def get_sink(name: str) -> Any:
    """The sink class registered as ``name``."""
    return _load(SINKS[name])


def get_exporter(fmt: str) -> Any:
    """The exporter for ``fmt``: a callable ``(store, out) -> int``, or for ``neo4j-admin``
    a callable ``(graph, out_dir) -> dict``."""
    obj = _load(EXPORT_FORMATS[fmt])
    return obj[fmt] if isinstance(obj, dict) else obj
