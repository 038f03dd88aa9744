"""Which papers a re-run must extract: a content hash per paper, checked against what the sinks hold."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from kg import __version__
from kg.model import Paper

__all__ = ["extractor_fingerprint", "paper_hash", "Lookup", "held_by_all", "ChangePlan"]

# keys -> {key: None when no sink has the paper, else the content hashes every sink holds for
#          it, space-separated ("" when they share none)}
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
    """A :data:`Lookup` over every target sink's ``content_hashes``: a hash counts as held only
    when every sink holds it for that paper."""
    def lookup(keys: list[str]) -> dict[str, str | None]:
        held = [hashes(keys) for hashes in sinks]
        out: dict[str, str | None] = {}
        for k in keys:
            values = [h.get(k) for h in held]
            if all(v is None for v in values):
                out[k] = None
            else:
                common = set.intersection(*(set((v or "").split()) for v in values))
                out[k] = " ".join(sorted(common))
        return out

    return lookup


def paper_hash(paper: Paper, fingerprint: str) -> str:
    """32 hex digits: the fingerprint's first 8, then 24 over the paper's fields (its source file
    included: provenance names it) and the whole fingerprint. Equal hashes mean the paper's
    triples would be equal; the prefix tells which extractor a stored hash belongs to. Each
    field is length-prefixed (str, None, or a tuple of str), so no two papers share a text."""
    parts = [fingerprint]
    for name in _PAPER_FIELDS:
        v = getattr(paper, name)
        if v is None:
            parts.append(f"{name}=N")
        elif isinstance(v, str):
            parts.append(f"{name}={len(v)}:{v}")
        else:
            parts.append(f"{name}=T{len(v)}:" + "".join(f"{len(str(x))}:{x}" for x in v))
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return fingerprint[:8] + digest[:24]


@dataclass
class ChangePlan:
    """Decides, paper by paper in input order, which papers to extract; the rest are skipped.

    What a sink stores for a paper (its "content hash") is the sorted set of the hashes of every
    record of it that the stored record dominates: the sinks keep the record kg.graph.record_rank
    ranks highest, so a record whose hash is in that set would be left out (or found unchanged)
    if written again, and is skipped. A record not in the set is extracted, and the set written
    with it (with kept records too) grows by its hash; hashes of another extractor (their first
    8 digits) are dropped. The set does not depend on the order records came in, so neither do
    the triples. A re-run of an unchanged input extracts nothing, duplicates included. Hashes are
    looked up ``window`` new keys at a time.
    """

    fingerprint: str
    lookup: Lookup
    window: int = 1000
    occurrences: int = 0
    new: int = 0
    updated: int = 0
    existed: int = 0
    # key -> state: flag ("s" held and skipped so far, "n" new, "u" updated) + the hash set
    _seen: dict[str, str] = field(default_factory=dict)
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

    def chain_of(self, paper: Paper) -> str | None:
        """The content hash to store with ``paper`` (one that :meth:`select` gave), once."""
        return self._chains.pop((paper.key, paper.source, paper.line), None)

    def _decide(self, buf: list[Paper]) -> Iterator[Paper]:
        fresh = list(dict.fromkeys(p.key for p in buf if p.key not in self._seen))
        stored = self.lookup(fresh) if fresh else {}
        prefix = self.fingerprint[:8]
        for p in buf:
            self.occurrences += 1
            h = paper_hash(p, self.fingerprint)
            state = self._seen.get(p.key)
            if state is None:
                value = stored.get(p.key)
                if value is not None:
                    self.existed += 1
                held = {x for x in (value or "").split() if x.startswith(prefix)}
                flag = "s" if value is not None else "n"
            else:
                flag, held = state[0], set(state[1:].split())
            if h not in held:
                held.add(h)
                if flag == "s":
                    flag = "u"
                    self.updated += 1
                elif state is None:  # a new paper, first record
                    self.new += 1
                self._chains[(p.key, p.source, p.line)] = " ".join(sorted(held))
                self._seen[p.key] = flag + " ".join(sorted(held))
                yield p
            elif state is None:
                self._seen[p.key] = flag + " ".join(sorted(held))
