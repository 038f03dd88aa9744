"""Inter-annotator agreement between two gold files on the same papers (ANNOTATION.md format)."""
# python tests/data/agreement.py FIRST.jsonl SECOND.jsonl
# Papers are matched by title. FIRST is taken as reference and SECOND scored against it the way
# `kg eval` scores the extractor (core items must match; an item matching the other side's optional
# item counts neither way), so P is "share of SECOND's core items that FIRST has as core or optional"
# and R the converse; F1 of the two is the agreement figure. "strict" counts core against core only
# (an item one side has as core and the other as optional is a disagreement). Roles: the share of items both mark
# proposed/introduced among those either marks, over items both have as core.
from __future__ import annotations

import json
import sys
import unicodedata
import re
from pathlib import Path

__all__ = ["load", "agreement", "main"]

_DROP = re.compile(r"[^a-z0-9+.∞]")


def _norm(s: str) -> str:
    s = _DROP.sub("", unicodedata.normalize("NFKC", s).lower())
    return s[:-1] if s.endswith(".") else s


def _items(spec: list[str]) -> list[set[str]]:
    return [{_norm(x) for x in item.split("|")} for item in spec]


def load(path: Path) -> dict[str, dict]:
    """Records of a gold file keyed by folded title."""
    out = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            out[" ".join(r["title"].casefold().split())] = r
    return out


def _side(a: dict, b: dict, t: str) -> tuple[int, int]:
    """(matched, counted) of b's core items of type t against a's core and optional items."""
    a_core, a_opt = _items(a[t]["core"]), _items(a[t]["optional"])
    hit = counted = 0
    for item in _items(b[t]["core"]):
        if any(item & x for x in a_core):
            hit += 1
            counted += 1
        elif not any(item & x for x in a_opt):
            counted += 1
    return hit, counted


def _roles(a: dict, b: dict, role: str, t: str) -> tuple[int, int]:
    both_core = [x for x in _items(a[t]["core"]) if any(x & y for y in _items(b[t]["core"]))]
    ra, rb = _items(a[role]), _items(b[role])
    agree = total = 0
    for x in both_core:
        ia, ib = any(x & y for y in ra), any(x & y for y in rb)
        if ia or ib:
            total += 1
            agree += ia and ib
    return agree, total


def agreement(first: Path, second: Path) -> dict[str, dict[str, float]]:
    """Per type: P, R, F1 of SECOND against FIRST; per role: agreement share."""
    a, b = load(first), load(second)
    common = sorted(set(a) & set(b))
    out: dict[str, dict[str, float]] = {"papers": {"n": len(common)}}
    for t in ("methods", "datasets"):
        hp = cp = hr = cr = 0
        for k in common:
            h, c = _side(a[k], b[k], t)
            hp, cp = hp + h, cp + c
            h, c = _side(b[k], a[k], t)
            hr, cr = hr + h, cr + c
        p, r = hp / cp if cp else 1.0, hr / cr if cr else 1.0
        both = only = 0
        for k in common:
            ca, cb = _items(a[k][t]["core"]), _items(b[k][t]["core"])
            both += sum(any(x & y for y in ca) for x in cb)
            only += sum(not any(x & y for y in ca) for x in cb) + sum(not any(x & y for y in cb) for x in ca)
        out[t] = {"P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0, "items_first": cr, "items_second": cp,
                  "strict_F1": 2 * both / (2 * both + only) if both + only else 1.0}
    for role, t in (("proposed", "methods"), ("introduced", "datasets")):
        ag = tot = 0
        for k in common:
            x, y = _roles(a[k], b[k], role, t)
            ag, tot = ag + x, tot + y
        out[role] = {"agreement": ag / tot if tot else 1.0, "items": tot}
    urls = lambda r: {u.lower().split("://")[-1].rstrip("/") for u in r["code_urls"]}  # noqa: E731
    inter = sum(len(urls(a[k]) & urls(b[k])) for k in common)
    union = sum(len(urls(a[k]) | urls(b[k])) for k in common)
    out["code_urls"] = {"agreement": inter / union if union else 1.0, "items": union}
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for k, v in agreement(Path(args[0]), Path(args[1])).items():
        print(k, " ".join(f"{n}={x:.3f}" if isinstance(x, float) else f"{n}={x}" for n, x in v.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
