"""Draw the reproducible, stratified abstract sample behind tests/data/holdout-gold.jsonl."""
# Same sources, filters and strata as make_dev_sample.py, with quotas halved, a different seed,
# and every title of dev-gold.jsonl and ../shared/gold/seed.jsonl excluded before shuffling.
# Prints each chosen abstract (number, source file, title, text) so an annotator can read it;
# the abstracts stay in ../shared/corpus, the gold file keeps only titles, sources and labels.
#
#   python tests/data/make_holdout_sample.py             # all 40, in annotation order
#   python tests/data/make_holdout_sample.py --chunk 2   # abstracts 21-40
#   python tests/data/make_holdout_sample.py --titles    # number, source, title only
# The second held-out set (holdout2-gold.jsonl) is the same draw with another seed and the first
# held-out set excluded as well:
#   python tests/data/make_holdout_sample.py --seed 20261128 --exclude tests/data/holdout-gold.jsonl
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_dev_sample import CORPUS, CSV, JSONL, NOV, OCT, print_sample  # noqa: E402  (sibling script)
from make_dev_sample import draw as dev_draw  # noqa: E402

__all__ = ["SEED", "draw", "excluded_titles", "main"]

SEED = 20261127
_HERE = Path(__file__).resolve().parent
# The dev plan halved (25/15/20/20 -> 13/7/10/10; half-quotas rounded so the strata sum to 40).
_PLAN = {
    JSONL: {"n": 13, "plain": 2, "url": 2, "latex": 2},
    CSV: {"n": 7, "plain": 1, "url": 1, "latex": 0},
    OCT: {"n": 10, "plain": 1, "url": 2, "latex": 1},
    NOV: {"n": 10, "plain": 1, "url": 1, "latex": 1},
}


def excluded_titles(extra: list[Path] | tuple[Path, ...] = ()) -> set[str]:
    """Titles already annotated in the dev set, the shared seed gold file and any `extra` files."""
    out: set[str] = set()
    for path in (_HERE / "dev-gold.jsonl", CORPUS.parent / "gold" / "seed.jsonl", *extra):
        with path.open(encoding="utf-8") as fh:
            out.update(json.loads(line)["title"] for line in fh if line.strip())
    return out


def draw(seed: int = SEED, exclude: list[Path] | tuple[Path, ...] = ()) -> list[dict]:
    """Return the 40 sampled abstracts, interleaved so that every chunk of 20 mixes sources."""
    return dev_draw(seed, _PLAN, excluded_titles(exclude))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunk", type=int, help="print only abstracts 20*(k-1)+1 .. 20*k")
    ap.add_argument("--titles", action="store_true", help="print number, source and title only")
    ap.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    ap.add_argument("--exclude", nargs="+", type=Path, default=[], metavar="FILE",
                    help="further gold JSONL files whose titles are excluded before shuffling")
    args = ap.parse_args(argv)
    print_sample(draw(args.seed, args.exclude), args.chunk, args.titles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
