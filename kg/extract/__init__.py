"""Extraction: methods, datasets and code URLs from a paper's title and abstract."""

from __future__ import annotations

import itertools
import multiprocessing as mp
from collections import deque
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from kg.errors import ExtractionError
from kg.extract.assemble import assemble, code_urls
from kg.extract.clean import clean
from kg.extract.jsonio import extraction_from_json, extraction_to_json
from kg.extract.pipeline import build_nlp
from kg.model import Extraction, Paper

__all__ = ["Extractor", "extraction_to_json", "extraction_from_json"]

_FIELDS = ("title", "abstract")


class Extractor:
    """spaCy pipeline plus rules; ``extract`` one paper or stream ``extract_all``."""

    def __init__(self, kb_files: Sequence[Path] = (), *, use_builtin_kb: bool = True) -> None:
        self._kb_files = [str(p) for p in kb_files]
        self._use_builtin = use_builtin_kb
        try:
            self.nlp = build_nlp(self._kb_files, use_builtin_kb)
        except ExtractionError:
            raise
        except (ValueError, OSError) as e:
            raise ExtractionError(f"cannot build the extraction pipeline: {e}") from e
        self.kb = self.nlp.get_pipe("kg_kb").kb

    def extract(self, paper: Paper) -> Extraction:
        """Everything found in one paper."""
        return next(self._run([paper]))

    def _run(self, papers: list[Paper]) -> Iterator[Extraction]:
        texts, cleaned = [], []
        for p in papers:
            for f in _FIELDS:
                c = clean(getattr(p, f) or "")
                cleaned.append(c)
                texts.append(c.text)
        procs = [proc for _, proc in self.nlp.pipeline]
        docs: list = []
        known: tuple = ()
        for i, doc in enumerate(self.nlp.tokenizer.pipe(texts, batch_size=256)):
            doc.user_data["kg_title"] = i % 2 == 0
            doc.user_data["kg_text"] = texts[i]
            doc.user_data["kg_known"] = () if i % 2 == 0 else known
            doc.user_data["kg_title_text"] = "" if i % 2 == 0 else texts[i - 1]
            for proc in procs:
                doc = proc(doc)
            docs.append(doc.user_data["kg_names"])
            if i % 2 == 0:
                known = tuple((c.surface, c.kind) for c in docs[-1] if c.rule == "title")
        for j, p in enumerate(papers):
            fields = {f: (getattr(p, f) or "", cleaned[2 * j + k], docs[2 * j + k]) for k, f in enumerate(_FIELDS)}
            methods, datasets = assemble(fields, self.kb)
            yield Extraction(p, methods, datasets, code_urls(fields))

    def extract_all(self, papers: Iterable[Paper], *, batch_size: int = 256, workers: int = 1) -> Iterator[Extraction]:
        """Stream extractions in input order; ``workers > 1`` uses processes, memory stays flat."""
        it = iter(papers)
        batches = iter(lambda: list(itertools.islice(it, max(1, batch_size))), [])
        if workers <= 1:
            for batch in batches:
                yield from self._run(batch)
            return
        ctx = mp.get_context("spawn")
        with ctx.Pool(workers, initializer=_init_worker, initargs=(self._kb_files, self._use_builtin)) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.apply_async(_work, (batch,)))
                while len(pending) >= 2 * workers:
                    yield from pending.popleft().get()
            while pending:
                yield from pending.popleft().get()


_WORKER: Extractor | None = None


def _init_worker(kb_files: list[str], use_builtin: bool) -> None:
    global _WORKER
    _WORKER = Extractor([Path(p) for p in kb_files], use_builtin_kb=use_builtin)


def _work(batch: list[Paper]) -> list[Extraction]:
    assert _WORKER is not None
    return list(_WORKER._run(batch))
