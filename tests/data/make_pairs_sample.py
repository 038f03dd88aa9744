"""Draw the seeded sample of cross-paper mention pairs (same surface name, two papers) judged by hand for issue 11."""
# Today's graph (before sense-aware identity) joins every mention of one normalised name into one
# node. The sample takes pairs of mentions of such a shared name in two different papers, from
# `kg extract` output of the recent arXiv feed made with the extractor of main at the time:
#
#   kg extract ../shared/corpus/recent/daily-arxiv-2025-2026.jsonl --workers 2 -o /tmp/recent.jsonl
#   python tests/data/make_pairs_sample.py ../shared/corpus/recent/daily-arxiv-2025-2026.jsonl \
#       --extraction /tmp/recent.jsonl --out tests/data/recent-pairs-sample.jsonl --print /work/ann/pairs.txt
#
# Names are graph nodes of that graph: (kind, kg.keys.entity_key(name)) named by >= 2 papers.
# Three strata, one pair a name: the TOP most-shared names; RANDOM names drawn among the other
# shared names; and OWNED names drawn among the rest that two or more papers propose (methods) or
# introduce (datasets), the homonyms issue 11 is about, with both papers drawn among those proposing
# papers. Elsewhere the two papers are drawn at random among the papers naming it. Everything is drawn with random.Random(SEED) from lists sorted by key, so the
# same inputs give the same sample. The printout shows, for each pair, the name, both papers (id,
# date, title), the sentences naming it, and both whole abstracts, for annotators who never see the
# extractor; they write {"pair": N, "same": true|false, "note": "..."} lines (pairs-gold.jsonl).
from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["SEED", "TOP", "RANDOM", "OWNED", "shared_names", "draw", "main"]

SEED = 20261204
TOP = 160
RANDOM = 160
OWNED = 60
_KIND = {"methods": "Method", "datasets": "Dataset"}


def _key(name: str) -> str:
    from kg.keys import entity_key

    return entity_key(name)


def shared_names(extract_jsonl: Path) -> dict[tuple[str, str], dict[str, dict]]:
    """``{(kind, name key): {paper id: mention record}}`` for names two or more papers give."""
    names: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
    with Path(extract_jsonl).open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for t, kind in _KIND.items():
                for e in rec.get(t, []):
                    m = e["mentions"][0]
                    names[(kind, _key(e["name"]))][rec["id"]] = {
                        "paper": rec["id"], "title": rec["title"], "name": e["name"], "role": e["role"],
                        "field": m["field"], "start": m["start"], "end": m["end"],
                        "sentences": list(dict.fromkeys(x["sentence"] for x in e["mentions"]))[:3]}
    return {k: v for k, v in names.items() if len(v) >= 2}


def _owners(papers: dict[str, dict]) -> list[str]:
    return sorted(k for k, m in papers.items() if m["role"] in ("proposed", "introduced"))


def draw(names: dict[tuple[str, str], dict[str, dict]], seed: int = SEED, top: int = TOP,
         n_random: int = RANDOM, n_owned: int = OWNED) -> list[dict]:
    """``top`` pairs from the most-shared names, ``n_random`` from random other shared names and
    ``n_owned`` from other names two papers propose or introduce, numbered in that order."""
    rng = random.Random(seed)
    ranked = sorted(names, key=lambda k: (-len(names[k]), k))
    picks = [(k, "top") for k in ranked[:top]]
    rest = sorted(ranked[top:])
    picks += [(k, "random") for k in rng.sample(rest, min(n_random, len(rest)))]
    taken = {k for k, _ in picks}
    owned = [k for k in rest if k not in taken and len(_owners(names[k])) >= 2]
    picks += [(k, "owned") for k in rng.sample(owned, min(n_owned, len(owned)))]
    out = []
    for i, ((kind, key), stratum) in enumerate(picks, 1):
        pool = _owners(names[(kind, key)]) if stratum == "owned" else sorted(names[(kind, key)])
        a, b = sorted(rng.sample(pool, 2))
        out.append({"pair": i, "stratum": stratum, "kind": kind, "key": key, "papers_sharing": len(names[(kind, key)]),
                    "a": names[(kind, key)][a], "b": names[(kind, key)][b]})
    return out


def _papers(corpus: Path) -> dict[str, object]:
    from kg.sources import read
    from kg.model import Paper

    return {p.key: p for p in read(corpus) if isinstance(p, Paper)}


def _print(pairs: list[dict], papers: dict[str, object], out) -> None:
    out.write("Mention pairs for issue 11: is the name the SAME entity in both papers?\n"
              "For each pair write one JSON line to pairs-gold.jsonl: "
              '{"pair": N, "same": true|false, "note": "..."}\n'
              "same = both abstracts mean the same method/dataset (same technique, model or data), "
              "not merely the same string.\n\n")
    for p in pairs:
        out.write(f"=== pair {p['pair']}: {p['kind']} {p['a']['name']!r} / {p['b']['name']!r}\n")
        for side in ("a", "b"):
            m = p[side]
            paper = papers.get(m["paper"])
            date = getattr(paper, "date", "") or ""
            out.write(f"--- {side.upper()}: {m['paper']} ({date}) {m['title']}\n")
            for s in m["sentences"]:
                out.write(f"  > {s}\n")
            abstract = " ".join((getattr(paper, "abstract", "") or "").split())
            out.write(f"  abstract: {abstract}\n")
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", type=Path, help="the recent arXiv feed (daily-arxiv-2025-2026.jsonl)")
    ap.add_argument("--extraction", type=Path, required=True, help="kg extract output of that file")
    ap.add_argument("--out", type=Path, required=True, help="the sample as JSONL (one pair a line)")
    ap.add_argument("--print", dest="printout", type=Path, help="the annotators' printout")
    args = ap.parse_args(argv)
    pairs = draw(shared_names(args.extraction))
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs), encoding="utf-8")
    tmp.replace(args.out)
    if args.printout:
        papers = _papers(args.corpus)
        tmp = args.printout.with_name(args.printout.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            _print(pairs, papers, fh)
        tmp.replace(args.printout)
    strata = ", ".join(f"{sum(p['stratum'] == s for p in pairs)} {s}" for s in ("top", "random", "owned"))
    print(f"{len(pairs)} pairs ({strata}) -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
