"""The Python API behind every command: read, extract, build, write, export, query, stats."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg.config import DEFAULT_BASE_IRI
from kg.changes import ChangePlan, extractor_fingerprint, held_by_all
from kg.errors import ConfigError, KGError, SourceError
from kg.files import atomic_write
from kg.graph import build_graph, node_id
from kg.model import Extraction, Notice, Paper, Reject, WriteStats

__all__ = [
    "Neo4jTarget",
    "IngestReport",
    "Rejects",
    "iter_papers",
    "ingest",
    "extract_to_jsonl",
    "open_store",
    "open_neo4j",
    "export",
    "run_query",
    "stats",
    "doctor",
    "evaluate_files",
    "Neighbourhood",
    "neighbourhood",
    "top_subgraph",
    "write_view",
    "extract_sharded",
    "assemble_shards",
    "load_shards",
    "TrainReport",
    "train",
]

Progress = Callable[[int], None]
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Neo4jTarget:
    """Where and how to reach Neo4j; ``repr`` never shows the password."""

    uri: str
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"
    batch_size: int = 5000
    timeout: float = 60.0  # seconds any one request may take (a frozen server is an error, not a hang)


@dataclass
class Rejects:
    """The rejects of a run: all counted, only the first ``keep`` held (the rest went to the
    ``on_reject`` callback as they came, so 10 million bad lines cost no memory). ``len()`` is the
    count; iterating gives the kept ones."""

    count: int = 0
    first: list[Reject] = field(default_factory=list)
    keep: int = 20

    def add(self, r: Reject) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(r)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Reject]:
        return iter(self.first)


@dataclass
class IngestReport:
    """What one ingest did: papers read (distinct; ``duplicates`` more records repeated one and
    were merged into it), of which ``new``, ``updated`` and ``unchanged`` (held by every sink with
    the same content hash, so not extracted again); counts of distinct entities in the papers
    extracted in this run; its rejects."""

    papers: int = 0
    rejected: Rejects = field(default_factory=Rejects)
    duplicates: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    methods: int = 0
    datasets: int = 0
    code_repositories: int = 0
    relationships: int = 0
    seconds: float = 0.0
    sinks: dict[str, WriteStats] = field(default_factory=dict)
    last: str = ""  # "file:line" of the last paper written, for resuming after an interruption

    def summary(self) -> str:
        return (
            f"papers read: {self.papers}, rejected: {len(self.rejected)}, new: {self.new}, "
            f"updated: {self.updated}, unchanged: {self.unchanged}, duplicates merged: {self.duplicates}, "
            f"methods: {self.methods}, datasets: {self.datasets}, "
            f"code repositories: {self.code_repositories}, relationships: {self.relationships}, "
            f"seconds: {self.seconds:.1f}"
        )


def iter_papers(
    paths: Sequence[Path],
    input_format: str | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    unreadable: list[str] | None = None,
    records: str | None = None,
    on_notice: Callable[[Notice], None] | None = None,
) -> Iterator[Paper]:
    """Papers from every file in order; rejects go to ``on_reject`` (never raised).

    A file that cannot be read at all raises ``SourceError``, unless ``unreadable`` is given:
    then its one-line message is appended there and the next file is read. ``records`` says
    where JSON paper objects sit (``days[].papers``); by default they are found at any depth.
    A folder is read for the data files inside it; ``-`` is standard input. A file with no
    records is a reject ("no papers found in FILE"); what a source changed or skipped (a control
    character replaced, a file in a folder that is not data) goes to ``on_notice``.
    """
    from kg.sources import EXTENSIONS, read
    from kg.sources.folders import expand_inputs

    for path in expand_inputs(paths, EXTENSIONS):
        if isinstance(path, Notice):
            if on_notice is not None:
                on_notice(path)
            continue
        n = 0
        try:
            for rec in read(path, input_format, records=records):
                n += 1
                if isinstance(rec, Paper):
                    yield rec
                elif isinstance(rec, Notice):
                    if on_notice is not None:
                        on_notice(rec)
                elif on_reject is not None:
                    on_reject(rec)
            if n == 0 and on_reject is not None:
                name = "<stdin>" if str(path) == "-" else str(path)
                on_reject(Reject(name, 0, f"no papers found in {name}"))
        except SourceError as e:
            if unreadable is None:
                raise
            unreadable.append(" ".join(str(e).split()))


def _ignore(_: Reject) -> None:
    pass


def _batched(it: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(it)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


def _extractor(kb_files: Sequence[Path], model: Path | str | None = None) -> Any:
    from kg.extract import Extractor

    return Extractor(kb_files=tuple(Path(p) for p in kb_files), model=model)


def open_store(path: Path, base_iri: str = DEFAULT_BASE_IRI, *, read_only: bool = False) -> Any:
    """The embedded store at ``path`` (created when missing unless ``read_only``)."""
    from kg.sinks.store import OxigraphStore

    if read_only and not Path(path).exists():
        raise KGError(f"no store at {path}: run `kg ingest FILE --store {path}` first")
    return OxigraphStore(Path(path), base_iri, read_only=read_only)


def open_neo4j(target: Neo4jTarget) -> Any:
    """A Neo4j sink for ``target`` (connects lazily or at once, as the sink does)."""
    from kg.sinks.neo4j import Neo4jSink

    return Neo4jSink(
        target.uri,
        target.user,
        target.password,
        database=target.database,
        batch_size=target.batch_size,
        timeout=target.timeout,
    )


def ingest(
    paths: Sequence[Path],
    *,
    store: Path | None = Path("kg-data"),
    base_iri: str = DEFAULT_BASE_IRI,
    neo4j: Neo4jTarget | None = None,
    input_format: str | None = None,
    kb_files: Sequence[Path] = (),
    model: Path | str | None = None,
    batch_size: int = 1000,
    workers: int = 1,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Progress | None = None,
    report: IngestReport | None = None,
    records: str | None = None,
    on_notice: Callable[[Notice], None] | None = None,
) -> IngestReport:
    """Read, extract and write ``paths`` into the embedded store and/or Neo4j, in batches.

    Each batch is written to every sink before the next is read, so an interruption loses at
    most the batch in flight, and running the same ingest again completes it (writes are
    idempotent per paper). A paper every sink already holds with the same content hash
    (kg.changes: its fields, source file and the extractor's fingerprint) is not extracted again;
    when nothing needs extracting the extractor is never loaded. Pass ``report`` to watch it fill
    as batches land (after a Ctrl-C it says how far the ingest got). A file that cannot be read
    at all does not stop the others: they are ingested, then a ``SourceError`` names every
    unreadable file.
    """
    if store is None and neo4j is None:
        raise KGError("nothing to write to: give a --store, or --neo4j URI")
    if batch_size < 1 or workers < 1:
        raise ConfigError(f"batch size and workers must be at least 1, got {batch_size} and {workers} "
                          "(--batch-size / KG_BATCH_SIZE, --workers / KG_WORKERS)")
    report = report if report is not None else IngestReport()
    unreadable: list[str] = []
    started = time.perf_counter()

    def _reject(r: Reject) -> None:
        report.rejected.add(r)
        if on_reject is not None:
            on_reject(r)

    sinks: list[tuple[str, Any]] = []
    finished = False
    try:
        if store is not None:
            sinks.append(("oxigraph", open_store(store, base_iri)))
        if neo4j is not None:
            sinks.append(("neo4j", open_neo4j(neo4j)))
        plan = ChangePlan(extractor_fingerprint(kb_files, model), held_by_all([s.content_hashes for _, s in sinks]),
                          window=batch_size)
        papers = plan.select(iter_papers(paths, input_format, _reject, unreadable, records, on_notice))
        first = next(papers, None)  # None: every paper is unchanged, no extractor needed
        seen: dict[str, set[str]] = {"Method": set(), "Dataset": set(), "CodeRepository": set()}
        extracted = () if first is None else _extractor(kb_files, model).extract_all(
            itertools.chain([first], papers), workers=workers, on_error=_reject)
        for chunk in _batched(extracted, batch_size):
            graph = build_graph(chunk)
            for ex in chunk:  # in input order: a paper read twice takes the hash of all its occurrences
                graph.nodes[node_id("Paper", ex.paper.key)]["content_hash"] = plan.chain_of(ex.paper)
            for name, sink in sinks:
                report.sinks.setdefault(name, WriteStats()).add(sink.write(graph))
            _count(report, seen, chunk, graph, plan)
            if progress is not None:
                _tell(progress, len(chunk), chunk[-1].paper)
        _count(report, seen, [], None, plan)
        finished = True
        if unreadable:
            raise _unreadable_error(unreadable, paths, f"ingested: {report.papers:,} papers")
    finally:
        for name, sink in sinks:
            if name == "oxigraph":
                sink.close(compact=finished)  # no compaction when stopping on an error or Ctrl-C
            else:
                sink.close()
        report.seconds = time.perf_counter() - started
    return report


def _count(report: IngestReport, seen: dict[str, set[str]], chunk: list[Extraction], graph: Any,
           plan: Any) -> None:
    report.papers, report.duplicates = plan.papers, plan.duplicates
    report.new, report.updated, report.unchanged = plan.new, plan.updated, plan.unchanged
    if graph is None:
        return
    for ex in chunk:
        report.last = f"{ex.paper.source}:{ex.paper.line}"
    for _, data in graph.nodes(data=True):
        if data["label"] != "Paper":
            seen[data["label"]].add(data["key"])
    report.methods = len(seen["Method"])
    report.datasets = len(seen["Dataset"])
    report.code_repositories = len(seen["CodeRepository"])
    report.relationships += graph.number_of_edges()


def extract_to_jsonl(
    paths: Sequence[Path],
    out: IO[str] | Path,
    *,
    input_format: str | None = None,
    kb_files: Sequence[Path] = (),
    workers: int = 1,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Progress | None = None,
    records: str | None = None,
    model: Path | str | None = None,
    on_notice: Callable[[Notice], None] | None = None,
) -> int:
    """Write one JSON object per paper (the ``kg extract`` contract) to ``out``; returns papers written.

    A file that cannot be read does not stop the others: their papers are written, then a
    ``SourceError`` names every unreadable file (as :func:`ingest` does). ``out`` given as a path
    is written atomically: it changes only when the run ends, and stays as it was when it fails,
    is interrupted, or can read none of its inputs.
    """
    unreadable: list[str] = []
    if isinstance(out, (str, Path)):
        with atomic_write(out, "w", encoding="utf-8", newline="\n") as f:
            n = _extract_jsonl(paths, f, input_format, kb_files, workers, on_reject, progress, unreadable, records,
                               model, on_notice)
            if len(unreadable) == len(paths):  # nothing could be read: leave the old file as it was
                raise _unreadable_error(unreadable, paths, "")
    else:
        n = _extract_jsonl(paths, out, input_format, kb_files, workers, on_reject, progress, unreadable, records, model,
                           on_notice)
    if unreadable:
        raise _unreadable_error(unreadable, paths, f"extracted: {n:,} papers written")
    return n


def _extract_jsonl(paths: Sequence[Path], out: IO[str], input_format: str | None,
                   kb_files: Sequence[Path], workers: int, on_reject: Callable[[Reject], None] | None,
                   progress: Progress | None, unreadable: list[str], records: str | None,
                   model: Path | str | None = None,
                   on_notice: Callable[[Notice], None] | None = None) -> int:
    from kg.extract import extraction_to_json

    extractor = _extractor(kb_files, model)
    n = 0
    for ex in extractor.extract_all(iter_papers(paths, input_format, on_reject, unreadable, records, on_notice),
                                    workers=workers, on_error=on_reject or _ignore):
        out.write(json.dumps(extraction_to_json(ex), ensure_ascii=False))
        out.write("\n")
        n += 1
        if progress is not None:
            _tell(progress, 1, ex.paper)
    return n


def extract_sharded(paths: Sequence[Path], out_dir: Path, *, scheduler: str | None, fmt: str = "jsonl",
                    input_format: str | None = None, kb_files: Sequence[Path] = (),
                    partition_bytes: int | None = None, on_reject: Callable[[Reject], None] | None = None,
                    progress: Progress | None = None, model: Path | str | None = None) -> Any:
    """``kg extract --scheduler``: one shard per partition of ``paths`` under ``out_dir``, extracted
    on a Dask cluster (``tcp://HOST:8786`` or ``local[:N]``) with the extractor of ``kb_files`` and
    ``model`` (as :func:`extract_to_jsonl`); see :mod:`kg.distributed`."""
    from kg.distributed import extract_sharded as run
    from kg.distributed.partitions import DEFAULT_PARTITION_BYTES

    return run(paths, out_dir, scheduler=scheduler, fmt=fmt, input_format=input_format, kb_files=kb_files,
               model=model, partition_bytes=partition_bytes or DEFAULT_PARTITION_BYTES, on_reject=on_reject,
               progress=progress)


def assemble_shards(out_dir: Path, *, scheduler: str | None = None, buckets: int | None = None,
                    base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """``kg assemble``: the graph of a sharded extraction as neo4j-admin CSV and N-Triples shards."""
    from kg.distributed import assemble

    return assemble(out_dir, scheduler=scheduler, buckets=buckets, base_iri=base_iri)


def load_shards(out_dir: Path, store: Path, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """``kg load``: bulk-load an assembled graph's N-Triples shards into a new embedded store."""
    from kg.distributed import load_store

    return load_store(out_dir, store, base_iri)


def _tell(progress: Progress, k: int, last: Paper) -> None:
    """``progress(k)``; first ``progress.at(last)`` when it has that method (the CLI's display
    uses the last paper's file and line to show how much of the input has been read)."""
    at = getattr(progress, "at", None)
    if at is not None:
        at(last)
    progress(k)


def _unreadable_error(unreadable: list[str], paths: Sequence[Path], done: str) -> SourceError:
    """One error naming every unreadable file, saying what happened to the others (``done``)."""
    rest = (f" (the other files were {done}; fix it and run the same command again)"
            if len(unreadable) < len(paths) else "")
    return SourceError("; ".join(unreadable) + rest)


def export(store: Path, fmt: str, out: IO[bytes] | Path, base_iri: str = DEFAULT_BASE_IRI, *,
           provenance: bool = True) -> int:
    """Export the embedded store as ``fmt`` to a binary stream or a file (for ``neo4j-admin``, a
    folder). A file (or the folder's files) is written atomically: beside it first, renamed into
    place only once complete, so a failed run (no store, store busy, full disk, Ctrl-C) leaves what
    was there unchanged. ``provenance=False`` exports the lean graph: papers, entities and
    relations only, without the mention resources (RDF) or the mentions arrays and source files of
    edges (other formats)."""
    from kg.sinks import get_exporter

    exporter = get_exporter(fmt)
    with open_store(store, base_iri, read_only=True) as st:
        if fmt == "neo4j-admin":
            written = exporter(st.to_networkx(provenance=provenance), Path(out), provenance=provenance)
            return sum(written.values())
        if isinstance(out, (str, Path)):
            with atomic_write(out, "wb") as f:
                return int(exporter(st, f, provenance=provenance))
        return int(exporter(st, out, provenance=provenance))


def run_query(
    *,
    name: str | None = None,
    text: str | None = None,
    params: dict[str, str] | None = None,
    store: Path | None = None,
    neo4j: Neo4jTarget | None = None,
    base_iri: str = DEFAULT_BASE_IRI,
) -> tuple[list[str], list[list[object]]]:
    """Run a named query (``queries/NAME.rq`` or ``.cypher``) or a raw query text.

    With ``neo4j`` the Cypher twin runs on the server; otherwise SPARQL runs on the store.
    """
    from kg.sinks.named import bind_params, load_query

    bad = [k for k in (params or {}) if not _PARAM_NAME.fullmatch(k)]
    if bad:
        raise KGError(f"query parameter name {bad[0]!r} is not a variable name (letters, digits and _, "
                      "not starting with a digit): write --param NAME=VALUE, e.g. --param min_papers=2")
    lang = "cypher" if neo4j is not None else "sparql"
    bound: dict[str, object]
    if name is not None:
        q = load_query(name, lang)
        query_text, bound = q.text, bind_params(q, params or {})
    elif text is not None:
        query_text, bound = text, dict(params or {})
    else:
        raise KGError("give a query name or a query text")
    if neo4j is not None:
        with open_neo4j(neo4j) as sink:
            return sink.query(query_text, bound)
    if store is None:
        raise KGError("no store given")
    with open_store(store, base_iri, read_only=True) as st:
        return st.query(query_text, bound)


def doctor(store: Path, base_iri: str = DEFAULT_BASE_IRI) -> Any:
    """Check that every triple of ``store`` can be read (see :func:`kg.sinks.doctor.check_store`);
    returns a ``StoreCheck`` (``.ok``, ``.triples``, ``.problems``, ``.notes``)."""
    from kg.sinks.doctor import check_store

    if not Path(store).exists():
        raise KGError(f"no store at {store}: run `kg ingest FILE --store {store}` first")
    return check_store(Path(store), base_iri)


def stats(store: Path, top: int = 10, base_iri: str = DEFAULT_BASE_IRI) -> dict[str, Any]:
    """Counts by node and edge type, the most used datasets and most named methods, and identity:
    the number of ambiguous name nodes and the names with the most senses."""
    from kg.sinks.named import bind_params, load_query

    with open_store(store, base_iri, read_only=True) as st:
        result: dict[str, Any] = {"counts": st.counts()}
        for key, qname in (("top_datasets", "dataset-usage"), ("top_methods", "method-mentions")):
            q = load_query(qname, "sparql")
            cols, rows = st.query(q.text, bind_params(q, {"min_papers": "1"}))
            result[key] = [dict(zip(cols, r)) for r in rows[:top]]
        # identity: name nodes (mentions no sense could be given) and names with several senses
        _, rows = st.query("SELECT (COUNT(?n) AS ?c) WHERE { ?n kg:ambiguous true }")
        q = load_query("senses", "sparql")
        cols, senses = st.query(q.text, bind_params(q, {}))
        result["identity"] = {"ambiguous_names": int(rows[0][0]) if rows else 0,
                              "names_with_several_senses": len(senses),
                              "most_senses": [dict(zip(cols, r)) for r in senses[:top]]}
    return result


def evaluate_files(
    gold: Path,
    inputs: Sequence[Path],
    *,
    input_format: str | None = None,
    kb_files: Sequence[Path] = (),
    on_reject: Callable[[Reject], None] | None = None,
    records: str | None = None,
    model: Path | str | None = None,
    on_notice: Callable[[Notice], None] | None = None,
) -> Any:
    """Extract ``inputs`` (or read a ``kg extract`` JSONL output) and score against ``gold``.

    Unlike ingest and extract, an unreadable input stops the run (``SourceError``): a score
    computed without some of the inputs would count their papers as misses and mislead.
    """
    from kg.evaluate import evaluate

    extractor = _extractor(kb_files, model)
    return evaluate(gold, extractor.extract_all(iter_papers(inputs, input_format, on_reject, records=records,
                                                            on_notice=on_notice),
                                                on_error=on_reject or _ignore))


@dataclass(frozen=True)
class Neighbourhood:
    """The subgraph around the nodes a name or key matched (``focus``: their node ids)."""

    graph: Any
    focus: tuple[str, ...]
    left_out: int = 0  # papers naming a focus entity that were left out (beyond max_papers)


def neighbourhood(store: Path, query: str, *, max_papers: int = 50, base_iri: str = DEFAULT_BASE_IRI) -> Neighbourhood:
    """A paper's, method's, dataset's or repository's neighbourhood: ``query`` is a key
    (``arxiv:2401.00001``, a method key), a name or alias, or part of a paper title.

    Raises ``KGError`` when nothing matches. A name several senses share matches all of them.
    """
    from kg.sinks.subgraph import find_nodes, neighbourhood as around

    with open_store(store, base_iri, read_only=True) as st:
        iris = find_nodes(st.store, query)
        if not iris:
            raise KGError(f"nothing in {store} is named {query!r}: give a paper title (or part of it), "
                          "an arXiv key such as arxiv:2401.00001, or a method/dataset name")
        g, left = around(st.store, iris, max_papers=max_papers)
    focus = tuple(n for n, d in g.nodes(data=True) if _iri_of(d, base_iri) in set(iris))
    return Neighbourhood(g, focus, left)


def top_subgraph(store: Path, n: int = 30, *, base_iri: str = DEFAULT_BASE_IRI) -> Any:
    """The ``n`` entities named by most papers and the papers naming at least two of them."""
    from kg.sinks.subgraph import top_entities

    with open_store(store, base_iri, read_only=True) as st:
        return top_entities(st.store, n)


def write_view(graph: Any, out: Path, *, title: str, focus: str | None = None, note: str = "") -> int:
    """Write ``graph`` as a self-contained interactive HTML page to ``out`` (atomically); returns bytes."""
    from kg.sinks.html import graph_to_page

    data = graph_to_page(graph, title, focus, note).encode("utf-8")
    with atomic_write(Path(out), "wb") as f:
        f.write(data)
    return len(data)


def _iri_of(attrs: dict[str, Any], base_iri: str) -> str:
    from kg.sinks.rdf import IRI_KINDS, mint_iri

    return mint_iri(base_iri, IRI_KINDS[attrs["label"]], attrs["key"])


@dataclass
class TrainReport:
    """What one training run did: papers matched to gold, labelled candidates, the training set's hash."""

    gold_papers: int = 0
    matched: int = 0
    candidates: int = 0
    digest: str = ""
    unmatched: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"gold papers: {self.gold_papers}, found in the inputs: {self.matched}, "
                f"labelled candidates: {self.candidates}, training set sha256: {self.digest[:16]}")


def train(
    gold: Sequence[Path],
    inputs: Sequence[Path],
    out: Path,
    *,
    input_format: str | None = None,
    kb_files: Sequence[Path] = (),
    seed: int = 0,
    on_reject: Callable[[Reject], None] | None = None,
    records: str | None = None,
) -> TrainReport:
    """Fit the scorer on gold files (ANNOTATION.md format) and the inputs holding their papers; write ``out``.

    Deterministic: the same gold, inputs, knowledge base and seed give a byte-identical model file.
    Needs scikit-learn (``pip install 'kg[train]'``); using the model does not.
    """
    from kg.evaluate import load_gold
    from kg.extract.train import TrainOptions, examples, fit, gold_papers, model_bytes

    records_ = [g for path in gold for g in load_gold(Path(path))]
    extractor = _extractor(kb_files, "rules")
    matched = gold_papers(records_, iter_papers(inputs, input_format, on_reject, records=records))
    if not matched:
        raise KGError("none of the gold papers is in the inputs (papers are matched by title); "
                      "give the files the gold was annotated from with --inputs")
    ts = examples(extractor, matched)
    model = fit(ts.examples, TrainOptions(seed=seed), {"training_set_sha256": ts.digest, "papers": len(ts.papers),
                                                      "candidates": len(ts.examples)})
    with atomic_write(Path(out), "wb") as f:
        f.write(model_bytes(model))
    found = {id(g) for _, g in matched}
    return TrainReport(len(records_), len(matched), len(ts.examples), ts.digest,
                       [g["title"] for g in records_ if id(g) not in found])
