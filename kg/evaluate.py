"""Score extractions against a gold file exactly as ``../shared/ANNOTATION.md`` defines it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.errors import KGError
from kg.keys import normalise_name, url_key
from kg.model import Entity, Extraction

__all__ = ["EvalReport", "TypeScore", "PaperErrors", "evaluate", "format_report", "load_gold"]


@dataclass(slots=True)
class TypeScore:
    """Micro counts for one type: true positives, false positives, misses."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class PaperErrors:
    """What one paper got wrong: misses, false positives (duplicates included) and role errors."""

    title: str
    misses: dict[str, list[str]] = field(default_factory=dict)
    false_positives: dict[str, list[str]] = field(default_factory=dict)
    proposed_missed: list[str] = field(default_factory=list)
    introduced_missed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class EvalReport:
    """Per-type scores, proposed-method and introduced-dataset accuracy, and per-paper errors."""

    scores: dict[str, TypeScore]
    proposed_hits: int
    proposed_total: int
    papers: int
    papers_without_extraction: list[str]
    errors: list[PaperErrors]
    introduced_hits: int = 0
    introduced_total: int = 0

    @property
    def proposed_accuracy(self) -> float:
        return self.proposed_hits / self.proposed_total if self.proposed_total else 1.0

    @property
    def introduced_accuracy(self) -> float:
        """The share of gold ``introduced`` datasets predicted with role ``introduced``."""
        return self.introduced_hits / self.introduced_total if self.introduced_total else 1.0


def _items(spec: list[str]) -> list[set[str]]:
    return [{normalise_name(s) for s in item.split("|")} for item in spec]


def load_gold(path: Path) -> list[dict]:
    """Read a gold JSONL file (one paper a line, the ANNOTATION.md format)."""
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise KGError(f"{path}: cannot read gold file ({e})") from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            d["title"], d.get("methods", {}), d.get("datasets", {})
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise KGError(f"{path}:{n}: not a gold record ({e}); see ANNOTATION.md 'Gold file format'") from e
        out.append(d)
    return out


def _title_key(t: str) -> str:
    return " ".join(t.casefold().split())


def _score_entities(pred: tuple[Entity, ...], core: list[set[str]], optional: list[set[str]],
                    score: TypeScore, err_fp: list[str]) -> dict[int, Entity]:
    """Match predictions to core items; returns core index -> the entity that hit it."""
    hit: dict[int, Entity] = {}
    for e in pred:
        names = [normalise_name(e.name)] + [normalise_name(a) for a in e.aliases]
        idx = next((i for i, item in enumerate(core) if names[0] in item), None)
        if idx is None:
            idx = next((i for i, item in enumerate(core) if any(n in item for n in names[1:])), None)
        if idx is not None:
            if idx in hit:
                score.fp += 1
                err_fp.append(f"{e.name} (duplicate)")
            else:
                hit[idx] = e
                score.tp += 1
        elif any(n in item for item in optional for n in names[:1]):
            continue
        else:
            score.fp += 1
            err_fp.append(e.name)
    return hit


def evaluate(gold_path: Path, extractions: Iterable[Extraction]) -> EvalReport:
    """Score ``extractions`` on the papers of ``gold_path`` (matched by title); others are ignored."""
    gold = load_gold(gold_path)
    wanted = {_title_key(g["title"]) for g in gold}
    by_title: dict[str, Extraction] = {}
    for ex in extractions:
        k = _title_key(ex.paper.title)
        if k in wanted and k not in by_title:
            by_title[k] = ex
    scores = {t: TypeScore() for t in ("methods", "datasets", "code_urls")}
    hits = {"proposed": 0, "introduced": 0}
    totals = {"proposed": 0, "introduced": 0}
    errors: list[PaperErrors] = []
    missing: list[str] = []
    for g in gold:
        ex = by_title.get(_title_key(g["title"]))
        if ex is None:
            missing.append(g["title"])
        pe = PaperErrors(g["title"])
        for t in ("methods", "datasets"):
            core = _items(g.get(t, {}).get("core", []))
            opt = _items(g.get(t, {}).get("optional", []))
            fp: list[str] = []
            hit = _score_entities(getattr(ex, t) if ex else (), core, opt, scores[t], fp)
            scores[t].fn += len(core) - len(hit)
            miss = [g[t]["core"][i] for i in range(len(core)) if i not in hit]
            if miss:
                pe.misses[t] = miss
            if fp:
                pe.false_positives[t] = fp
            role, specs, missed = (("proposed", g.get("proposed", []), pe.proposed_missed) if t == "methods"
                                   else ("introduced", g.get("introduced", []), pe.introduced_missed))
            for spec in specs:
                names = {normalise_name(s) for s in spec.split("|")}
                ok = any(e.role == role and ({normalise_name(e.name)} | {normalise_name(a) for a in e.aliases}) & names
                         for e in (getattr(ex, t) if ex else ()))
                hits[role] += ok
                totals[role] += 1
                if not ok:
                    missed.append(spec)
        # a gold URL item may list accepted forms with "|", as names do (ANNOTATION.md's gold format)
        gold_urls = [{url_key(a) for a in u.split("|") if a.strip()} for u in g.get("code_urls", [])]
        pred_urls = {u.key or url_key(u.url) for u in (ex.code_urls if ex else ())}
        found = [alts for alts in gold_urls if alts & pred_urls]
        accepted = set().union(*gold_urls)
        missed_urls = sorted(min(alts) for alts in gold_urls if not alts & pred_urls)
        s = scores["code_urls"]
        s.tp += len(found)
        s.fp += len(pred_urls - accepted)
        s.fn += len(missed_urls)
        if missed_urls:
            pe.misses["code_urls"] = missed_urls
        if pred_urls - accepted:
            pe.false_positives["code_urls"] = sorted(pred_urls - accepted)
        if pe.misses or pe.false_positives or pe.proposed_missed or pe.introduced_missed:
            errors.append(pe)
    return EvalReport(scores, hits["proposed"], totals["proposed"], len(gold), missing, errors,
                      hits["introduced"], totals["introduced"])


def format_report(report: EvalReport, verbose: bool = False) -> str:
    """A table of P/R/F1 per type and proposed accuracy; with ``verbose`` every miss and false positive."""
    lines = [f"papers: {report.papers} (without extraction: {len(report.papers_without_extraction)})",
             f"{'type':<10} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for t, s in report.scores.items():
        lines.append(f"{t:<10} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:5d} {s.fp:5d} {s.fn:5d}")
    lines.append(f"proposed accuracy: {report.proposed_accuracy:.3f} ({report.proposed_hits}/{report.proposed_total})")
    lines.append(f"introduced accuracy: {report.introduced_accuracy:.3f} "
                 f"({report.introduced_hits}/{report.introduced_total})")
    if verbose:
        for t in report.papers_without_extraction:
            lines.append(f"no extraction: {t}")
        for pe in report.errors:
            lines.append(f"- {pe.title}")
            for t, v in pe.misses.items():
                lines.append(f"    miss {t}: {', '.join(v)}")
            for t, v in pe.false_positives.items():
                lines.append(f"    false positive {t}: {', '.join(v)}")
            if pe.proposed_missed:
                lines.append(f"    not proposed: {', '.join(pe.proposed_missed)}")
            if pe.introduced_missed:
                lines.append(f"    not introduced: {', '.join(pe.introduced_missed)}")
    return "\n".join(lines)
