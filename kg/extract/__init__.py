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
_CHUNK = 20_000


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) of ``text``, cut after a sentence end every ~20,000 characters."""
    off = 0
    while len(text) - off > _CHUNK:
        cut = text.rfind(". ", off, off + _CHUNK)
        cut = cut + 2 if cut > off else off + _CHUNK
        yield off, text[off:cut]
        off = cut
    yield off, text[off:]


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
        cleaned = [clean(getattr(p, f) or "") for p in papers for f in _FIELDS]
        # (field index, offset, text): long fields are cut at sentence ends so work stays linear
        pieces = [(i, off, t) for i, c in enumerate(cleaned) for off, t in _chunks(c.text)]
        procs = [proc for _, proc in self.nlp.pipeline]
        found: list[list] = [[] for _ in cleaned]
        known: tuple = ()
        title_text = ""
        for (i, off, text), doc in zip(pieces, self.nlp.tokenizer.pipe([t for _, _, t in pieces], batch_size=256)):
            is_title = i % 2 == 0
            doc.user_data.update(kg_title=is_title, kg_text=text, kg_known=() if is_title else known,
                                 kg_title_text="" if is_title else title_text)
            for proc in procs:
                doc = proc(doc)
            cands = doc.user_data["kg_names"]
            for c in cands:
                c.start += off
                c.end += off
            found[i].extend(cands)
            if is_title:
                title_text = text
                known = tuple((c.surface, c.kind) for c in cands if c.rule == "title")
        for j, p in enumerate(papers):
            fields = {f: (getattr(p, f) or "", cleaned[2 * j + k], found[2 * j + k]) for k, f in enumerate(_FIELDS)}
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
