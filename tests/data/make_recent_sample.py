"""Draw the stratified sample of recent abstracts behind tests/data/recent-*-gold.jsonl."""
# Sources: ../shared/corpus/recent/daily-arxiv-2025-2026.jsonl (arXiv daily feeds, 2025-03..2026-07)
# and ../shared/corpus/recent/hf-daily-papers-2026.json (Hugging Face daily papers, 2026).
# Strata: month x primary category (arXiv: cs.CV / cs.CL / cs.AI / any other) and month x topic
# (Hugging Face: topic_tag, taken in shuffled order so that many topics appear). Usable rows: a
# unique title (case-folded, across both files and every earlier gold set), an abstract of at
# least 300 characters; a Hugging Face paper whose arXiv id is also in the arXiv file is left to
# the arXiv side. Python's random.Random(SEED) shuffles each stratum.
#
# The sample is split by date: the latest 25% (by the paper's feed date) is the blind time-split
# test set, scored only in aggregate; the rest is the training/development set.
#
#   python tests/data/make_recent_sample.py --list            # number, split, date, source, title
#   python tests/data/make_recent_sample.py --batch 2 --of 4  # abstracts of annotation batch 2 of 4
#   python tests/data/make_recent_sample.py --reannotate      # the 10% agreement sample
#   python tests/data/make_recent_sample.py --extra 1 --list  # training-only draws 1-4 (before the cut-off)
#   python tests/data/make_recent_sample.py --later --list     # the second blind test draw (on/after the cut-off)
#   python tests/data/make_recent_sample.py --combine A.jsonl B.jsonl ...
#       checks annotators' files against the draw and writes recent-train-gold.jsonl and
#       recent-test-gold.jsonl here (gold format of ANNOTATION.md, plus number/id/source/date)
from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import defaultdict
from pathlib import Path

__all__ = ["SEED", "ARXIV_PER_MONTH", "HF_PER_MONTH", "draw", "split", "combine", "main"]

SEED = 20261204
_HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("KG_SHARED") or _HERE.parents[2] / "shared")
RECENT = SHARED / "corpus" / "recent"
ARXIV = "daily-arxiv-2025-2026.jsonl"
HF = "hf-daily-papers-2026.json"
# per full month: 10 cs.CV, 5 cs.CL, 3 cs.AI, 2 other (the feed is ~49% CV, 28% CL, 16% AI, 7%
# other; "other" is a little over-sampled so that LG, eess, RO, IR... appear at all)
ARXIV_PER_MONTH = {"cs.CV": 10, "cs.CL": 5, "cs.AI": 3, "other": 2}
ARXIV_SHORT_MONTH = {"2026-07": {"cs.CV": 3, "cs.CL": 2, "cs.AI": 1}}  # 286 papers, not 1,200
HF_PER_MONTH = {"2026-01": 24, "2026-04": 35, "2026-05": 35}
TEST_SHARE = 0.25
# A second, training-only draw (more data for the learned stage): the same strata, only papers
# dated before the first draw's cut-off, none of the first draw; numbered from 1001 on.
EXTRA_SEED = 20261205
EXTRA_ARXIV_PER_MONTH = {"cs.CV": 8, "cs.CL": 4, "cs.AI": 2, "other": 2}
EXTRA_HF_PER_MONTH = {"2026-01": 20, "2026-04": 14}
EXTRA_DRAWS = 6  # draws 1-2 (2026-12-04 02:00), 3-4 and 5-6 (18:00) are annotated
# A second blind test draw (the first test set is small: one introduced dataset moves its accuracy by
# 4 points): papers dated on or after the cut-off, none of the first draw, numbered from 9001 on,
# written to recent-test2-gold.jsonl and, like the first, scored only in aggregate.
LATER_SEED = 20261299
LATER_ARXIV_PER_MONTH = {"cs.CV": 14, "cs.CL": 8, "cs.AI": 5, "other": 3}
LATER_SHORT_MONTH = {"2026-07": {"cs.CV": 5, "cs.CL": 3, "cs.AI": 2}}
LATER_HF_PER_MONTH = {"2026-04": 40, "2026-05": 50}


def _fold(title: str) -> str:
    return " ".join(title.casefold().split())


def _gold_titles() -> set[str]:
    out: set[str] = set()
    for path in [SHARED / "gold" / "seed.jsonl", *sorted(_HERE.glob("*gold*.jsonl"))]:
        if path.name.startswith("recent-"):
            continue
        with path.open(encoding="utf-8") as fh:
            out.update(_fold(json.loads(line)["title"]) for line in fh if line.strip())
    return out


def _rows() -> tuple[list[dict], list[dict]]:
    with (RECENT / ARXIV).open(encoding="utf-8") as fh:
        arxiv = [json.loads(line) for line in fh if line.strip()]
    hf = [p for day in json.loads((RECENT / HF).read_text(encoding="utf-8"))["days"] for p in day["papers"]]
    return arxiv, hf


def draw(seed: int = SEED) -> list[dict]:
    """The sample: dicts with number, split, date, source, id, title, abstract (sorted by date, then id)."""
    picked = _draw(seed, ARXIV_PER_MONTH, ARXIV_SHORT_MONTH, HF_PER_MONTH, set(), None)
    split(picked)
    for i, r in enumerate(picked, 1):
        r["number"] = i
    return picked


def draw_extra(k: int = 1) -> list[dict]:
    """Training-only draw ``k`` (1, 2, ...): rows dated before the first draw's cut-off, none of the
    earlier draws; seed EXTRA_SEED + k - 1, numbered from 1000 * k + 1."""
    earlier = draw()
    cut = min(r["date"] for r in earlier if r["split"] == "test")
    for j in range(1, k):
        earlier += draw_extra(j)
    picked = _draw(EXTRA_SEED + k - 1, EXTRA_ARXIV_PER_MONTH, {}, EXTRA_HF_PER_MONTH,
                   {_fold(r["title"]) for r in earlier}, cut)
    for i, r in enumerate(picked, 1000 * k + 1):
        r["number"], r["split"] = i, "train"
    return picked


def draw_later() -> list[dict]:
    """The second blind test draw: rows dated on or after the first draw's cut-off, none of the first
    draw; seed LATER_SEED, numbered from 9001, split ``test2``."""
    earlier = draw()
    cut = min(r["date"] for r in earlier if r["split"] == "test")
    picked = _draw(LATER_SEED, LATER_ARXIV_PER_MONTH, LATER_SHORT_MONTH, LATER_HF_PER_MONTH,
                   {_fold(r["title"]) for r in earlier}, None, after=cut)
    for i, r in enumerate(picked, 9001):
        r["number"], r["split"] = i, "test2"
    return picked


def _draw(seed: int, arxiv_plan: dict, short: dict, hf_plan: dict, skip: set[str], before: str | None,
          after: str | None = None) -> list[dict]:
    arxiv, hf = _rows()
    if before is not None:
        arxiv = [r for r in arxiv if r["date"] < before]
        hf = [r for r in hf if r["daily_date"] < before]
    if after is not None:
        arxiv = [r for r in arxiv if r["date"] >= after]
        hf = [r for r in hf if r["daily_date"] >= after]
    seen = _gold_titles() | skip
    counts: dict[str, int] = defaultdict(int)
    for r in arxiv + hf:
        counts[_fold(r["title"])] += 1
    usable = lambda r: counts[_fold(r["title"])] == 1 and len(r.get("summary") or "") >= 300 and _fold(r["title"]) not in seen  # noqa: E731
    arxiv_ids = {r["id"] for r in arxiv}
    # the same paper in both files has one title, counted twice: let the arXiv side have it
    for r in hf:
        if r["id"] in arxiv_ids:
            counts[_fold(r["title"])] -= 1
    rng = random.Random(seed)
    strata: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in arxiv:
        if usable(r):
            cat = r["categories"][0] if r["categories"][0] in ARXIV_PER_MONTH else "other"
            strata[(r["date"][:7], cat)].append(r)
    picked: list[dict] = []
    for month in sorted({m for m, _ in strata}):
        plan = short.get(month, arxiv_plan)
        for cat, n in plan.items():
            rows = sorted(strata[(month, cat)], key=lambda r: r["id"])
            rng.shuffle(rows)
            picked += [{"source": ARXIV, "date": r["date"], "id": r["id"], "title": r["title"],
                        "abstract": r["summary"], "stratum": f"{month} {cat}"} for r in rows[:n]]
    by_month: dict[str, list[dict]] = defaultdict(list)
    for r in hf:
        if r["id"] not in arxiv_ids and usable(r):
            by_month[r["daily_date"][:7]].append(r)
    for month, n in hf_plan.items():
        rows = sorted(by_month[month], key=lambda r: r["id"])
        rng.shuffle(rows)
        # one paper per topic in turn, so that the month's topics are spread over the quota
        topics: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            topics[r.get("topic_tag") or ""].append(r)
        order = list(topics)
        take: list[dict] = []
        while len(take) < n and any(topics.values()):
            for t in order:
                if topics[t] and len(take) < n:
                    take.append(topics[t].pop(0))
        picked += [{"source": HF, "date": r["daily_date"], "id": r["id"], "title": r["title"],
                    "abstract": r["summary"], "stratum": f"{month} {r.get('topic_tag') or '-'}"} for r in take]
    picked.sort(key=lambda r: (r["date"], r["id"]))
    return picked


def split(rows: list[dict]) -> str:
    """Mark each row train or test: test is every row dated on or after the cut-off date that leaves
    at least 25% of the rows in it. Returns the cut-off date."""
    dates = sorted(r["date"] for r in rows)
    cut = dates[int(len(dates) * (1 - TEST_SHARE))]
    for r in rows:
        r["split"] = "test" if r["date"] >= cut else "train"
    return cut


_GOLD_KEYS = ("methods", "proposed", "datasets", "introduced", "code_urls")


def _check(rec: dict, where: str) -> list[str]:
    problems = []
    core = {t: set(rec[t]["core"]) for t in ("methods", "datasets")}
    for k, t in (("proposed", "methods"), ("introduced", "datasets")):
        problems += [f"{where}: {k} item {x!r} is not a core {t} item" for x in rec[k] if x not in core[t]]
    return problems


def combine(files: list[Path], out_dir: Path = _HERE) -> tuple[int, int, int, list[str]]:
    """Merge annotators' JSONL files (one record per drawn abstract, matched by number and checked by
    title) into ``recent-train-gold.jsonl``, ``recent-test-gold.jsonl`` and ``recent-test2-gold.jsonl``;
    returns (train, test, test2, problems)."""
    rows = {r["number"]: r for r in draw() + [r for k in range(1, EXTRA_DRAWS + 1) for r in draw_extra(k)]
            + draw_later()}
    got: dict[int, dict] = {}
    problems: list[str] = []
    for path in files:
        with Path(path).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                where = f"{path}:{n}"
                row = rows.get(rec.get("number"))
                if row is None or _fold(row["title"]) != _fold(rec.get("title", "")):
                    problems.append(f"{where}: number/title do not match the draw")
                    continue
                problems += _check(rec, where)
                got[row["number"]] = {"title": row["title"], "source": row["source"], "id": row["id"],
                                      "date": row["date"], "number": row["number"],
                                      **{k: rec[k] for k in _GOLD_KEYS}, "notes": rec.get("notes", "")}
    counts = {}
    for part in ("train", "test", "test2"):
        recs = [got[n] for n in sorted(got) if rows[n]["split"] == part]
        counts[part] = len(recs)
        (out_dir / f"recent-{part}-gold.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    if not counts["test2"]:
        (out_dir / "recent-test2-gold.jsonl").unlink(missing_ok=True)
    return counts["train"], counts["test"], counts["test2"], problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--list", action="store_true", help="one line per abstract, no text")
    ap.add_argument("--batch", type=int, help="print annotation batch K (numbers K, K+N, K+2N, ...)")
    ap.add_argument("--of", type=int, default=4, help="number of annotation batches (default 4)")
    ap.add_argument("--reannotate", action="store_true", help="print every tenth abstract (the agreement sample)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--extra", type=int, nargs="?", const=1, default=0, metavar="K",
                    help="training-only draw K (default 1), dated before the cut-off")
    ap.add_argument("--later", action="store_true", help="the second blind test draw (on or after the cut-off)")
    ap.add_argument("--combine", nargs="+", type=Path, metavar="FILE", help="annotators' files to merge into the gold sets")
    args = ap.parse_args(argv)
    if args.combine:
        train, test, test2, problems = combine(args.combine)
        print(*problems, sep="\n", file=sys.stderr)
        print(f"recent-train-gold.jsonl: {train} papers, recent-test-gold.jsonl: {test} papers, "
              f"recent-test2-gold.jsonl: {test2} papers")
        return 1 if problems else 0
    rows = draw_later() if args.later else draw_extra(args.extra) if args.extra else draw(args.seed)
    if args.batch:
        rows = [r for r in rows if (r["number"] - 1) % args.of == args.batch - 1]
    if args.reannotate:
        rows = [r for r in rows if r["number"] % 10 == 5]
    for r in rows:
        if args.list:
            print(f"{r['number']:4d} {r['split']:5s} {r['date']} {r['source'][:5]} {r['stratum']:40.40s} {r['title']}")
        else:
            print(f"=== {r['number']} | source: {r['source']} | id: {r['id']} | date: {r['date']}\nTITLE: {r['title']}\n\n{r['abstract']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
