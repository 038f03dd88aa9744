"""Draw the reproducible, stratified abstract sample behind tests/data/dev-gold.jsonl."""
# Prints each chosen abstract (number, source file, title, text) so an annotator can read it.
# The abstracts stay in ../shared/corpus; the gold file keeps only titles, sources and labels.
#
#   python tests/data/make_dev_sample.py                 # all 80, in annotation order
#   python tests/data/make_dev_sample.py --chunk 2       # abstracts 21-40
#   python tests/data/make_dev_sample.py --titles        # number, source, title only
from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

__all__ = ["SEED", "draw", "main"]

SEED = 20251126
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
JSONL = "amds123_arxiv_posts_2014-2019_derived.jsonl"
CSV = "tiagoft_NLP_arxiv_data.csv"
OCT = "shiyibihua_arxiv-daily_data_2025-10_arxiv.json"
NOV = "shiyibihua_arxiv-daily_data_2025-11_arxiv.json"

# Per stratum: total, of which "plain" (no name-like token, likely no named entity),
# "url" (contains a URL, href anchor or \url{}), "latex" ($...$ or a LaTeX command).
_PLAN = {
    JSONL: {"n": 25, "plain": 3, "url": 4, "latex": 4},
    CSV: {"n": 15, "plain": 2, "url": 2, "latex": 1},
    OCT: {"n": 20, "plain": 3, "url": 3, "latex": 1},
    NOV: {"n": 20, "plain": 2, "url": 3, "latex": 1},
}
_ML_CATEGORIES = {"arXiv_CV", "arXiv_CL", "arXiv_AI"}
_ML_WORDS = re.compile(r"\b(learn\w*|neural|deep|dataset\w*|benchmark\w*|train\w*)\b", re.I)
# Acronyms, CamelCase, letter+digit names: a cheap proxy for "names something".
_NAMEY = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9]+[A-Za-z0-9-]*|[A-Z]{2,}[a-z]*s?)\b")
_URL = re.compile(r"https?://|href=|\\url\{|github|www\.", re.I)
_LATEX = re.compile(r"\$[^$]+\$|\\[a-zA-Z]+\{")
_ACRONYM_DEF = re.compile(r"\([A-Z][A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*\)")


def _load(name: str) -> list[dict]:
    path = CORPUS / name
    if name == JSONL:
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        return [
            {"title": r["title"], "text": r["abstract"]}
            for r in rows
            if r["blog_category"] in _ML_CATEGORIES
            and "2014" <= r["post_date"][:4] <= "2019"
            and _ML_WORDS.search(r["abstract"])
        ]
    if name == CSV:
        with path.open(encoding="utf-8", newline="") as fh:
            return [{"title": r["titles"], "text": r["summaries"]} for r in csv.DictReader(fh)]
    papers = json.loads(path.read_text(encoding="utf-8"))["papers"]
    return [{"title": p["title"], "text": p["summary"]} for p in papers]


def _usable(rows: list[dict]) -> list[dict]:
    """Unique, single-line titles only, so that matching by title is unambiguous."""
    seen: dict[str, int] = {}
    for r in rows:
        seen[r["title"]] = seen.get(r["title"], 0) + 1
    return [
        r for r in rows
        if seen[r["title"]] == 1 and r["title"] == " ".join(r["title"].split()) and len(r["text"]) > 200
    ]


def _is_plain(text: str) -> bool:
    return not _NAMEY.search(text) and not _URL.search(text)


def _stratum(name: str, rng: random.Random, plan: dict | None = None,
             skip: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """Shuffle the usable rows of one source (titles in ``skip`` left out) and fill the quotas of
    ``plan`` (this sample's by default) in order; make_holdout_sample.py reuses it."""
    plan = plan or _PLAN[name]
    rows = [r for r in _usable(_load(name)) if r["title"] not in skip]
    rng.shuffle(rows)
    chosen: list[dict] = []

    def take(pred, k: int) -> None:
        for r in rows:
            if k <= 0:
                return
            if r not in chosen and pred(r["text"]):
                chosen.append(r)
                k -= 1

    take(_is_plain, plan["plain"])
    take(lambda t: _URL.search(t) and not _is_plain(t), plan["url"])
    take(lambda t: _LATEX.search(t) and not _URL.search(t), plan["latex"])
    take(lambda t: _ACRONYM_DEF.search(t) and not _URL.search(t), plan["n"] - len(chosen))
    for r in chosen:
        r["source"] = name
    rng.shuffle(chosen)
    return chosen


def draw(seed: int = SEED, plan: dict | None = None, skip: set[str] | frozenset[str] = frozenset()) -> list[dict]:
    """Return the sampled abstracts (80 with this sample's plan), interleaved so that every chunk
    of 20 mixes sources; make_holdout_sample.py passes its own seed, plan and titles to skip."""
    rng = random.Random(seed)
    plan = plan or _PLAN
    strata = [_stratum(name, rng, plan[name], skip) for name in (JSONL, CSV, OCT, NOV)]
    out: list[dict] = []
    while any(strata):
        for s in strata:
            if s:
                out.append(s.pop(0))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunk", type=int, help="print only abstracts 20*(k-1)+1 .. 20*k")
    ap.add_argument("--titles", action="store_true", help="print number, source and title only")
    args = ap.parse_args(argv)
    print_sample(draw(), args.chunk, args.titles)
    return 0


def print_sample(sample: list[dict], chunk: int | None, titles: bool) -> None:
    """Print abstracts (all, or chunk k: 20*(k-1)+1 .. 20*k) for an annotator, or only titles."""
    lo, hi = (0, len(sample)) if not chunk else (20 * (chunk - 1), 20 * chunk)
    for i, r in enumerate(sample[lo:hi], start=lo + 1):
        if titles:
            print(f"{i:2d} {r['source']}\t{r['title']}")
        else:
            print(f"=== {i} [{r['source']}]\nTITLE: {r['title']}\n{r['text']}\n")


if __name__ == "__main__":
    sys.exit(main())
