"""Which papers a re-run must extract: a content hash per paper, checked against what the sinks hold."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from kg import __version__
from kg.model import Paper

__all__ = ["extractor_fingerprint", "paper_hash", "Lookup", "held_by_all", "ChangePlan"]

# keys -> {key: None when no sink has the paper, "" when they hold it without one agreed hash,
#          else the hash every sink holds}
Lookup = Callable[[list[str]], dict[str, str | None]]
_EXTRACT = Path(__file__).resolve().parent / "extract"
_PAPER_FIELDS = tuple(f.name for f in fields(Paper) if f.name != "line")  # the line is in no triple


def extractor_fingerprint(kb_files: Sequence[Path] = (), model: Path | str | None = None) -> str:
    """A hash of everything besides the paper that decides what extraction finds: the kg
    version, every file of ``kg/extract`` (code, shipped knowledge base, rules, shipped scorer),
    the contents of the extra knowledge-base files and the model: ``None`` (the shipped one),
    ``"rules"`` (none) or a model file, by content. A change to any of them re-extracts."""
    h = hashlib.sha256(f"kg {__version__}\n".encode())
    shipped = sorted(p for p in _EXTRACT.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for p in shipped:
        h.update(f"{p.relative_to(_EXTRACT).as_posix()}\n".encode())
        h.update(p.read_bytes())
    for p in kb_files:
        h.update(b"\nkb\n")
        h.update(Path(p).read_bytes() if Path(p).is_file() else f"missing {p}".encode())
    if model is None or str(model) == "rules":
        h.update(f"\nmodel {model or 'shipped'}\n".encode())
    elif Path(model).is_file():
        h.update(b"\nmodel file\n")
        h.update(Path(model).read_bytes())
    else:  # not a file: the extractor says so when it loads (every paper then needs it)
        h.update(f"\nmodel missing {model}\n".encode())
    return h.hexdigest()


def held_by_all(sinks: Sequence[Callable[[list[str]], dict[str, str]]]) -> Lookup:
    """A :data:`Lookup` over every target sink's ``content_hashes``: a paper counts as stored
    with a hash only when every sink holds it with that same hash."""
    def lookup(keys: list[str]) -> dict[str, str | None]:
        held = [hashes(keys) for hashes in sinks]
        out: dict[str, str | None] = {}
        for k in keys:
            values = [h.get(k) for h in held]
            if all(v is None for v in values):
                out[k] = None
            else:
                out[k] = values[0] if values[0] and all(v == values[0] for v in values) else ""
        return out

    return lookup


def paper_hash(paper: Paper, fingerprint: str) -> str:
    """32 hex digits over the paper's fields (its source file included: provenance names it)
    and the extractor's fingerprint: equal hashes mean the paper's triples would be equal.
    Each field is length-prefixed (str, None, or a tuple of str), so no two papers share a text."""
    parts = [fingerprint]
    for name in _PAPER_FIELDS:
        v = getattr(paper, name)
        if v is None:
            parts.append(f"{name}=N")
        elif isinstance(v, str):
            parts.append(f"{name}={len(v)}:{v}")
        else:
            parts.append(f"{name}=T{len(v)}:" + "".join(f"{len(str(x))}:{x}" for x in v))
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(slots=True)
class _Key:
    """A key seen more than once, or stored with several occurrences: the full state."""

    chain: list[str]  # hashes of its occurrences in this input so far
    stored: list[str] | None  # the occurrences the sinks hold, or None
    existed: bool  # some sink held the paper before this run
    processed: bool = False  # an occurrence went to extraction
    pending: Paper | None = None  # an occurrence skipped on the assumption that a later one follows


@dataclass
class ChangePlan:
    """Decides, paper by paper in input order, which papers to extract; the rest are skipped.

    What a sink stores for a paper (its "content hash") is the hashes of the paper's occurrences
    in the input that wrote it, joined by spaces: one hash, or several when the input held the
    paper more than once (the sinks keep the record kg.graph.record_rank ranks highest, and a
    kept record takes the hash of the input that left its rival out). An occurrence is skipped
    while the input repeats that sequence; a paper is extracted (and its whole sequence written
    with it) once it departs from it: writing the same input again would change nothing, so a
    re-run of an unchanged input extracts nothing, duplicates included. Hashes are looked up
    ``window`` new keys at a time.
    """

    fingerprint: str
    lookup: Lookup
    window: int = 1000
    occurrences: int = 0
    new: int = 0
    updated: int = 0
    existed: int = 0
    _seen: dict[str, str | _Key] = field(default_factory=dict)  # compact: flag + hash (s/n/u)
    _provisional: dict[str, _Key] = field(default_factory=dict)
    _chains: dict[tuple[str, str, int], str] = field(default_factory=dict)

    @property
    def papers(self) -> int:
        """Distinct papers read so far."""
        return len(self._seen)

    @property
    def duplicates(self) -> int:
        """Records read that repeat a paper already read in this input (merged into it)."""
        return self.occurrences - len(self._seen)

    @property
    def unchanged(self) -> int:
        """Papers every sink already held with the same content: never extracted."""
        return self.existed - self.updated

    def select(self, papers: Iterable[Paper]) -> Iterator[Paper]:
        """The papers to extract, in input order; the hash to store for each: :meth:`chain_of`."""
        buf: list[Paper] = []
        for p in papers:
            buf.append(p)
            if len(buf) >= self.window:
                yield from self._decide(buf)
                buf = []
        yield from self._decide(buf)
        for k, st in list(self._provisional.items()):  # the input stopped short of what was stored
            del self._provisional[k]
            if st.pending is not None:
                yield self._process(k, st, st.pending)

    def chain_of(self, paper: Paper) -> str | None:
        """The content hash to store with ``paper`` (one that :meth:`select` gave), once."""
        return self._chains.pop((paper.key, paper.source, paper.line), None)

    def _decide(self, buf: list[Paper]) -> Iterator[Paper]:
        fresh = list(dict.fromkeys(p.key for p in buf if p.key not in self._seen))
        stored = self.lookup(fresh) if fresh else {}
        for p in buf:
            self.occurrences += 1
            h = paper_hash(p, self.fingerprint)
            st = self._state(p.key, stored)
            st.chain.append(h)
            j = len(st.chain)
            if not st.processed and st.stored is not None and j <= len(st.stored) and st.stored[j - 1] == h:
                if j < len(st.stored):
                    st.pending = p
                    self._provisional[p.key] = st
                else:
                    st.pending = None
                    self._provisional.pop(p.key, None)
                self._keep(p.key, st)
                continue
            self._provisional.pop(p.key, None)
            yield self._process(p.key, st, p)

    def _process(self, key: str, st: _Key, p: Paper) -> Paper:
        st.pending = None
        if not st.processed:
            st.processed = True
            if st.existed:
                self.updated += 1
            else:
                self.new += 1
        self._chains[(p.key, p.source, p.line)] = " ".join(st.chain)
        self._keep(key, st)
        return p

    def _state(self, key: str, stored: dict[str, str | None]) -> _Key:
        got = self._seen.get(key)
        if isinstance(got, _Key):
            return got
        if got is not None:  # compact: one occurrence so far, stored with at most one
            flag, h = got[0], got[1:]
            return _Key([h], [h] if flag == "s" else None, flag != "n", processed=flag != "s")
        value = stored.get(key)
        if value is not None:
            self.existed += 1
        return _Key([], value.split() if value else None, value is not None)

    def _keep(self, key: str, st: _Key) -> None:
        if len(st.chain) == 1 and st.pending is None and (st.stored is None or len(st.stored) <= 1):
            flag = "s" if not st.processed else ("u" if st.existed else "n")
            self._seen[key] = flag + st.chain[0]
        else:
            self._seen[key] = st
