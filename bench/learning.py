"""Extraction quality tables for the README: `python bench/learning.py [--shared DIR] [--no-blind] [--json FILE]`.

1. Every training set, rules alone and rules + model, the model scored by 5-fold cross-validation over all
   training abstracts (papers dealt round-robin), so no paper is scored by a model that saw it.
2. The blind sets (holdout 2, the recent time-split test), rules alone and the shipped model, in aggregate only:
   this script never prints a paper of a blind set (ANNOTATION-style blind rule: no per-paper errors).
3. The learning curve: the two recent time-split tests together scored by models fitted on 100, 200, 400,
   800, 1,600 and all training abstracts (a seeded random sample of the pool each time).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from kg.api import iter_papers  # noqa: E402
from kg.evaluate import EvalReport, evaluate, load_gold  # noqa: E402
from kg.extract import Extractor  # noqa: E402
from kg.extract.assemble import assemble, code_urls  # noqa: E402
from kg.extract.model import Scorer  # noqa: E402
from kg.extract.train import TrainOptions, cross_validate, examples, fit, gold_papers, model_bytes  # noqa: E402
from kg.files import atomic_write  # noqa: E402
from kg.model import Extraction  # noqa: E402

__all__ = ["main"]

DATA = _ROOT / "tests" / "data"


def _sets(shared: Path) -> tuple[dict[str, tuple[Path, list[Path]]], dict[str, tuple[Path, list[Path]]]]:
    corpus = sorted(p for p in (shared / "corpus").iterdir() if p.is_file() and p.suffix in (".json", ".jsonl", ".csv"))
    recent = sorted(p for p in (shared / "corpus" / "recent").iterdir() if p.is_file())
    train = {"seed": (shared / "gold" / "seed.jsonl", [shared / "seeds" / "daily-papers-2024-03-11.txt"]),
             "dev": (DATA / "dev-gold.jsonl", corpus), "holdout 1": (DATA / "holdout-gold.jsonl", corpus),
             "recent train": (DATA / "recent-train-gold.jsonl", recent)}
    blind = {"holdout 2 (blind)": (DATA / "holdout2-gold.jsonl", corpus),
             "recent test (blind)": (DATA / "recent-test-gold.jsonl", recent),
             "recent test 2 (blind)": (DATA / "recent-test2-gold.jsonl", recent)}
    return train, blind


def _row(r: EvalReport) -> dict[str, float]:
    s = r.scores
    return {"papers": r.papers, "methods_p": s["methods"].precision, "methods_r": s["methods"].recall,
            "datasets_p": s["datasets"].precision, "datasets_r": s["datasets"].recall, "urls_f1": s["code_urls"].f1,
            "proposed": r.proposed_accuracy, "introduced": r.introduced_accuracy}


def _fmt(name: str, how: str, d: dict[str, float]) -> str:
    return (f"| {name} ({d['papers']}) | {how} | {d['methods_p']:.3f} / {d['methods_r']:.3f} | "
            f"{d['datasets_p']:.3f} / {d['datasets_r']:.3f} | {d['urls_f1']:.3f} | {d['proposed']:.3f} | {d['introduced']:.3f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python bench/learning.py", description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=_ROOT.parent / "shared")
    ap.add_argument("--no-blind", action="store_true", help="Skip the blind sets and the learning curve.")
    ap.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    ap.add_argument("--write-model", type=Path, default=None, metavar="FILE",
                    help="Also write the model fitted on all training abstracts (the shipped kg/extract/data/scorer.json.gz; a .gz name is gzipped).")
    args = ap.parse_args(argv)
    train_sets, blind_sets = _sets(args.shared)
    ex = Extractor(model="rules")
    papers: dict[tuple[Path, ...], list] = {}

    def matched(gold: Path, inputs: list[Path]) -> list:
        key = tuple(inputs)
        if key not in papers:
            papers[key] = list(iter_papers(inputs))
        return gold_papers(load_gold(gold), papers[key])

    pool, which = [], []
    for name, (gold, inputs) in train_sets.items():
        m = matched(gold, inputs)
        pool += m
        which += [name] * len(m)
    ts = examples(ex, pool)
    opts = TrainOptions()
    if args.write_model:
        model = fit(ts.examples, opts, {"training_set_sha256": ts.digest, "papers": len(ts.papers),
                                        "candidates": len(ts.examples)})
        with atomic_write(args.write_model, "wb") as f:
            f.write(model_bytes(model, compress=args.write_model.suffix == ".gz"))
        print(f"wrote {args.write_model}: {len(ts.papers)} papers, {len(ts.examples)} candidates, sha256 {ts.digest}")
    cv = cross_validate(ts, opts, kb=ex.kb)
    rules = [Extraction(p, *assemble(f, ex.kb, None), code_urls(f)) for p, f in zip(ts.papers, ts.fields)]
    out: dict[str, dict] = {}
    lines = ["| set (papers) | decided by | methods P / R | datasets P / R | code-URL F1 | proposed acc. | introduced acc. |",
             "|---|---|---|---|---|---|---|"]
    tmp = Path(args.json or "learning.json").with_suffix(".gold.tmp")
    try:
        for name in train_sets:
            tmp.write_text("".join(json.dumps(g) + "\n" for g, w in zip(ts.gold, which) if w == name), encoding="utf-8")
            for how, exs in (("rules", rules), ("rules + model (5-fold CV)", cv)):
                d = _row(evaluate(tmp, [e for e, w in zip(exs, which) if w == name]))
                out[f"{name} / {how}"] = d
                lines.append(_fmt(name, how, d))
    finally:
        tmp.unlink(missing_ok=True)
    if not args.no_blind:
        full = Scorer(fit(ts.examples, opts), "all training abstracts")
        for name, (gold, inputs) in blind_sets.items():
            m = matched(gold, inputs)
            for how, scorer in (("rules", None), ("rules + model", full)):
                exs = [Extraction(p, *assemble(f, ex.kb, scorer), code_urls(f)) for p, _, f in ex.proposals(p for p, _ in m)]
                d = _row(evaluate(gold, exs))
                out[f"{name} / {how}"] = d
                lines.append(_fmt(name, how, d))
        # the curve is scored on both recent blind sets at once (297 papers), in aggregate
        both = [blind_sets["recent test (blind)"], blind_sets["recent test 2 (blind)"]]
        gold = Path(args.json or "learning.json").with_suffix(".curve.tmp")
        gold.write_text("".join(g.read_text(encoding="utf-8") for g, _ in both), encoding="utf-8")
        test = [(p, f) for g, inputs in both for p, _, f in ex.proposals(p for p, _ in matched(g, inputs))]
        lines += ["", "| training abstracts | methods P / R | datasets P / R | proposed acc. | introduced acc. |",
                  "|---|---|---|---|---|"]
        rng = random.Random(20261204)
        sizes = [n for n in (100, 200, 400, 800, 1600) if n < len(ts.papers)] + [len(ts.papers)]
        for n in sizes:
            keep = set(rng.sample(range(len(ts.papers)), n)) if n < len(ts.papers) else set(range(n))
            scorer = Scorer(fit([e for e in ts.examples if e.paper in keep], opts), f"{n} abstracts")
            d = _row(evaluate(gold, [Extraction(p, *assemble(f, ex.kb, scorer), code_urls(f)) for p, f in test]))
            out[f"curve / {n}"] = d
            lines.append(f"| {n} | {d['methods_p']:.3f} / {d['methods_r']:.3f} | {d['datasets_p']:.3f} / "
                         f"{d['datasets_r']:.3f} | {d['proposed']:.3f} | {d['introduced']:.3f} |")
        gold.unlink(missing_ok=True)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
