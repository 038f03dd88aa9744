"""The embedded RDF store: pyoxigraph on disk, every triple in the default graph, SPARQL over it.

Why pyoxigraph alone (not rdflib, nor rdflib over oxrdflib): storage, SPARQL and serialisation
run in Rust over RocksDB, persist across runs, and release the GIL while bulk-loading; Python only
renders N-Triples text (kg.sinks.rdf). The issue measured a GROUP BY over 1M triples at ~8 s with
rdflib's in-memory store and ~0.4 s with Oxigraph. oxrdflib would route every query result and
triple through rdflib's Python objects, so rdflib is kept for the vocabulary class and for parsing
exports back in tests. Why one default graph (no graph per paper): queries then need no union
(whose de-duplication cost seconds), exports are Oxigraph's native dump, and RocksDB writes three
indexes a triple instead of six. Figures: tests/test_store_perf.py and docs/DESIGN.md.
"""

from __future__ import annotations

import errno
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import networkx as nx
from pyoxigraph import (DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, RdfFormat,
                        Store, Variable, parse, serialize)

from kg.errors import SinkError
from kg.files import atomic_write
from kg.graph import papers_in, without_papers
from kg.model import WriteStats
from kg.sinks.rdf import (
    DEFAULT_BASE_IRI,
    EDGE_PREDICATES,
    PREFIXES,
    check_base_iri,
    entity_ntriples,
    hash_ntriples,
    mint_iri,
    ntriples_bytes,
    paper_ntriples,
    store_to_networkx,
)
from kg.sinks.sparql import literal, plain, sort_rows, split_order_by
from kg.sinks.store_open import LOCK_FILE, damaged, is_damage, open_folder, release
from kg.sinks.vocab import KG

__all__ = ["OxigraphStore", "RDF_FORMATS", "LOCK_FILE", "FORMAT_FILE", "STORE_FORMAT"]

FORMAT_FILE = "kg-format"  # in the store folder: the layout version of the triples it holds
STORE_FORMAT = "2"  # 2: one node per sense (kb, defined, owned, name); 1 (no file): one per name

RDF_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
}
_BATCH_PAPERS = 1000  # ~100k triples a bulk load
_ENTITY_CACHE = 200_000  # entities whose triples this session already wrote (bounded memory)
_DG = DefaultGraph()
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PAPER_OF = NamedNode(str(KG.paper))
_RECORD = NamedNode(str(KG.record))
_OF_ENTITY = NamedNode(str(KG.entity))
_M_NAME, _M_ALIAS = NamedNode(str(KG.name)), NamedNode(str(KG.alias))
_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_ALT = NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
_AUTHOR_LIST = NamedNode(str(KG.authorList))
_HASH = NamedNode(str(KG.contentHash))
_REST = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
_EDGE_NODES = tuple(NamedNode(iri) for iri in EDGE_PREDICATES.values())
_LABEL_CLASSES = {"Paper": KG.Paper, "Method": KG.Method, "Dataset": KG.Dataset,
                  "CodeRepository": KG.CodeRepository}


class OxigraphStore:
    """A persistent graph store in directory ``path``; one writer process at a time.

    >>> with OxigraphStore(Path("kg-data")) as store:          # doctest: +SKIP
    ...     store.write(graph)
    ...     cols, rows = store.query("SELECT ...", {"min_papers": 2})
    """

    name = "oxigraph"

    def __init__(self, path: Path, base_iri: str = DEFAULT_BASE_IRI, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.base_iri = check_base_iri(base_iri)
        self.read_only = read_only
        self._lock_fd: int | None = None
        self._store: Store | None = None
        self._loader: ThreadPoolExecutor | None = None
        self._pending: Future | None = None
        self._written: dict[str, int] = {}  # entity node id -> hash of its lines already loaded
        self._orphans: set[NamedNode] = set()  # entities a replaced paper no longer links to
        self.compact_seconds = 0.0
        self._open()
        try:
            self._check_format()
        except BaseException:
            self.close(compact=False)
            raise

    # ---- opening and closing -------------------------------------------------------------
    def _open(self) -> None:
        self._store, self._lock_fd = open_folder(self.path, self.read_only)

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        release(fd)

    def close(self, compact: bool = True) -> None:
        """Wait for the last batch, flush to disk and release the store (and its lock); a loader
        error is raised here as SinkError (the store is released all the same); safe to call twice.
        A session that wrote is compacted first (see ``_compact``) unless ``compact`` is False,
        which callers pass when stopping on an error or Ctrl-C, so the stop stays prompt."""
        if self._store is not None:
            try:
                self._settle()
                if not self.read_only:
                    self._store.flush()
                    if compact and self._loader is not None:
                        self._compact()
            except OSError as e:
                raise SinkError(f"cannot flush store {self.path}: {e}") from e
            finally:
                if self._loader is not None:
                    self._loader.shutdown(wait=True)
                    self._loader = None
                self._pending = None
                self._store = None  # dropping the last reference closes RocksDB and its LOCK
                self._unlock()

    def _compact(self) -> None:
        """Compact RocksDB after writes. A fresh ingest leaves dozens of small level-0 files, and
        every later read merges them: on the 24k-paper corpus a store read straight after ingest
        exported at half the speed and ran queries up to 2x slower than the same store compacted.
        Compaction costs about 4% of that ingest, once; the bottom level (data compacted before)
        is not rewritten, so a small ingest into a large store stays cheap."""
        t0 = time.monotonic()
        self._store.optimize()  # type: ignore[union-attr]
        self.compact_seconds = time.monotonic() - t0

    def _check_format(self) -> None:
        """Refuse a store written by an older kg, whose entities were keyed by name alone: their
        senses (known entity, long form, proposing paper) cannot be told apart without the text.
        A new store gets a ``kg-format`` file saying the layout it holds."""
        marker = self.path / FORMAT_FILE
        found = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
        if found == STORE_FORMAT:
            return
        empty = next(iter(self._raw().quads_for_pattern(None, None, None, None)), None) is None
        if found is None and empty:
            if not self.read_only:
                with atomic_write(marker, encoding="utf-8") as f:
                    f.write(STORE_FORMAT + "\n")
            return
        what = f"format {found}" if found else "an older kg, with one node per name"
        raise SinkError(f"store {self.path} was written by {what}; this kg keeps one node per sense "
                        f"(format {STORE_FORMAT}) and cannot convert it: ingest the files again into "
                        "a new --store directory")

    def __enter__(self) -> "OxigraphStore":
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, _tb: object) -> None:
        self.close(compact=exc_type is None)
        if exc is not None and is_damage(exc):  # a read inside the ``with`` hit a damaged file
            raise damaged(self.path, exc) from exc

    @property
    def store(self) -> Store:
        """The underlying pyoxigraph store, once the batch in flight has landed (raises once closed)."""
        self._settle()
        return self._raw()

    def _raw(self) -> Store:
        if self._store is None:
            raise SinkError(f"store {self.path} is closed; open it again")
        return self._store

    # ---- writing ---------------------------------------------------------------------------
    def write(self, graph: nx.MultiDiGraph) -> WriteStats:
        """Replace each paper of ``graph`` in the store; entities merge (RDF set semantics).

        Python renders N-Triples in batches and hands each to one loader thread (Oxigraph's bulk
        load releases the GIL), at most one batch in flight: this returns while the last batch is
        still loading, so the caller's next step overlaps it. The next ``write``, any read and
        ``close()`` wait for it and raise its error as SinkError. Papers already in the store lose
        their own triples and mention resources first, unless they are unchanged (then they are
        skipped: ``stats.extra["unchanged_papers"]``, counted in the returned stats once loaded).
        A batch is not one transaction: after a crash, re-run the ingest.
        """
        if self.read_only:
            raise SinkError(f"store {self.path} was opened read-only; open it without read_only to write")
        t0 = time.perf_counter()
        self._settle()
        base = self.base_iri
        stats = WriteStats(papers=len(papers_in(graph)))
        stats.extra["unchanged_papers"] = 0
        kept = [pid for pid in papers_in(graph)  # the store holds a later record of these
                if self._kept(NamedNode(mint_iri(base, "paper", graph.nodes[pid]["key"])),
                              graph.nodes[pid].get("record") or "")]
        # a kept record is complete: it takes this input's content hash (kg.changes), since
        # running this input again would leave it out again
        rehash = [Quad(NamedNode(mint_iri(base, "paper", graph.nodes[pid]["key"])), _HASH,
                       Literal(graph.nodes[pid]["content_hash"]), _DG)
                  for pid in kept if graph.nodes[pid].get("content_hash")]
        if kept:
            graph = without_papers(graph, kept)
            stats.extra["superseded_papers"] = len(kept)
        pids = papers_in(graph)
        iris: dict[str, str] = {}
        written = self._written
        done = 0
        for i in range(0, len(pids), _BATCH_PAPERS):
            batch = _Batch(stats)
            for pid in pids[i:i + _BATCH_PAPERS]:
                lines = paper_ntriples(graph, pid, base, iris)
                iri = NamedNode(mint_iri(base, "paper", graph.nodes[pid]["key"]))
                batch.papers.append((iri, ntriples_bytes(lines)))
                if graph.nodes[pid].get("content_hash"):
                    batch.hashes.append(Quad(iri, _HASH, Literal(graph.nodes[pid]["content_hash"]), _DG))
                stats.triples += len(lines) + len(hash_ntriples(graph, pid, base))
                stats.relationships += graph.out_degree(pid)
            entity_lines: list[str] = []
            new = list(iris)[done:]
            done += len(new)
            for nid in new:
                _, lines = entity_ntriples(graph, nid, base)
                h = hash(tuple(lines))
                stats.triples += len(lines)
                if written.get(nid) != h:  # not already loaded by an earlier write of this session
                    entity_lines += lines
                    written[nid] = h
            if len(written) > _ENTITY_CACHE:
                written.clear()
            batch.entities = ntriples_bytes(entity_lines) if entity_lines else b""
            self._submit(batch)
        if rehash:
            self._submit(_Batch(stats, hashes=rehash))
        stats.nodes = len(pids) + len(iris)
        stats.seconds = time.perf_counter() - t0
        return stats

    def _kept(self, iri: NamedNode, record: str) -> bool:
        """Whether the store holds a different record of paper ``iri`` that ranks above ``record``
        (kg.graph.record_rank), so this one is left out (the same record is skipped as unchanged)."""
        stored = next(iter(self._raw().quads_for_pattern(iri, _RECORD, None, _DG)), None)
        return stored is not None and stored.object.value > record

    def _submit(self, batch: "_Batch") -> None:
        self._wait()
        if self._loader is None:
            self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-store")
        self._pending = self._loader.submit(self._load, batch)

    def _wait(self) -> None:
        """Wait for the batch in flight; its error becomes a SinkError here."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except SinkError as e:
            self._written.clear()  # its entities may not have landed
            _forget_locals(e)
            raise
        except Exception as e:  # noqa: BLE001 - any loader failure is reported to the caller
            self._written.clear()
            _forget_locals(e)
            raise SinkError(f"writing to store {self.path} failed: {e}; the papers written "
                            "before the failure are kept, re-run the ingest to finish") from e

    def _settle(self) -> None:
        """Wait for the loader, then drop entities a replaced paper left linked by no one."""
        self._wait()
        if not self._orphans or self.read_only:
            return
        store = self._raw()
        orphans, self._orphans = self._orphans, set()
        try:
            for e in orphans:
                if next(iter(store.quads_for_pattern(None, None, e, _DG)), None) is None:
                    for q in list(store.quads_for_pattern(e, None, None, _DG)):
                        store.remove(q)
                else:
                    self._relabel(e)
            self._written.clear()
        except OSError as e:
            raise SinkError(f"writing to store {self.path} failed: {e}; re-run the ingest") from e

    def _relabel(self, entity: NamedNode) -> None:
        """Keep only the labels that a paper still linking to ``entity`` gives it (its mention
        resources say which), so a replaced record's spellings go with it."""
        store = self._raw()
        labels, alts = set(), set()
        for q in store.quads_for_pattern(None, _OF_ENTITY, entity, _DG):
            labels.update(x.object for x in store.quads_for_pattern(q.subject, _M_NAME, None, _DG))
            alts.update(x.object for x in store.quads_for_pattern(q.subject, _M_ALIAS, None, _DG))
        if not labels:  # mentions written without names: nothing to recompute from
            return
        for pred, keep in ((_LABEL, labels), (_ALT, alts)):
            for q in list(store.quads_for_pattern(entity, pred, None, _DG)):
                if q.object not in keep:
                    store.remove(q)

    def _load(self, batch: "_Batch") -> None:
        """In the loader thread: clear the batch's papers already stored (skipping unchanged
        ones), then bulk-load the rest with the batch's entity triples. Content hashes go first
        (before anything else of the paper) and come back last, in one transaction after the
        bulk load, so a stored hash always means a complete paper (kg.changes skips on it)."""
        store = self._raw()
        try:
            data = [batch.entities]
            for iri, text in batch.papers:
                for q in list(store.quads_for_pattern(iri, _HASH, None, _DG)):
                    store.remove(q)
                if self._exists(iri):
                    if self._unchanged(iri, text):
                        batch.stats.extra["unchanged_papers"] += 1
                        continue
                    for t in self._owned(iri):
                        if t.subject == iri and t.predicate in _EDGE_NODES:
                            self._orphans.add(t.object)
                        store.remove(Quad(t.subject, t.predicate, t.object, _DG))
                data.append(text)
            payload = b"".join(data)
            if payload:
                store.bulk_load(payload, RdfFormat.N_TRIPLES, lenient=True)
            if batch.hashes:
                if not batch.papers:  # only kept records' hashes: replace theirs
                    for h in batch.hashes:
                        for q in list(store.quads_for_pattern(h.subject, _HASH, None, _DG)):
                            store.remove(q)
                store.extend(batch.hashes)
        except OSError as e:
            raise SinkError(f"writing to store {self.path} failed: {e}; the papers written "
                            "before the failure are kept, re-run the ingest to finish") from e
        except SyntaxError as e:  # a bug in kg.sinks.rdf, never the user's data
            raise SinkError(f"kg produced N-Triples Oxigraph cannot read ({e}); please report this") from e

    def _exists(self, iri: NamedNode) -> bool:
        store = self._raw()
        return (next(iter(store.quads_for_pattern(iri, None, None, _DG)), None) is not None
                or next(iter(store.quads_for_pattern(None, _PAPER_OF, iri, _DG)), None) is not None)

    def _unchanged(self, iri: NamedNode, text: bytes) -> bool:
        """Whether the stored paper ``iri`` says exactly what ``text`` says. A mention IRI hashes
        everything its resource says (kg.sinks.rdf.mention_iri), so comparing the paper's own
        triples, its author-list cells and its set of mention IRIs is enough: mention triples are
        not read back."""
        own, mentions, cell_prefix = set(), set(), iri.value + "/"
        for q in parse(text, RdfFormat.N_TRIPLES):
            if q.subject == iri or q.subject.value.startswith(cell_prefix):
                own.add(q.triple)  # the paper's own triples and its author-list cells
            elif q.predicate == _PAPER_OF:
                mentions.add(q.subject)
        store = self._raw()
        stored = {q.triple for s in (iri, *self._cells(iri)) for q in store.quads_for_pattern(s, None, None, _DG)}
        return (own == stored
                and mentions == {q.subject for q in store.quads_for_pattern(None, _PAPER_OF, iri, _DG)})

    def _cells(self, iri: NamedNode) -> list[NamedNode]:
        """The cells of paper ``iri``'s author list (kg.sinks.rdf.author_cell_iri), in order."""
        store = self._raw()
        cells: list[NamedNode] = []
        nxt = [q.object for q in store.quads_for_pattern(iri, _AUTHOR_LIST, None, _DG)]
        while nxt and isinstance(nxt[0], NamedNode) and nxt[0].value.startswith(iri.value + "/") \
                and nxt[0] not in cells:
            cells.append(nxt[0])
            nxt = [q.object for q in store.quads_for_pattern(nxt[0], _REST, None, _DG)]
        return cells

    def _owned(self, iri: NamedNode) -> set:
        """The triples paper ``iri`` owns: its own, its author-list cells' and its mention resources'."""
        store = self._raw()
        out = {q.triple for s in (iri, *self._cells(iri)) for q in store.quads_for_pattern(s, None, None, _DG)}
        for m in [q.subject for q in store.quads_for_pattern(None, _PAPER_OF, iri, _DG)]:
            out.update(q.triple for q in store.quads_for_pattern(m, None, None, _DG))
        return out

    # ---- reading ---------------------------------------------------------------------------
    def content_hashes(self, keys: list[str]) -> dict[str, str]:
        """The stored content hash (kg.changes) of each paper of ``keys`` the store holds, ``""``
        for one stored without a hash; absent papers are left out. Reads without waiting for
        the batch in flight: kg.changes asks only about keys it has not written in this session."""
        store, base, out = self._raw(), self.base_iri, {}
        try:
            for key in keys:
                iri = NamedNode(mint_iri(base, "paper", key))
                hashes = [q.object.value for q in store.quads_for_pattern(iri, _HASH, None, _DG)]
                if hashes:
                    out[key] = hashes[0] if len(hashes) == 1 else ""
                elif next(iter(store.quads_for_pattern(iri, None, None, _DG)), None) is not None:
                    out[key] = ""
        except OSError as e:
            raise SinkError(f"reading store {self.path} failed: {e}") from e
        return out

    def query(self, sparql: str, params: dict[str, object] | None = None) -> tuple[list[str], list[list[object]]]:
        """Run SPARQL over the default graph (every triple); ``params`` are bound as literals.

        A parameter is bound with SPARQL substitutions (SEP-0007), which require the variable
        in the top-level SELECT; its column is dropped from the result. Values come back as
        plain Python: ``str``, ``int`` for integer literals, ``float`` for decimals, ``None``
        when unbound. ASK gives ``(["ask"], [[bool]])``; CONSTRUCT gives subject/predicate/object rows.
        """
        params = params or {}
        subs = {Variable(k): literal(k, v) for k, v in params.items()}
        text, order = split_order_by(sparql)
        try:
            result = self.store.query(text, prefixes=PREFIXES, substitutions=subs or None)
            if isinstance(result, QuerySolutions):
                names = [v.value for v in result.variables]
                if any(k not in names for k, _ in order):  # ORDER BY a variable not selected
                    result, order = self.store.query(sparql, prefixes=PREFIXES, substitutions=subs or None), []
            if isinstance(result, QueryBoolean):
                return ["ask"], [[bool(result)]]
            if isinstance(result, QuerySolutions):
                keep = [i for i, n in enumerate(names) if n not in params]
                if not order:
                    return [names[i] for i in keep], [[plain(row[i]) for i in keep] for row in result]
                raw = [list(row) for row in result]
                sort_rows(raw, names, order)
                return [names[i] for i in keep], [[plain(r[i]) for i in keep] for r in raw]
            return ["subject", "predicate", "object"], [
                [plain(t.subject), plain(t.predicate), plain(t.object)] for t in result]
        except SyntaxError as e:
            raise SinkError(f"SPARQL query does not parse: {e}; check the query text") from e
        except (RuntimeError, OSError) as e:
            if is_damage(e):
                raise damaged(self.path, e) from e
            if isinstance(e, OSError):
                raise SinkError(f"querying store {self.path} failed: {e}") from e
            raise SinkError(f"SPARQL query cannot bind its parameters ({e}); each parameter must "
                            "be a variable in the top-level SELECT") from e

    def counts(self) -> dict[str, int]:
        """Nodes by label, edges by type, mentions, triples and quads (equal: one graph)."""
        store = self.store
        out = {label: _count(store, None, NamedNode(_RDF_TYPE), NamedNode(str(c)))
               for label, c in _LABEL_CLASSES.items()}
        for etype, iri in EDGE_PREDICATES.items():
            out[etype] = _count(store, None, NamedNode(iri), None)
        out["mentions"] = _count(store, None, NamedNode(_RDF_TYPE), NamedNode(str(KG.Mention)))
        out["triples"] = out["quads"] = len(store)
        return out

    def export(self, fmt: str, out: BinaryIO, *, provenance: bool = True) -> int:
        """Serialise the store to ``out`` in an RDF format of :data:`RDF_FORMATS` (Oxigraph's own
        dump of the default graph); returns the number of triples written. Without ``provenance``
        the mention resources (``{base}mention/...``, every triple about them) are left out."""
        if fmt not in RDF_FORMATS:
            raise SinkError(f"unknown RDF export format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
        try:
            store = self.store
            prefixes = PREFIXES if fmt in ("turtle", "trig", "jsonld") else None
            if provenance:
                n = len(store)
                store.dump(out, RDF_FORMATS[fmt], from_graph=_DG, prefixes=prefixes)
                return n
            mention = mint_iri(self.base_iri, "mention", "")
            lean = [0]

            def kept():
                for q in store.quads_for_pattern(None, None, None, _DG):
                    if not q.subject.value.startswith(mention):
                        lean[0] += 1
                        yield q if fmt in ("nquads", "trig") else q.triple

            serialize(kept(), out, RDF_FORMATS[fmt], prefixes=prefixes)
            return lean[0]
        except (OSError, RuntimeError) as e:
            if is_damage(e):
                raise damaged(self.path, e) from e
            if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise SinkError(f"cannot write the {fmt} export: the device is full") from e
            raise SinkError(f"exporting store {self.path} as {fmt} failed: {e}") from e
        except ValueError as e:
            raise SinkError(f"exporting store {self.path} as {fmt} failed: {e}") from e

    def to_networkx(self, *, provenance: bool = True) -> nx.MultiDiGraph:
        """The store read back into the graph shape of DESIGN.md (for graphml/json export, stats);
        without ``provenance``, edges carry no mentions and no source file."""
        return store_to_networkx(self.store, provenance=provenance)


@dataclass
class _Batch:
    """Papers rendered as N-Triples (paper IRI, bytes), plus entity triples new to this session."""

    stats: WriteStats
    papers: list[tuple[NamedNode, bytes]] = field(default_factory=list)
    entities: bytes = b""
    hashes: list[Quad] = field(default_factory=list)  # kg:contentHash quads, written last


def _forget_locals(e: BaseException) -> None:
    """Clear the finished frames of a loader error's traceback. They hold the pyoxigraph Store
    (``_load``'s locals), and a caller keeping the error would keep RocksDB open after close():
    a reader opening the store then raced its background compaction ("No such file ....sst")."""
    traceback.clear_frames(e.__traceback__)


def _count(store: Store, s: object, p: object, o: object) -> int:
    return sum(1 for _ in store.quads_for_pattern(s, p, o, _DG))
