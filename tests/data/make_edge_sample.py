"""Draw the seeded, type-stratified sample of graph edges judged by hand in recent-edges-judged.jsonl."""
# The graph's paper -> entity edges are the extractor's (paper, entity, role) triples, one per
# entity per paper, so the sample is drawn from `kg extract` output of the recent arXiv feed:
#
#   kg extract ../shared/corpus/recent/daily-arxiv-2025-2026.jsonl --workers 2 -o /tmp/recent.jsonl
#   python tests/data/make_edge_sample.py /tmp/recent.jsonl --out tests/data/recent-edges-sample.jsonl \
#       --print /tmp/edges-to-judge.txt
#
# 50 edges of each type (PROPOSES, MENTIONS, INTRODUCES, USES; fewer where the graph has fewer),
# drawn with random.Random(SEED) from the edges sorted by (paper id, type, name). The printout
# gives each edge with its evidence sentences and the paper's whole abstract, for a judge who
# never sees the extractor's code; `--score JUDGED` prints precision per type and overall.
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

__all__ = ["SEED", "PER_TYPE", "edges", "draw", "score", "main"]

SEED = 20261204
PER_TYPE = 50
_TYPE = {("methods", "proposed"): "PROPOSES", ("methods", "mentioned"): "MENTIONS",
         ("datasets", "introduced"): "INTRODUCES", ("datasets", "used"): "USES"}


def edges(extract_jsonl: Path) -> list[dict]:
    """Every paper -> entity edge of a `kg extract` output file."""
    out = []
    with Path(extract_jsonl).open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for t in ("methods", "datasets"):
                for e in rec.get(t, []):
                    out.append({"paper": rec["id"], "title": rec["title"], "type": _TYPE[(t, e["role"])],
                                "kind": "Method" if t == "methods" else "Dataset", "name": e["name"],
                                "aliases": e.get("aliases", []),
                                "sentences": list(dict.fromkeys(m["sentence"] for m in e["mentions"]))[:3]})
    out.sort(key=lambda e: (e["paper"], e["type"], e["name"]))
    return out


def draw(all_edges: list[dict], seed: int = SEED, per_type: int = PER_TYPE) -> list[dict]:
    """``per_type`` edges of each type, numbered in draw order."""
    rng = random.Random(seed)
    by_type: dict[str, list[dict]] = defaultdict(list)
    for e in all_edges:
        by_type[e["type"]].append(e)
    picked = []
    for t in _TYPE.values():
        pool = by_type[t]
        picked += rng.sample(pool, min(per_type, len(pool)))
    for i, e in enumerate(picked, 1):
        e["edge"] = i
    return picked


def score(judged: Path, counts: Counter | None = None) -> str:
    """Share of edges judged right, per type, unweighted overall, and weighted by the graph's type counts."""
    rows = [json.loads(line) for line in Path(judged).read_text(encoding="utf-8").splitlines() if line.strip()]
    right: Counter = Counter()
    total: Counter = Counter()
    for r in rows:
        total[r["type"]] += 1
        right[r["type"]] += bool(r["right"])
    lines = [f"{t:<11} {right[t]:4d}/{total[t]:<4d} {right[t] / total[t]:.3f}" for t in _TYPE.values() if total[t]]
    lines.append(f"{'all':<11} {sum(right.values()):4d}/{sum(total.values()):<4d} {sum(right.values()) / sum(total.values()):.3f}")
    if counts:
        n = sum(counts[t] for t in total)
        w = sum(counts[t] / n * right[t] / total[t] for t in total)
        lines.append(f"weighted by the graph's edge counts: {w:.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("extraction", type=Path, help="kg extract output (JSONL) of the recent arXiv feed")
    ap.add_argument("--out", type=Path, help="write the sample (JSONL) here")
    ap.add_argument("--print", dest="printout", type=Path, help="write the judge's printout here")
    ap.add_argument("--abstracts", type=Path, help="the corpus file, for the printout's abstracts",
                    default=Path(__file__).resolve().parents[2].parent / "shared/corpus/recent/daily-arxiv-2025-2026.jsonl")
    ap.add_argument("--score", type=Path, metavar="JUDGED", help="score a judged sample")
    args = ap.parse_args(argv)
    all_edges = edges(args.extraction)
    counts = Counter(e["type"] for e in all_edges)
    if args.score:
        print(score(args.score, counts))
        return 0
    sample = draw(all_edges)
    print(f"{len(all_edges)} edges: {dict(counts)}; sampled {len(sample)}")
    if args.out:
        args.out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in sample), encoding="utf-8")
    if args.printout:
        abstracts = {}
        with args.abstracts.open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                abstracts[f"arxiv:{r['id']}"] = r["summary"]
        with args.printout.open("w", encoding="utf-8") as out:
            for e in sample:
                out.write(f"=== edge {e['edge']} | {e['type']} | {e['kind']} | name: {e['name']}"
                          f"{' (also: ' + ', '.join(e['aliases']) + ')' if e['aliases'] else ''}\n"
                          f"PAPER {e['paper']}: {e['title']}\nEVIDENCE:\n"
                          + "".join(f"  - {s}\n" for s in e["sentences"])
                          + f"ABSTRACT:\n{abstracts.get(e['paper'], '(not found)')}\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
