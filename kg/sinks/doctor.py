"""``kg doctor``: read every triple of a store through two of its indexes, to find damage early."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import DefaultGraph

from kg.errors import SinkError
from kg.sinks.store_open import ORPHANS, is_damage

__all__ = ["StoreCheck", "check_store"]


@dataclass
class StoreCheck:
    """What ``kg doctor`` found: ``ok`` unless ``problems`` says otherwise; ``notes`` are harmless."""

    path: Path
    triples: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(path: Path, base_iri: str) -> StoreCheck:
    """Open ``path`` read-only and read all of it: every triple by subject (RocksDB verifies each
    block's checksum as it reads it), then again predicate by predicate through another index;
    the counts must agree. Damage is reported in ``problems``, never raised."""
    from kg.sinks.store import OxigraphStore

    report = StoreCheck(Path(path))
    orphans = sorted(p.name for p in Path(path).glob(ORPHANS))
    if orphans:
        report.notes.append(f"{len(orphans)} leftover bulk-load file(s) ({orphans[0]}...) from a "
                            "load that was killed; the next kg ingest into this store removes them")
    dg = DefaultGraph()
    try:
        with OxigraphStore(Path(path), base_iri, read_only=True) as st:
            store = st.store
            by_predicate: Counter = Counter()
            for q in store.quads_for_pattern(None, None, None, dg):
                by_predicate[q.predicate] += 1
            report.triples = sum(by_predicate.values())
            for p, n in by_predicate.items():
                again = sum(1 for _ in store.quads_for_pattern(None, p, None, dg))
                if again != n:
                    report.problems.append(f"the indexes disagree: {n} triples with predicate <{p.value}> "
                                           f"by subject, {again} by predicate")
            named = next(iter(store.named_graphs()), None)
            if named is not None:
                report.notes.append("the store has named graphs (written by an older kg); the next "
                                    "kg ingest moves them to the default graph")
    except SinkError as e:
        report.problems.append(str(e))
    except (RuntimeError, OSError) as e:
        if not is_damage(e):
            raise
        report.problems.append(" ".join(str(e).split()))
    return report
