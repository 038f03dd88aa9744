"""Score cross-paper identity (issue 11): pairwise precision/recall of "same node" on the hand-judged pairs, and proposer shares."""
# The graph is the one kg builds now (extractor + kg.graph identity), in memory:
#
#   python tests/data/score_pairs.py ../shared/corpus/recent/daily-arxiv-2025-2026.jsonl \
#       --sample tests/data/recent-pairs-sample.jsonl --gold /work/ann/pairs-gold.jsonl --workers 2
#   python tests/data/score_pairs.py CORPUS --proposers [--before OLD_EXTRACT.jsonl] [--top 50]
#   ... --gold tests/data/recent-pairs-gold.jsonl --relabel tests/data/recent-pairs-c1.jsonl  (also the
#       figures with the family-vs-version pairs judged by ANNOTATION.md clarification 1)
#
# A pair is predicted "same" when both mentions (paper, field, start, end of the sample) land on one
# node. A mention is found on the edge of its paper whose mentions cover its offsets, else on the
# paper's edge to an entity of the same normalised name; a mention the graph no longer holds counts
# as "not same"; a pair neither of whose mentions the graph holds is left out (and reported).
# Gold "same": true pairs are the positives.
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["build", "locate", "score", "proposer_share", "old_proposer_share", "main"]

_OWNING = {"PROPOSES": "proposed methods", "INTRODUCES": "introduced datasets"}


def build(corpus: Path, workers: int = 2):
    """The graph kg builds now from ``corpus`` (in memory, no store)."""
    from kg.api import iter_papers
    from kg.extract import Extractor
    from kg.graph import build_graph

    return build_graph(Extractor().extract_all(iter_papers([corpus]), workers=workers))


def locate(g, side: dict, kind: str, old_key: str) -> str | None:
    """The node a sample mention lands on in ``g``, or None when the graph no longer holds it."""
    from kg.graph import node_id
    from kg.keys import entity_key, name_key_of

    pid = node_id("Paper", side["paper"])
    if pid not in g:
        return None
    edges = [(v, d) for _, v, d in g.out_edges(pid, data=True) if g.nodes[v]["label"] == kind]
    for v, d in edges:
        if any(m.field == side["field"] and m.start < side["end"] and side["start"] < m.end for m in d["mentions"]):
            return v
    for v, d in edges:
        names = {g.nodes[v]["key"], name_key_of(g.nodes[v]["key"]), *(entity_key(n) for n in (d.get("name") or "",
                 *(d.get("aliases") or ())))}
        if old_key in names:
            return v
    return None


def _judged(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(g, sample: Path, gold: Path, relabel: Path | None = None) -> dict:
    """Pairwise precision and recall of "same node" against the judged pairs; ``relabel``: lines
    of the same form that replace the judgement of their pairs (RECENT-PAIRS.md, clarification 1)."""
    pairs = {p["pair"]: p for p in map(json.loads, sample.read_text(encoding="utf-8").splitlines())}
    over = {j["pair"]: j for j in _judged(relabel)} if relabel else {}
    judged = [over.get(j["pair"], j) for j in _judged(gold)]
    tp = fp = fn = tn = 0
    lost, errors = [], []
    both: Counter = Counter()
    for j in judged:
        p = pairs[j["pair"]]
        a, b = (locate(g, p[s], p["kind"], p["key"]) for s in ("a", "b"))
        if a is None and b is None:  # neither is an entity of the graph any more: no node to share
            lost.append(j["pair"])
            continue
        if a is None or b is None:
            errors.append(("one-absent", j["pair"], p["a"]["name"], f"{a} | {b}"))
        same = a is not None and a == b
        if a is not None and b is not None:  # both mentions are entities of the graph: identity alone
            both[(same, bool(j["same"]))] += 1
        if same and j["same"]:
            tp += 1
        elif same:
            fp += 1
            errors.append(("merged", j["pair"], p["a"]["name"], a))
        elif j["same"]:
            fn += 1
            errors.append(("split", j["pair"], p["a"]["name"], f"{a} | {b}"))
        else:
            tn += 1
    return {"pairs": tp + fp + fn + tn, "gold_same": tp + fn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "lost": lost, "errors": errors,
            "both": {"pairs": sum(both.values()), "precision": _ratio(both[(True, True)], both[(True, True)] + both[(True, False)]),
                     "recall": _ratio(both[(True, True)], both[(True, True)] + both[(False, True)]),
                     "tp": both[(True, True)], "fp": both[(True, False)], "fn": both[(False, True)]}}


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def proposer_share(g) -> dict[str, tuple[int, int, list[tuple[int, str, str]]]]:
    """Per owning edge type: (nodes with it, nodes with more than one such paper, most-owned list)."""
    out = {}
    for etype in _OWNING:
        owners: Counter = Counter()
        for _, v, t in g.edges(keys=True):
            if t == etype:
                owners[v] += 1
        ranked = sorted(owners, key=lambda v: (-owners[v], v))
        out[etype] = (len(owners), sum(1 for n in owners.values() if n > 1),
                      [(owners[v], g.nodes[v]["name"], g.nodes[v].get("sense", "")) for v in ranked])
    return out


def old_proposer_share(extract_jsonl: Path) -> dict[str, tuple[int, int, list[tuple[int, str, str]]]]:
    """The same figures for the graph before sense-aware identity (one node per kind and name key),
    from `kg extract` output of that version."""
    from kg.keys import entity_key

    owners: dict[str, Counter] = {t: Counter() for t in _OWNING}
    names: dict[tuple, str] = {}
    for line in extract_jsonl.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for kind, role, etype in (("methods", "proposed", "PROPOSES"), ("datasets", "introduced", "INTRODUCES")):
            for e in rec.get(kind, []):
                if e["role"] == role:
                    k = (kind, entity_key(e["name"]))
                    owners[etype][k] += 1
                    names[k] = min(names.get(k, e["name"]), e["name"])
    out = {}
    for etype, c in owners.items():
        ranked = sorted(c, key=lambda k: (-c[k], k))
        out[etype] = (len(c), sum(1 for n in c.values() if n > 1), [(c[k], names[k], "") for k in ranked])
    return out


def _print_shares(title: str, shares: dict, top: int) -> None:
    for etype, (n, multi, ranked) in shares.items():
        print(f"{title}: {_OWNING[etype]}: {multi} of {n} nodes have more than one paper = {multi / max(n, 1):.2%}")
        if top:
            print(f"  the {top} most-owned ({etype}): papers  name  [sense]")
            for count, name, sense in ranked[:top]:
                print(f"    {count:4d}  {name}" + (f"  [{sense}]" if sense else ""))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--sample", type=Path, default=Path(__file__).with_name("recent-pairs-sample.jsonl"))
    ap.add_argument("--gold", type=Path, help="judged pairs: {pair, same, note} lines")
    ap.add_argument("--relabel", type=Path, help="re-judged pairs replacing the gold's (recent-pairs-c1.jsonl)")
    ap.add_argument("--proposers", action="store_true", help="print the shares of multi-owner nodes")
    ap.add_argument("--before", type=Path, help="kg extract output of the version before, for its shares")
    ap.add_argument("--top", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--verbose", action="store_true", help="list every wrong pair")
    args = ap.parse_args(argv)
    if args.before:
        _print_shares("before", old_proposer_share(args.before), args.top)
    g = build(args.corpus, args.workers)
    if args.proposers:
        _print_shares("now", proposer_share(g), args.top)
    for relabel in ((None, args.relabel) if args.relabel else (None,)) if args.gold else ():
        if relabel is not None:
            print(f"with the judgements of {relabel.name} ({len(_judged(relabel))} pairs re-judged):")
        r = score(g, args.sample, args.gold, relabel)
        print(f"pairs {r['pairs']} (gold same {r['gold_same']}): precision {r['precision']:.3f} "
              f"({r['tp']}/{r['tp'] + r['fp']}), recall {r['recall']:.3f} ({r['tp']}/{r['tp'] + r['fn']}); "
              f"left out, neither mention an entity of the graph any more: {len(r['lost'])} pairs {r['lost']}")
        b = r["both"]
        print(f"pairs both of whose mentions the graph holds {b['pairs']}: precision {b['precision']:.3f} "
              f"({b['tp']}/{b['tp'] + b['fp']}), recall {b['recall']:.3f} ({b['tp']}/{b['tp'] + b['fn']})")
        if args.verbose:
            by: dict[str, list] = defaultdict(list)
            for kind, *rest in r["errors"]:
                by[kind].append(rest)
            for kind, rows in by.items():
                for pair, name, nodes in rows:
                    print(f"  {kind:6} pair {pair}: {name}: {nodes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
