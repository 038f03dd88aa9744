"""Sharded extraction: one task per partition writes one shard of the ``kg extract`` contract."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg.distributed.partitions import DEFAULT_PARTITION_BYTES, Partition, plan_partitions, read_partition
from kg.distributed.shards import (FORMATS, complete_marker, marker_path, read_records, shard_name,
                                   write_json, write_records)
from kg.errors import KGError, SourceError
from kg.model import Paper, Reject

__all__ = ["ShardedReport", "extract_sharded", "extract_partition", "shard_files", "read_shard", "MANIFEST"]

MANIFEST = "manifest.json"
_SHARDS = "extract"


@dataclass
class ShardedReport:
    """What a sharded extraction did: partitions run and skipped (complete from an earlier run)."""

    out_dir: Path
    partitions: int = 0
    skipped: int = 0
    papers: int = 0
    rejected: list[Reject] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"papers: {self.papers:,}, rejected: {len(self.rejected)}, shards: {self.partitions} "
                f"({self.skipped} already complete), seconds: {self.seconds:.1f}, in {self.out_dir}")


def _paper_row(p: Paper) -> dict[str, Any]:
    return dataclasses.asdict(p)


def extract_partition(part: Partition, out_dir: str, fmt: str, kb_files: tuple[str, ...],
                      model: str | None = None, fingerprint: str = "") -> dict[str, Any]:
    """On a worker: read ``part``, extract it with this process's extractor for ``kb_files`` and
    ``model``, write its shard, its papers file (the fields the graph needs beyond the contract)
    and last its marker, which records ``fingerprint`` (kg.changes.extractor_fingerprint): a
    re-run with another model, knowledge base or kg version redoes the shard."""
    from kg.distributed.cluster import worker_extractor
    from kg.extract import extraction_to_json

    t0 = time.perf_counter()
    folder = Path(out_dir) / _SHARDS
    shard = folder / shard_name(part.index, fmt)
    spec = _spec(part, fmt, fingerprint)
    done = complete_marker(shard, spec)
    if done is not None:
        return {**done, "skipped": True}
    try:
        recs, lines, absolute = read_partition(part)
    except SourceError as e:
        return {"partition": spec, "error": " ".join(str(e).split())}
    papers = [r for r in recs if isinstance(r, Paper)]
    rejects = [dataclasses.asdict(r) for r in recs if isinstance(r, Reject)]
    exs = list(worker_extractor(kb_files, model).extract_all(papers))
    size = write_records(shard, (extraction_to_json(ex) for ex in exs), fmt)
    write_records(folder / f"part-{part.index:05d}.papers.jsonl", (_paper_row(p) for p in papers))
    marker = {"partition": spec, "shard": shard.name, "bytes": size, "papers": len(papers),
              "lines": lines, "absolute_lines": absolute, "rejects": rejects, "kg_version": __version__,
              "seconds": round(time.perf_counter() - t0, 3)}
    write_json(marker_path(shard), marker)
    return marker


def _spec(part: Partition, fmt: str, fingerprint: str) -> dict[str, Any]:
    """What a shard is made from: its partition, its format and the extractor (by fingerprint)."""
    return {**part.spec(), "format": fmt, "extractor": fingerprint[:16]}


def _model_arg(model: Path | str | None) -> str | None:
    """``model`` as every worker can open it (an absolute path; the folder must be shared), checked
    here first so a bad file fails before a cluster starts; None and ``"rules"`` stay as they are."""
    from kg.extract.model import RULES_ONLY, load_scorer

    if model is None or str(model) == RULES_ONLY:
        return None if model is None else RULES_ONLY
    path = str(Path(model).resolve())
    load_scorer(path)  # raises ExtractionError naming the file when it is missing or not a model
    return path


def shard_files(out_dir: Path) -> list[tuple[Path, Path]]:
    """(shard, papers file) of every partition in the manifest of ``out_dir``, in input order."""
    from kg.distributed.shards import read_json

    manifest = read_json(Path(out_dir) / MANIFEST)
    if not isinstance(manifest, dict) or "partitions" not in manifest:
        raise KGError(f"{out_dir} holds no {MANIFEST}: run `kg extract INPUT... --scheduler ... -o {out_dir}` first")
    folder = Path(out_dir) / _SHARDS
    return [(folder / p["shard"], folder / f"part-{p['index']:05d}.papers.jsonl") for p in manifest["partitions"]]


def extract_sharded(
    paths: Sequence[Path],
    out_dir: Path,
    *,
    scheduler: str | None,
    fmt: str = "jsonl",
    input_format: str | None = None,
    kb_files: Sequence[Path] = (),
    model: Path | str | None = None,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Callable[[int], None] | None = None,
    client: Any = None,
) -> ShardedReport:
    """Extract ``paths`` into shards under ``out_dir`` on the Dask cluster ``scheduler``
    (``tcp://HOST:8786`` or ``local[:N]``; None runs the tasks in this process), with the
    extractor of ``kb_files`` and ``model`` (a `kg train` file on a folder the workers see,
    ``"rules"``, or None for the shipped model), as ``kg extract`` with the same options.

    Shards already complete for the same partition (a re-run after a failure) are skipped. Rejects
    go to ``on_reject`` as ``file:line: reason``, in input order, once every shard is done. A file
    that cannot be read does not stop the others; a SourceError names it at the end.
    """
    from kg.distributed.cluster import connect, run_tasks

    if fmt not in FORMATS:
        raise KGError(f"unknown shard format {fmt!r}; choose one of {', '.join(FORMATS)}")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    report = ShardedReport(out_dir)
    parts, report.unreadable = plan_partitions(paths, input_format, partition_bytes)
    folder = out_dir / _SHARDS
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise KGError(f"cannot create {folder}: {e.strerror or e}; choose a writable -o folder") from e
    from kg.changes import extractor_fingerprint

    kb = tuple(str(Path(p).resolve()) for p in kb_files)
    model_arg = _model_arg(model)
    fingerprint = extractor_fingerprint(kb, model_arg)
    results: dict[int, dict[str, Any]] = {}
    for part in parts:
        done = complete_marker(folder / shard_name(part.index, fmt), _spec(part, fmt, fingerprint))
        if done is not None:
            results[part.index] = {**done, "skipped": True}
    todo = [p for p in parts if p.index not in results]

    def _done(r: dict[str, Any]) -> None:
        if progress is not None:
            progress(int(r.get("papers", 0)))

    if todo:
        if client is not None or scheduler is None:
            out = run_tasks(client, extract_partition, todo, str(out_dir.resolve()), fmt, kb, model_arg,
                            fingerprint, on_done=_done)
        else:
            with connect(scheduler, kb, model_arg) as c:
                out = run_tasks(c, extract_partition, todo, str(out_dir.resolve()), fmt, kb, model_arg,
                                fingerprint, on_done=_done)
        results.update({p.index: r for p, r in zip(todo, out)})
    _finish(report, parts, results, fmt, on_reject)
    _remove_stale(folder, {shard_name(p.index, fmt) for p in parts}, len(parts))
    report.seconds = time.perf_counter() - t0
    write_json(out_dir / MANIFEST, {**_manifest(report, parts, results, fmt, paths), "model": model_arg,
                                    "extractor": fingerprint[:16]})
    if report.unreadable:
        rest = (f" (the other files were extracted: {report.papers:,} papers in {out_dir}; fix it and run "
                "the same command again)" if len(report.unreadable) < len(paths) else "")
        raise SourceError("; ".join(report.unreadable) + rest)
    return report


def _finish(report: ShardedReport, parts: list[Partition], results: dict[int, dict[str, Any]],
            fmt: str, on_reject: Callable[[Reject], None] | None) -> None:
    """Counts, rejects with their file's line numbers (ranges are numbered from their first line)."""
    offset: dict[str, int] = {}
    bad_files: set[str] = set()
    for part in parts:
        r = results[part.index]
        if "error" in r:
            if part.name not in bad_files:
                report.unreadable.append(r["error"])
                bad_files.add(part.name)
            continue
        report.partitions += 1
        report.skipped += bool(r.get("skipped"))
        report.papers += int(r["papers"])
        base = 0 if r["absolute_lines"] else offset.get(part.name, 0)
        for d in r["rejects"]:
            rej = Reject(d["source"], int(d["line"]) + base, d["reason"], d.get("record", ""))
            report.rejected.append(rej)
            if on_reject is not None:
                on_reject(rej)
        r["first_line"] = offset.get(part.name, 0) + 1
        offset[part.name] = offset.get(part.name, 0) + int(r["lines"])


def _remove_stale(folder: Path, keep: set[str], n: int) -> None:
    """Drop shards of an earlier run that this run does not have (more partitions, another format)."""
    for f in folder.glob("part-*"):
        stem = f.name.split(".")[0]
        index = int(stem[5:]) if stem[5:].isdigit() else -1
        if f.name.startswith("."):
            continue
        if index >= n or (f.suffix in (".jsonl", ".parquet") and not f.name.endswith(".papers.jsonl")
                          and f.name not in keep):
            f.unlink(missing_ok=True)


def _manifest(report: ShardedReport, parts: list[Partition], results: dict[int, dict[str, Any]],
              fmt: str, paths: Sequence[Path]) -> dict[str, Any]:
    ok = [p for p in parts if "error" not in results[p.index]]
    return {
        "kg_version": __version__,
        "format": fmt,
        "inputs": [str(Path(p)) for p in paths],
        "papers": report.papers,
        "rejected": len(report.rejected),
        "rejects": [str(r) for r in report.rejected],
        "unreadable": report.unreadable,
        "seconds": round(report.seconds, 3),
        "partitions": [{"index": p.index, "shard": results[p.index]["shard"], "input": p.name,
                        "start": p.start, "end": p.end, "first_line": results[p.index]["first_line"],
                        "lines": results[p.index]["lines"], "papers": results[p.index]["papers"],
                        "rejects": len(results[p.index]["rejects"])} for p in ok],
    }


def read_shard(shard: Path) -> list[dict]:
    """The contract dicts of one shard (JSONL or Parquet)."""
    return list(read_records(shard))
