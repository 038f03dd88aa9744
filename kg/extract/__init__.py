"""Extraction: methods, datasets and code URLs from a paper's title and abstract.

The stages, in the order the data moves: ``clean`` (LaTeX/HTML, offset map) -> ``pipeline`` (spaCy:
the KB matcher, then the name rules of ``rules``/``context`` with ``acronyms``, ``suggest`` and the shared
``patterns``: the suggesters) -> ``assemble.proposals`` (candidates grouped per name, with the rules' own
decision) -> ``features`` -> ``model`` (the learned scorer decides) -> ``assemble`` (entities); ``urls``
finds code URLs; ``train`` fits the scorer (scikit-learn, only for ``kg train``).
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import signal
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from kg.errors import ExtractionError
from kg.extract.assemble import Proposal, assemble, code_urls, proposals
from kg.extract.clean import clean
from kg.extract.jsonio import extraction_from_json, extraction_to_json
from kg.extract.known import Known
from kg.extract.model import load_scorer
from kg.extract.pipeline import build_nlp
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper, Reject

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
    """Suggesters (spaCy pipeline plus rules) and the learned scorer; ``extract`` one paper or stream ``extract_all``.

    ``model``: a model file written by ``kg train``; None: the shipped model; ``"rules"``: no model.
    """

    def __init__(self, kb_files: Sequence[Path] = (), *, use_builtin_kb: bool = True,
                 model: Path | str | None = None) -> None:
        self._kb_files = [str(p) for p in kb_files]
        self._use_builtin = use_builtin_kb
        self._model = None if model is None else str(model)
        self.scorer = load_scorer(model)
        try:
            self.nlp = build_nlp(self._kb_files, use_builtin_kb)
        except ExtractionError:
            raise
        except (ValueError, OSError) as e:
            raise ExtractionError(f"cannot build the extraction pipeline: {e}") from e
        self.kb = self.nlp.get_pipe("kg_kb").kb
        self.known = Known(self.kb)  # senses and sources of known entities (kg/extract/known.py)

    def extract(self, paper: Paper) -> Extraction:
        """Everything found in one paper; ExtractionError (naming it) when extracting it fails."""
        return next(self._run([paper], None))

    def _run(self, papers: list[Paper], on_error: OnError | None) -> Iterator[Extraction]:
        return self._done(papers, _isolated(self._found, [(p.title or "", p.abstract or "") for p in papers]), on_error)

    def proposals(self, papers: Iterable[Paper]) -> Iterator[tuple[Paper, list[Proposal], dict]]:
        """Each paper with every candidate entity the suggesters make (for training) and its fields."""
        for batch in iter(lambda it=iter(papers): list(itertools.islice(it, 256)), []):
            for p, fields in zip(batch, self._fields([(p.title or "", p.abstract or "") for p in batch])):
                yield p, proposals(fields, self.kb), fields

    def _found(self, texts: list[tuple[str, str]]) -> Iterator[tuple[tuple[Entity, ...], tuple[Entity, ...], tuple[CodeUrl, ...]]]:
        """(methods, datasets, code URLs) of each (title, abstract)."""
        for fields in self._fields(texts):
            methods, datasets = assemble(fields, self.kb, self.scorer)
            yield methods, datasets, code_urls(fields)

    def _fields(self, texts: list[tuple[str, str]]) -> Iterator[dict]:
        """Each (title, abstract) as {field: (original, cleaned, candidates)}."""
        cleaned = [clean(t) for pair in texts for t in pair]
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
                known = tuple((c.surface, c.kind) for c in cands if c.rule == "title" and c.live)
        for j, pair in enumerate(texts):
            yield {f: (pair[k], cleaned[2 * j + k], found[2 * j + k]) for k, f in enumerate(_FIELDS)}

    def extract_all(self, papers: Iterable[Paper], *, batch_size: int = 256, workers: int = 1,
                    on_error: OnError | None = None) -> Iterator[Extraction]:
        """Stream extractions in input order; ``workers > 1`` uses that many processes (this one
        included), memory stays flat.

        A paper whose extraction raises is left out and handed to ``on_error`` as a Reject
        (``file:line: extraction failed ...``); without ``on_error`` it raises ExtractionError.
        """
        it = iter(papers)
        batches = iter(lambda: list(itertools.islice(it, max(1, batch_size))), [])
        if workers <= 1:
            for batch in batches:
                yield from self._run(batch, on_error)
            return
        ctx = mp.get_context("spawn")
        helpers = workers - 1
        with ctx.Pool(helpers, initializer=_init_worker, initargs=(self._kb_files, self._use_builtin, self._model)) as pool:
            # This process is one of the workers: it extracts a batch itself whenever the worker
            # processes have _QUEUED batches each waiting (so it works while they start, ~3 s, and
            # one process fewer starts). Workers get only (title, abstract) and send back plain
            # tuples (pickling the Paper both ways and the dataclasses back cost more than tuples).
            pending: deque = deque()  # (batch, AsyncResult of a worker, or this process's results)
            sent = 0  # batches in ``pending`` that a worker process extracts
            for batch in batches:
                texts = [(p.title or "", p.abstract or "") for p in batch]
                if sent < _QUEUED * helpers:
                    pending.append((batch, pool.apply_async(_work, (texts,))))
                    sent += 1
                else:
                    pending.append((batch, _isolated(self._found, texts)))
                # what is done at the head goes out in order; at most _HELD batches are held
                while pending and (isinstance(pending[0][1], list) or pending[0][1].ready()
                                   or len(pending) > _HELD * workers):
                    sent -= not isinstance(pending[0][1], list)
                    yield from self._done(*pending.popleft(), on_error)
            while pending:
                yield from self._done(*pending.popleft(), on_error)

    def _done(self, batch: list[Paper], res: Any, on_error: OnError | None) -> Iterator[Extraction]:
        """The extractions of a batch from ``extract_all``'s queue: this process's, or a worker's."""
        if isinstance(res, list):
            for p, r in zip(batch, res):
                if isinstance(r, str):
                    _failed(p, r, on_error)
                else:
                    yield self.known.apply(Extraction(p, *r))
        else:
            yield from map(self.known.apply, _unpack(batch, res, on_error))


_QUEUED = 3  # batches waiting per worker process (each takes ~0.3 s: workers never run dry)
_HELD = 8  # at most this many batches per worker are held in extract_all's queue
_WORKER: Extractor | None = None
OnError = Callable[[Reject], None]
Found = tuple[tuple[Entity, ...], tuple[Entity, ...], tuple[CodeUrl, ...]]


def _isolated(found: Callable[[list[tuple[str, str]]], Iterator[Found]],
              texts: list[tuple[str, str]]) -> list[Found | str]:
    """``found(texts)`` as a list; when the batch raises, each paper alone, a failing one as a
    one-line reason (str) so one bad paper never takes the batch or the run with it."""
    try:
        return list(found(texts))
    except Exception:  # noqa: BLE001 - any bug or hostile input: isolate the paper, go on
        pass
    out: list[Found | str] = []
    for t in texts:
        try:
            out.append(next(found([t])))
        except Exception as e:  # noqa: BLE001
            out.append(" ".join(f"{type(e).__name__}: {e}".split())[:300])
    return out


def _failed(paper: Paper, why: str, on_error: OnError | None) -> None:
    reject = Reject(paper.source, paper.line, f"extraction failed ({why}); the other papers are kept",
                    " ".join(paper.title.split())[:60])
    if on_error is None:
        raise ExtractionError(str(reject))
    on_error(reject)


def _init_worker(kb_files: list[str], use_builtin: bool, model: str | None) -> None:
    global _WORKER
    # Ctrl-C is the parent's to handle: a worker that saw it would print its own traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Extractor([Path(p) for p in kb_files], use_builtin_kb=use_builtin, model=model)


def _mentions_out(ms: tuple[Mention, ...]) -> tuple:
    return tuple((m.field, m.start, m.end, m.sentence, m.rule) for m in ms)


def _mentions_in(ms: tuple) -> tuple[Mention, ...]:
    return tuple(Mention(*m) for m in ms)


def _work(texts: list[tuple[str, str]]) -> list[tuple | str]:
    """In a worker: each paper's findings as nested tuples (cheap to pickle), or why it failed."""
    assert _WORKER is not None
    ents = lambda es: tuple((e.kind, e.key, e.name, e.role, e.aliases, _mentions_out(e.mentions), e.kb_id, e.long_form) for e in es)  # noqa: E731
    return [res if isinstance(res, str) else
            (ents(res[0]), ents(res[1]), tuple((u.url, u.key, u.host, u.owner, u.repo, _mentions_out(u.mentions))
                                               for u in res[2]))
            for res in _isolated(_WORKER._found, texts)]


def _unpack(batch: list[Paper], result: Any, on_error: OnError | None) -> Iterator[Extraction]:
    ents = lambda es: tuple(Entity(*e[:5], _mentions_in(e[5]), *e[6:]) for e in es)  # noqa: E731
    for p, res in zip(batch, result.get()):
        if isinstance(res, str):
            _failed(p, res, on_error)
            continue
        m, d, us = res
        yield Extraction(p, ents(m), ents(d), tuple(CodeUrl(*u[:5], _mentions_in(u[5])) for u in us))
