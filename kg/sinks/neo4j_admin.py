"""CSV files for ``neo4j-admin database import full``: one per node label, one per relationship type."""

from __future__ import annotations

import csv
import errno
import io
import shlex
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import SinkError
from kg.keys import arxiv_iri
from kg.files import AtomicFiles

__all__ = ["export_neo4j_admin", "NODE_HEADERS", "REL_HEADERS", "LEAN_REL_HEADERS", "ARRAY_DELIMITER",
           "IMPORT_OPTIONS", "MULTILINE_MAX_BYTES", "import_command", "import_args", "node_row",
           "relationship_row", "data_writer", "header_line", "csv_line", "is_multiline", "Groups"]

# U+001F (unit separator), not neo4j-admin's default ';': sentences and names contain ';' and
# neo4j-admin has no way to escape the array delimiter inside an element.
ARRAY_DELIMITER = "\x1f"

# the options every import of these files needs (the array delimiter above)
IMPORT_OPTIONS = ("--overwrite-destination", "--array-delimiter=U+001F")
# Rows with a newline (an abstract or title that has one) go to files of their own, each at most
# this big and each its own input group, named by --multiline-fields (v2 format). neo4j-admin
# reads a group in buffers of 4 MiB characters and only looks for a row end by scanning back from
# a full buffer (a scan that v2 multiline files get wrong for quoted empty cells and "\" before a
# quote): a group smaller than one buffer is read whole and never scanned. Every other file is
# free of newlines, so neo4j-admin cuts it at any line end and parses the pieces in parallel.
# v1's --multiline-fields=true instead parses every file in one thread, its size estimate too:
# on 903k relationships in 586 files that estimate alone took a minute (bench/README.md).
MULTILINE_MAX_BYTES = 3 * 2**20
MULTILINE_OPTIONS = ("--multiline-fields-format=v2",)

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


def is_multiline(cells: list[str]) -> bool:
    """Whether a row holds a line break (neo4j-admin's parser ends a line at either character)."""
    return any("\n" in c or "\r" in c for c in cells)


def csv_line(cells: list[str]) -> str:
    """One CSV row as :func:`data_writer` writes it (RFC 4180, quoted only where needed)."""
    buf = io.StringIO()
    csv.writer(buf).writerow(cells)
    return buf.getvalue()


def data_writer(f: Any) -> Any:
    """A csv writer for data rows as neo4j-admin reads them: RFC 4180, quoted where needed."""
    return csv.writer(f)


def header_line(cells: list[str]) -> str:
    """A header row (header cells hold no delimiter, quote or newline)."""
    return ",".join(cells) + "\r\n"


Groups = dict[str, list[list[Path]]]  # label or type -> its input groups, each a list of files


def import_args(nodes: Groups, relationships: Groups, multiline: list[Path], database: str = "neo4j") -> list[str]:
    """``neo4j-admin database import full`` arguments: one ``--nodes`` / ``--relationships`` per
    input group (the first file of a group starts with the header row), and the files holding
    multiline rows (each in a group of its own, see :data:`MULTILINE_MAX_BYTES`)."""
    args = ["neo4j-admin", "database", "import", "full", database, *IMPORT_OPTIONS]
    if multiline:
        args += [*MULTILINE_OPTIONS, "--multiline-fields=" + ",".join(str(p) for p in multiline)]
    for kind, groups in (("nodes", nodes), ("relationships", relationships)):
        args += [f"--{kind}={name}=" + ",".join(str(p) for p in files) for name, gs in groups.items() for files in gs]
    return args


def import_command(out_dir: Path, database: str = "neo4j") -> str:
    """The ``neo4j-admin database import full`` command line for the files in ``out_dir``."""
    groups: dict[str, Groups] = {"nodes": {}, "relationships": {}}
    multiline: list[Path] = []
    for kind, names, path in (("nodes", NODE_HEADERS, _node_path), ("relationships", REL_HEADERS, _rel_path)):
        for name in names:
            main = path(out_dir, name)
            pieces = sorted(out_dir.glob(f"{main.stem}-multiline-[0-9]*.csv"))
            groups[kind][name] = [[main], *([p] for p in pieces)]
            multiline += pieces
    args = import_args(groups["nodes"], groups["relationships"], multiline, database)
    return " ".join(shlex.quote(a) for a in args)


class _Rows:
    """The rows of one label or type: plain rows to ``main``, multiline rows to pieces beside it
    (``NAME-multiline-00000.csv``, each with the header and at most MULTILINE_MAX_BYTES)."""

    def __init__(self, files: AtomicFiles, main: Path, header: list[str]) -> None:
        self.files, self.main, self.header = files, main, header
        f = files.open(main, "w", newline="", encoding="utf-8")
        f.write(header_line(header))
        self.writer = data_writer(f)
        self.pieces: list[Path] = []
        self._piece: Any = None
        self._bytes = 0

    def write(self, cells: list[str]) -> None:
        if not is_multiline(cells):
            self.writer.writerow(cells)
            return
        line = csv_line(cells)
        size = len(line.encode("utf-8"))
        if self._piece is None or (self._bytes + size > MULTILINE_MAX_BYTES and self._bytes):
            self.pieces.append(self.main.with_name(f"{self.main.stem}-multiline-{len(self.pieces):05d}.csv"))
            self._piece = self.files.open(self.pieces[-1], "w", newline="", encoding="utf-8")
            self._piece.write(header_line(self.header))
            self._bytes = len(header_line(self.header))
        self._piece.write(line)
        self._bytes += size


def export_neo4j_admin(graph: nx.MultiDiGraph, out_dir: Path, *, provenance: bool = True) -> dict[str, int]:
    """Write ``nodes-LABEL.csv`` and ``relationships-TYPE.csv`` into ``out_dir`` (created if needed).

    Returns rows written per label and per type, e.g. ``{"Paper": 3, "USES": 5, ...}``. The files
    are streamed with the csv module (RFC 4180 quoting, which neo4j-admin reads); arrays are
    joined with U+001F; rows with a newline go to ``NAME-multiline-NNNNN.csv`` pieces (see
    :data:`MULTILINE_MAX_BYTES`); ``import-command.txt`` in ``out_dir`` has the whole command. Every file is written beside
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
        stale = set(out_dir.glob("*-multiline-[0-9]*.csv"))
        with AtomicFiles() as files:
            writers: dict[str, _Rows] = {}
            counts: dict[str, int] = {}
            for label, cols in NODE_HEADERS.items():
                writers[label] = _Rows(files, _node_path(out_dir, label), [h for h, _ in cols])
                counts[label] = 0
            for rtype, header in headers.items():
                writers[rtype] = _Rows(files, _rel_path(out_dir, rtype), header)
                counts[rtype] = 0
            for nid, attrs in graph.nodes(data=True):
                label = attrs.get("label")
                if label not in NODE_HEADERS:
                    raise SinkError(f"graph node {nid!r} has unknown label {label!r}")
                writers[label].write(node_row(label, attrs))
                counts[label] += 1
            for u, v, data in graph.edges(data=True):
                rtype = data.get("type")
                if rtype not in REL_HEADERS:
                    raise SinkError(f"edge {u!r} -> {v!r} has unknown type {rtype!r}")
                writers[rtype].write(relationship_row(graph, u, v, data, provenance=provenance))
                counts[rtype] += 1
            for w in writers.values():
                stale -= set(w.pieces)
            files.open(out_dir / "import-command.txt", "w", encoding="utf-8").write(
                _command(out_dir, writers) + "\n")
        for f in stale:  # pieces of an earlier export with more multiline rows
            f.unlink(missing_ok=True)
    except BaseException as e:
        if created:
            _remove_empty(out_dir)
        if isinstance(e, OSError):
            why = "the disk is full" if e.errno == errno.ENOSPC else (e.strerror or str(e))
            raise SinkError(f"cannot write neo4j-admin CSV files to {out_dir}: {why}; nothing was "
                            "changed there: choose a writable directory with -o") from e
        raise
    return counts


def _command(out_dir: Path, writers: dict[str, _Rows]) -> str:
    groups: dict[str, Groups] = {"nodes": {}, "relationships": {}}
    for name, w in writers.items():
        groups["nodes" if name in NODE_HEADERS else "relationships"][name] = [[w.main], *([p] for p in w.pieces)]
    multiline = [p for w in writers.values() for p in w.pieces]
    return " ".join(shlex.quote(a) for a in import_args(groups["nodes"], groups["relationships"], multiline))


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (someone else's files) or already gone
