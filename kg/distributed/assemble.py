"""Graph assembly from extraction shards, as rounds of tasks: route, papers, entities, join.

1. route: each shard's records go to a paper bucket by a hash of the paper key;
2. papers: a bucket holds every version of its papers, in input order; ``kg.graph.build_graph``
   keeps one (``kg.graph.record_rank``, as ``kg ingest`` does), and the sinks' renderers write the
   papers' N-Triples and neo4j-admin rows. Each entity the kept versions name goes, without its
   mentions, to an entity bucket by a hash of its node id (``kg.graph.entity_identity``), with a
   flag when a kept paper links to it;
3. entities: a bucket rebuilds its entities with ``build_graph`` over those occurrences in input
   order (names merged by the graph's rules) and writes the ones some kept paper links to;
4. join: each label's and type's CSV files of the buckets are joined into fewer, larger files
   (``kg.distributed.csvfiles``).
The graph module's identity rules decide everything; this module only routes records.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.config import DEFAULT_BASE_IRI
from kg.distributed.csvfiles import MIN_FILE_BYTES, join_files, plan_joins
from kg.distributed.shards import atomic_file, read_records, write_json
from kg.errors import KGError

__all__ = ["assemble", "GRAPH_DIR", "DEFAULT_BUCKETS", "ntriples_files"]

GRAPH_DIR = "graph"
_TMP = ".assemble"
# buckets when not given: one per extraction shard up to this; round 1 writes shards x buckets
# files and round 2 buckets x buckets, so more buckets than workers need buys nothing
DEFAULT_BUCKETS = 64


def _bucket(key: str, n: int) -> int:
    """A stable bucket for ``key`` (Python's ``hash`` differs between worker processes)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") % n


def _write_lines(path: Path, lines: Sequence[str]) -> None:
    with atomic_file(path) as f:
        for line in lines:
            f.write(line)
            f.write("\n")


def route_shard(i: int, shard: str, papers_file: str, tmp: str, buckets: int) -> int:
    """Round 1: split shard ``i`` (and its papers file) into the paper buckets; returns records."""
    out: list[list[str]] = [[] for _ in range(buckets)]
    n = 0
    for j, (x, p) in enumerate(zip(read_records(Path(shard)), read_records(Path(papers_file)), strict=True)):
        if x.get("id") != p.get("key"):
            raise KGError(f"{shard} row {j + 1} is paper {x.get('id')!r} but {papers_file} says {p.get('key')!r}: "
                          "the shard and its papers file disagree; run kg extract again")
        out[_bucket(p["key"], buckets)].append(json.dumps({"seq": [i, j], "paper": p, "x": x}, ensure_ascii=False))
        n += 1
    for b, lines in enumerate(out):
        folder = Path(tmp) / "papers" / f"b{b:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        _write_lines(folder / f"from-{i:05d}.jsonl", lines)
    return n


def _rows(folder: Path) -> list[dict]:
    rows = [r for f in sorted(folder.glob("from-*.jsonl")) for r in read_records(f)]
    rows.sort(key=lambda r: r["seq"])
    return rows


def _entity_node(kind: str, key: str) -> str:
    from kg.graph import node_id

    return node_id(kind, key)


def paper_bucket(b: int, tmp: str, out: str, buckets: int, base_iri: str) -> dict[str, int]:
    """Round 2: the papers of bucket ``b``: their triples and CSV rows, and their entities routed on."""
    from kg.extract import extraction_from_json, extraction_to_json
    from kg.graph import build_graph, entity_identity, node_id, record_rank
    from kg.model import Paper
    from kg.sinks.neo4j_admin import node_row, relationship_row
    from kg.sinks.rdf import check_base_iri, paper_ntriples

    base = check_base_iri(base_iri)
    rows = _rows(Path(tmp) / "papers" / f"b{b:05d}")
    exs = []
    for r in rows:
        ex = extraction_from_json(r["x"])
        p = r["paper"]
        exs.append(dataclasses.replace(ex, paper=Paper(**{k: tuple(v) if isinstance(v, list) else v
                                                          for k, v in p.items()})))
    g = build_graph(exs)
    counts: dict[str, int] = {"Paper": 0}
    lines: list[str] = []
    iris: dict[str, str] = {}
    out_dir = Path(out)
    with _CsvShards(Path(tmp) / "csv", b) as csvs:
        for pid, attrs in g.nodes(data=True):
            if attrs["label"] == "Paper":
                lines += paper_ntriples(g, pid, base, iris)
                csvs.row("nodes-Paper", node_row("Paper", attrs))
                counts["Paper"] += 1
        for u, v, data in g.edges(data=True):
            csvs.row(f"relationships-{data['type']}", relationship_row(g, u, v, data))
            counts[data["type"]] = counts.get(data["type"], 0) + 1
    _write_lines(out_dir / "ntriples" / f"papers-{b:05d}.nt", lines)
    counts["triples"] = len(lines)
    linked = {v for _, v in g.edges()}
    routed: list[list[str]] = [[] for _ in range(buckets)]
    for r, ex in zip(rows, exs):
        if g.nodes[node_id("Paper", ex.paper.key)]["record"] != record_rank(ex):
            continue  # a version of the paper the graph did not keep: its names are not the entities'
        by_bucket: dict[int, dict[str, list]] = {}
        for field_name, items, kind in (("methods", ex.methods, None), ("datasets", ex.datasets, None),
                                        ("code_urls", ex.code_urls, "CodeRepository")):
            for e in items:
                key = e.key if kind else entity_identity(e, ex.paper.key)[0]
                nid = _entity_node(kind or e.kind, key)
                if nid not in g:
                    raise KGError(f"kg.graph names entity {e.key!r} differently than kg.distributed expects "
                                  f"({nid!r} is not a node): the identity rules changed; update kg/distributed")
                slot = by_bucket.setdefault(_bucket(nid, buckets), {"methods": [], "datasets": [], "code_urls": []})
                slot[field_name].append(dataclasses.replace(e, mentions=()))
        for c, slot in by_bucket.items():
            stripped = dataclasses.replace(ex, paper=Paper(ex.paper.key, "", ""), methods=tuple(slot["methods"]),
                                           datasets=tuple(slot["datasets"]), code_urls=tuple(slot["code_urls"]))
            routed[c].append(json.dumps({"seq": r["seq"], "x": extraction_to_json(stripped)}, ensure_ascii=False))
    link_of: list[list[str]] = [[] for _ in range(buckets)]
    for nid in linked:
        link_of[_bucket(nid, buckets)].append(nid)
    for c in range(buckets):
        folder = Path(tmp) / "entities" / f"b{c:05d}"
        folder.mkdir(parents=True, exist_ok=True)
        # the entities kept papers link to, on a first line that sorts before every record
        head = json.dumps({"seq": [-1, -1], "linked": sorted(link_of[c])}, ensure_ascii=False)
        _write_lines(folder / f"from-{b:05d}.jsonl", [head, *routed[c]])
    return counts


def entity_bucket(c: int, tmp: str, out: str, base_iri: str) -> dict[str, int]:
    """Round 3: the entities of bucket ``c``, merged across every paper naming them."""
    from kg.extract import extraction_from_json
    from kg.graph import build_graph
    from kg.sinks.neo4j_admin import node_row
    from kg.sinks.rdf import check_base_iri, entity_ntriples

    base = check_base_iri(base_iri)
    folder = Path(tmp) / "entities" / f"b{c:05d}"
    rows = _rows(folder)
    linked = {nid for r in rows if "linked" in r for nid in r["linked"]}
    g = build_graph(extraction_from_json(r["x"]) for r in rows if "x" in r)
    counts: dict[str, int] = {}
    lines: list[str] = []
    with _CsvShards(Path(tmp) / "csv", c) as csvs:
        for nid, attrs in g.nodes(data=True):
            label = attrs["label"]
            if label == "Paper" or nid not in linked:
                continue
            lines += entity_ntriples(g, nid, base)[1]
            csvs.row(f"nodes-{label}", node_row(label, attrs))
            counts[label] = counts.get(label, 0) + 1
    _write_lines(Path(out) / "ntriples" / f"entities-{c:05d}.nt", lines)
    counts["triples"] = len(lines)
    return counts


class _CsvShards:
    """``NAME-BBBBB.csv`` files of one bucket, opened on first row, each written atomically; rows
    with a newline go to ``NAME-ml-BBBBB-KKKKK.csv`` pieces of at most MULTILINE_MAX_BYTES
    (kg.sinks.neo4j_admin says why)."""

    def __init__(self, folder: Path, b: int) -> None:
        self.folder, self.b = folder, b
        self._open: dict[str, tuple[Any, Any]] = {}
        self._ml: dict[str, tuple[Any, Any, int, int]] = {}  # name -> (context, file, piece, bytes)

    def row(self, name: str, cells: list[str]) -> None:
        from kg.sinks.neo4j_admin import MULTILINE_MAX_BYTES, csv_line, data_writer, is_multiline

        if is_multiline(cells):
            line = csv_line(cells)
            size = len(line.encode("utf-8"))
            ctx, f, k, used = self._ml.get(name, (None, None, -1, 0))
            if ctx is None or (used + size > MULTILINE_MAX_BYTES and used):
                if ctx is not None:
                    ctx.__exit__(None, None, None)
                k, used = k + 1, 0
                ctx = atomic_file(self.folder / f"{name}-ml-{self.b:05d}-{k:05d}.csv")
                f = ctx.__enter__()
            f.write(line)
            self._ml[name] = (ctx, f, k, used + size)
            return
        if name not in self._open:
            ctx = atomic_file(self.folder / f"{name}-{self.b:05d}.csv")
            self._open[name] = (ctx, data_writer(ctx.__enter__()))
        self._open[name][1].writerow(cells)

    def __enter__(self) -> "_CsvShards":
        return self

    def __exit__(self, *exc: Any) -> None:
        for ctx in [c for c, _ in self._open.values()] + [c for c, *_ in self._ml.values()]:
            ctx.__exit__(*exc)


def _headers_and_command(neo: Path) -> str:
    """Header files (one row each) and the neo4j-admin command naming header + shards per type."""
    import shlex

    from kg.sinks.neo4j_admin import NODE_HEADERS, REL_HEADERS, header_line, import_args

    groups: dict[str, dict[str, list[list[Path]]]] = {"nodes": {}, "relationships": {}}
    multiline: list[Path] = []
    for kind, headers in (("nodes", {k: [h for h, _ in v] for k, v in NODE_HEADERS.items()}),
                          ("relationships", REL_HEADERS)):
        for name, header in headers.items():
            hdr = neo / f"{kind}-{name}-header.csv"
            with atomic_file(hdr) as f:
                f.write(header_line(header))
            pieces = sorted(neo.glob(f"{kind}-{name}-ml-[0-9]*.csv"))
            groups[kind][name] = [[hdr, *sorted(neo.glob(f"{kind}-{name}-[0-9]*.csv"))], *([p] for p in pieces)]
            multiline += pieces
    return " ".join(shlex.quote(a) for a in import_args(groups["nodes"], groups["relationships"], multiline))


def ntriples_files(out_dir: Path) -> list[Path]:
    """The N-Triples shards of an assembled ``out_dir`` (papers, then entities)."""
    folder = Path(out_dir) / GRAPH_DIR / "ntriples"
    if not (Path(out_dir) / GRAPH_DIR / "graph-manifest.json").exists():
        raise KGError(f"{out_dir} holds no assembled graph: run `kg assemble {out_dir}` first")
    return sorted(folder.glob("papers-*.nt")) + sorted(folder.glob("entities-*.nt"))


def assemble(out_dir: Path, *, scheduler: str | None = None, buckets: int | None = None,
             base_iri: str = DEFAULT_BASE_IRI, client: Any = None,
             min_file_bytes: int = MIN_FILE_BYTES) -> dict[str, Any]:
    """Build the graph of ``out_dir``'s extraction shards into ``out_dir/graph/``: neo4j-admin CSV
    shards (``neo4j/``, with header files and ``import-command.txt``) and N-Triples shards
    (``ntriples/``), on ``scheduler`` (None: in this process). Each bucket writes its own CSV file
    per label and type; a last round joins them, in bucket order, into files of at least
    ``min_file_bytes`` (neo4j-admin pays per file, not per byte, for small files). Returns the graph
    manifest (counts).
    The previous ``graph/`` is replaced only once the new one is complete."""
    from kg.distributed.cluster import connect, run_tasks
    from kg.distributed.extract import shard_files
    from kg.sinks.rdf import check_base_iri

    t0 = time.perf_counter()
    check_base_iri(base_iri)
    out_dir = Path(out_dir).resolve()
    shards = shard_files(out_dir)
    n = max(1, buckets or min(len(shards), DEFAULT_BUCKETS))
    tmp, partial, final = out_dir / _TMP, out_dir / f"{GRAPH_DIR}.partial", out_dir / GRAPH_DIR
    for d in (tmp, partial):
        shutil.rmtree(d, ignore_errors=True)
    for d in (partial / "neo4j", partial / "ntriples", tmp / "csv"):
        d.mkdir(parents=True)

    def _rounds(c: Any) -> list[dict[str, int]]:
        run_tasks(c, _route, list(enumerate(shards)), str(tmp), n)
        counts = run_tasks(c, paper_bucket, list(range(n)), str(tmp), str(partial), n, base_iri)
        counts += run_tasks(c, entity_bucket, list(range(n)), str(tmp), str(partial), base_iri)
        run_tasks(c, join_files, plan_joins(tmp / "csv", partial / "neo4j", min_file_bytes))
        return counts

    if client is not None or scheduler is None:
        parts = _rounds(client)
    else:
        with connect(scheduler, kb_files=None) as c:
            parts = _rounds(c)
    totals: dict[str, int] = {}
    for counts in parts:
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
    _write_lines(partial / "neo4j" / "import-command.txt",
                 [_headers_and_command(partial / "neo4j").replace(str(partial), str(final))])
    manifest = {"buckets": n, "shards": len(shards), "base_iri": base_iri, "counts": totals,
                "csv_files": len([f for f in (partial / "neo4j").glob("*.csv") if not f.name.endswith("-header.csv")]),
                "seconds": round(time.perf_counter() - t0, 3)}
    write_json(partial / "graph-manifest.json", manifest)
    if final.exists():
        shutil.rmtree(final)
    partial.rename(final)
    shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _route(item: tuple[int, tuple[Path, Path]], tmp: str, buckets: int) -> int:
    i, (shard, papers) = item
    return route_shard(i, str(shard), str(papers), tmp, buckets)
