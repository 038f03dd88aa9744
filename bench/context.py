"""Shared state of one benchmark run: corpus, cached papers and extractions, temp store, Neo4j."""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.corpus import corpus_files, read_papers

__all__ = ["Skip", "need", "Bench", "dir_bytes", "child_env", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent


class Skip(Exception):
    """A part cannot run here (a piece of kg has not landed, no server, ...); the message says why."""


def need(module: str, attr: str | None = None, what: str = "") -> Any:
    """``module`` (or ``module.attr``); raises Skip when it does not exist yet, not when it is broken."""
    label = what or module
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            raise Skip(f"{label} is missing: no module {e.name} yet") from e
        raise
    if attr is None:
        return mod
    if not hasattr(mod, attr):
        raise Skip(f"{label} is missing: {module} has no {attr} yet")
    return getattr(mod, attr)


def dir_bytes(path: Path) -> int:
    """Total size of the files under ``path``."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


class Bench:
    """What the parts share, computed once on first use (so parts can run alone or together)."""

    def __init__(self, args: Any) -> None:
        self.args = args
        self.files = corpus_files(args.corpus)
        self.tmp = Path(tempfile.mkdtemp(prefix="kg-bench-", dir=args.tmp))
        self.log = lambda msg: print(msg, file=sys.stderr, flush=True)
        self._papers: list | None = None
        self._texts: tuple[list[str], str] | None = None
        self._floor: float | None = None
        self._extractions: list | None = None
        self._store: Path | None = None
        self._neo4j: Any = None
        self._neo4j_server: Any = None
        self._neo4j_loaded = False
        self.rejects: list = []
        self.results: dict[str, Any] = {}

    # corpus ---------------------------------------------------------------------------------
    def papers(self) -> list:
        """The corpus papers, read once and held (reading is not part of the timed figures 1-2)."""
        if self._papers is None:
            t0 = time.perf_counter()
            self._papers = list(read_papers(self.files, self.rejects))
            self.log(f"read {len(self._papers):,} papers ({len(self.rejects)} rejected) from "
                     f"{len(self.files)} files in {time.perf_counter() - t0:.1f} s")
        return self._papers

    def batch_size(self) -> int:
        """The extractor's own default batch size (so the tokenizer floor batches the same way)."""
        if self.args.batch_size:
            return int(self.args.batch_size)
        try:
            from kg.extract import Extractor

            return int(inspect.signature(Extractor.extract_all).parameters["batch_size"].default)
        except (ImportError, KeyError, TypeError, ValueError):
            return 256

    def texts(self) -> tuple[list[str], str]:
        """Title and abstract of each paper as the extractor sees them (after its clean-up)."""
        if self._texts is None:
            raw = [t for p in self.papers() for t in (p.title or "", p.abstract or "")]
            try:
                from kg.extract.clean import clean

                self._texts = ([clean(t).text for t in raw], "title and abstract after kg's clean-up")
            except ImportError:
                self._texts = (raw, "raw title and abstract (kg.extract.clean not found)")
        return self._texts

    def floor_seconds(self) -> float:
        """Seconds for the blank English tokenizer alone over ``texts()``, batched as the extractor."""
        if self._floor is None:
            import spacy

            texts, _ = self.texts()
            nlp = spacy.blank("en")
            nlp.max_length = 5_000_000
            t0 = time.perf_counter()
            for _ in nlp.pipe(texts, batch_size=self.batch_size()):
                pass
            self._floor = time.perf_counter() - t0
        return self._floor

    # extraction -----------------------------------------------------------------------------
    def extractor(self) -> Any:
        Extractor = need("kg.extract", "Extractor", "the extractor")
        return Extractor()

    def extractions(self) -> list:
        """Every paper's extraction (computed once, single process)."""
        if self._extractions is None:
            ex = self.extractor()
            self._extractions = list(ex.extract_all(self.papers(), batch_size=self.batch_size()))
        return self._extractions

    def set_extractions(self, extractions: list) -> None:
        self._extractions = extractions

    # embedded store -------------------------------------------------------------------------
    def store(self) -> Path:
        """A store holding the corpus graph (built by part 3, or here when part 3 did not run)."""
        if self._store is None:
            from bench.parts import ingest_store

            ingest_store(self)
        assert self._store is not None
        return self._store

    def set_store(self, path: Path) -> None:
        self._store = path

    # Neo4j ----------------------------------------------------------------------------------
    def neo4j(self) -> Any:
        """A ``kg.api.Neo4jTarget``: the one given on the command line, or a server started here."""
        if self._neo4j is None:
            from bench.neo4j_part import connect

            self._neo4j, self._neo4j_server = connect(self)
        return self._neo4j

    @property
    def started_neo4j(self) -> bool:
        """True when the Neo4j in use was started here (so it holds nothing of the user's)."""
        return self._neo4j_server is not None

    def neo4j_loaded(self) -> Any:
        """The Neo4j target with the corpus graph in it (loads it when part 4 did not run)."""
        if not self._neo4j_loaded:
            from bench.neo4j_part import load_neo4j

            load_neo4j(self)
        return self.neo4j()

    def mark_neo4j_loaded(self) -> None:
        self._neo4j_loaded = True

    def close(self) -> None:
        """Stop a Neo4j started here and delete the temp folder."""
        if self._neo4j_server is not None:
            self.log("stopping the Neo4j started for the benchmark")
            self._neo4j_server.stop()
            self._neo4j_server = None
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            self.log(f"kept {self.tmp}")


def child_env() -> dict[str, str]:
    """Environment for child processes: the repo root first on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env
