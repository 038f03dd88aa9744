"""CSV files for ``neo4j-admin database import full``: one per node label, one per relationship type."""

from __future__ import annotations

import csv
import errno
import shlex
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import SinkError
from kg.keys import arxiv_iri
from kg.files import AtomicFiles

__all__ = ["export_neo4j_admin", "NODE_HEADERS", "REL_HEADERS", "LEAN_REL_HEADERS", "ARRAY_DELIMITER",
           "IMPORT_OPTIONS", "import_command", "node_row", "relationship_row"]

# U+001F (unit separator), not neo4j-admin's default ';': sentences and names contain ';' and
# neo4j-admin has no way to escape the array delimiter inside an element.
ARRAY_DELIMITER = "\x1f"

# the options every import of these files needs (the array delimiter above; quoted newlines)
IMPORT_OPTIONS = ("--overwrite-destination", "--array-delimiter=U+001F", "--multiline-fields=true")

# the identity properties of an entity (docs/DESIGN.md, "Identity"), as the Neo4j sink writes them
_IDENTITY = [("name_key", "name_key"), ("sense", "sense"), ("ambiguous:boolean", "ambiguous"),
             ("kb_id", "kb_id"), ("same_as:string[]", "same_as")]
# (header cell, graph attribute or None for the label column, kind)
NODE_HEADERS: dict[str, list[tuple[str, str | None]]] = {
    "Paper": [("key:ID(Paper)", "key"), ("title", "title"), ("abstract", "abstract"),
              ("arxiv_id", "arxiv_id"), ("url", "url"), ("authors:string[]", "authors"),
              ("date", "date"), ("source", "source"), ("record", "record"), ("same_as", "same_as"),
              ("content_hash", "content_hash"),
              (":LABEL", None)],
    "Method": [("key:ID(Method)", "key"), ("name", "name"), ("aliases:string[]", "aliases"),
               *_IDENTITY, (":LABEL", None)],
    "Dataset": [("key:ID(Dataset)", "key"), ("name", "name"), ("aliases:string[]", "aliases"),
                *_IDENTITY, (":LABEL", None)],
    "CodeRepository": [("key:ID(CodeRepository)", "key"), ("url", "url"), ("host", "host"),
                       ("owner", "owner"), ("repo", "repo"), (":LABEL", None)],
}
_TARGET = {"PROPOSES": "Method", "MENTIONS": "Method", "INTRODUCES": "Dataset", "USES": "Dataset",
           "HAS_CODE": "CodeRepository"}
REL_HEADERS: dict[str, list[str]] = {
    t: [":START_ID(Paper)", f":END_ID({label})", "fields:string[]", "starts:int[]", "ends:int[]",
        "sentences:string[]", "rules:string[]", "source",
        *(["name", "aliases:string[]"] if label != "CodeRepository" else []), ":TYPE"]
    for t, label in _TARGET.items()
}
# without provenance (kg export --no-provenance): the relationship and nothing else
LEAN_REL_HEADERS: dict[str, list[str]] = {t: [h[0], h[1], h[-1]] for t, h in REL_HEADERS.items()}


def _cell(value: Any) -> str:
    if value is None:
        return ""  # an empty field is "no property" to neo4j-admin
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
        bad = next((p for p in parts if ARRAY_DELIMITER in p), None)
        if bad is not None:
            raise SinkError(f"array element {bad[:60]!r} contains the array delimiter U+001F; "
                            "remove the control character from the input record")
        return ARRAY_DELIMITER.join(parts)
    return str(value)


def node_row(label: str, attrs: dict[str, Any]) -> list[str]:
    """The CSV cells of one node of ``label`` (columns of ``NODE_HEADERS[label]``)."""
    if label == "Paper":  # its public IRI, as the Neo4j sink writes it
        attrs = {**attrs, "same_as": arxiv_iri(attrs["arxiv_id"]) if attrs.get("arxiv_id") else None}
    return [label if attr is None else _cell(attrs.get(attr)) for _, attr in NODE_HEADERS[label]]


def relationship_row(graph: nx.MultiDiGraph, u: str, v: str, data: dict[str, Any], *,
                     provenance: bool = True) -> list[str]:
    """The CSV cells of edge ``u -> v`` (columns of ``REL_HEADERS[data["type"]]``, or without
    ``provenance`` of ``LEAN_REL_HEADERS``: the ends and the type)."""
    if not provenance:
        return [graph.nodes[u]["key"], graph.nodes[v]["key"], data["type"]]
    ms = data.get("mentions") or ()
    return [
        graph.nodes[u]["key"], graph.nodes[v]["key"],
        _cell([m.field for m in ms]), _cell([m.start for m in ms]),
        _cell([m.end for m in ms]), _cell([m.sentence for m in ms]),
        _cell([m.rule for m in ms]), _cell(data.get("source")),
        *([_cell(data.get("name")), _cell(list(data.get("aliases") or ()))] if data["type"] != "HAS_CODE" else []),
        data["type"],
    ]


def _node_path(out_dir: Path, label: str) -> Path:
    return out_dir / f"nodes-{label}.csv"


def _rel_path(out_dir: Path, rtype: str) -> Path:
    return out_dir / f"relationships-{rtype}.csv"


def import_command(out_dir: Path, database: str = "neo4j") -> str:
    """The ``neo4j-admin database import full`` command line for the files in ``out_dir``."""
    args = ["neo4j-admin", "database", "import", "full", database, *IMPORT_OPTIONS]
    args += [f"--nodes={label}={_node_path(out_dir, label)}" for label in NODE_HEADERS]
    args += [f"--relationships={t}={_rel_path(out_dir, t)}" for t in REL_HEADERS]
    return " ".join(shlex.quote(a) for a in args)


def export_neo4j_admin(graph: nx.MultiDiGraph, out_dir: Path, *, provenance: bool = True) -> dict[str, int]:
    """Write ``nodes-LABEL.csv`` and ``relationships-TYPE.csv`` into ``out_dir`` (created if needed).

    Returns rows written per label and per type, e.g. ``{"Paper": 3, "USES": 5, ...}``. The files
    are streamed with the csv module (RFC 4180 quoting, which neo4j-admin reads); arrays are
    joined with U+001F, so import with ``--array-delimiter=U+001F --multiline-fields=true``
    (``import-command.txt`` in ``out_dir`` has the whole command). Every file is written beside
    its final name and renamed into place once all of them are complete: a failed or interrupted
    export leaves the folder's old files as they were (and a folder it created is removed). Without ``provenance`` a
    relationship row has only its ends and type (:data:`LEAN_REL_HEADERS`).
    """
    headers = REL_HEADERS if provenance else LEAN_REL_HEADERS
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise SinkError(f"cannot write neo4j-admin CSV files to {out_dir}: it is not a folder; "
                        "give -o a folder (created if missing)")
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with AtomicFiles() as files:
            writers: dict[str, Any] = {}
            counts: dict[str, int] = {}
            for label, cols in NODE_HEADERS.items():
                f = files.open(_node_path(out_dir, label), "w", newline="", encoding="utf-8")
                writers[label] = csv.writer(f)
                writers[label].writerow([h for h, _ in cols])
                counts[label] = 0
            for rtype, header in headers.items():
                f = files.open(_rel_path(out_dir, rtype), "w", newline="", encoding="utf-8")
                writers[rtype] = csv.writer(f)
                writers[rtype].writerow(header)
                counts[rtype] = 0
            for nid, attrs in graph.nodes(data=True):
                label = attrs.get("label")
                if label not in NODE_HEADERS:
                    raise SinkError(f"graph node {nid!r} has unknown label {label!r}")
                writers[label].writerow(node_row(label, attrs))
                counts[label] += 1
            for u, v, data in graph.edges(data=True):
                rtype = data.get("type")
                if rtype not in REL_HEADERS:
                    raise SinkError(f"edge {u!r} -> {v!r} has unknown type {rtype!r}")
                writers[rtype].writerow(relationship_row(graph, u, v, data, provenance=provenance))
                counts[rtype] += 1
            files.open(out_dir / "import-command.txt", "w", encoding="utf-8").write(import_command(out_dir) + "\n")
    except BaseException as e:
        if created:
            _remove_empty(out_dir)
        if isinstance(e, OSError):
            why = "the disk is full" if e.errno == errno.ENOSPC else (e.strerror or str(e))
            raise SinkError(f"cannot write neo4j-admin CSV files to {out_dir}: {why}; nothing was "
                            "changed there: choose a writable directory with -o") from e
        raise
    return counts


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (someone else's files) or already gone
