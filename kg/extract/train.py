"""Training the scorer from gold files (ANNOTATION.md format): labels, fit, cross-validation (needs ``kg[train]``)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

from kg.errors import ExtractionError
from kg.extract.assemble import assemble, code_urls
from kg.extract.features import features
from kg.extract.model import FORMAT, KINDS, RULES_PREFIX, Scorer
from kg.keys import normalise_name
from kg.model import Extraction, Paper

if TYPE_CHECKING:
    from kg.extract import Extractor

__all__ = ["Example", "TrainOptions", "examples", "fit", "model_bytes", "cross_validate", "gold_papers"]


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """Modelling choices (chosen by cross-validation on the training sets; see README)."""

    c: float = 1.0  # inverse L2 strength of the logistic regressions
    threshold: float = 0.5  # a proposal is dropped when P(none) reaches this
    seed: int = 0
    drop_features: tuple[str, ...] = ()  # feature-name prefixes left out (for ablations)
    rules_value: float = 3.0  # value of the rules' own decision features: larger, less shrunk by the L2 penalty


@dataclass(slots=True)
class Example:
    """One proposal of one paper: its features, its gold kind (None: optional, not scored) and role."""

    paper: int  # index of the paper in the training set
    features: dict[str, float]
    kind: str | None  # "none", "Method", "Dataset"; None when gold calls it optional
    role: bool | None  # proposed / introduced, when gold names it so; None when unknown
    role_kind: str | None = None


@dataclass(slots=True)
class TrainingSet:
    """Papers matched to gold records, with their fields (for cross-validation) and examples."""

    papers: list[Paper] = field(default_factory=list)
    gold: list[dict] = field(default_factory=list)
    fields: list[dict] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    digest: str = ""


def _title_key(t: str) -> str:
    return " ".join(t.casefold().split())


def gold_papers(gold: list[dict], papers: Iterable[Paper]) -> list[tuple[Paper, dict]]:
    """(paper, gold record) for every gold record whose title is among ``papers`` (first match), in gold order."""
    wanted = {_title_key(g["title"]): i for i, g in enumerate(gold)}
    found: dict[int, Paper] = {}
    for p in papers:
        i = wanted.get(_title_key(p.title or ""))
        if i is not None and i not in found:
            found[i] = p
    return [(found[i], gold[i]) for i in sorted(found)]


def _items(spec: list[str]) -> list[set[str]]:
    return [{normalise_name(s) for s in item.split("|")} for item in spec]


def _label(names: list[str], g: dict) -> tuple[str | None, bool | None, str | None]:
    """(gold kind, gold role, kind the role is about) of a proposal named ``names`` (preferred first)."""
    core = {"Method": _items(g.get("methods", {}).get("core", [])),
            "Dataset": _items(g.get("datasets", {}).get("core", []))}
    opt = _items(g.get("methods", {}).get("optional", [])) + _items(g.get("datasets", {}).get("optional", []))
    roles = {"Method": _items(g.get("proposed", [])), "Dataset": _items(g.get("introduced", []))}
    kind: str | None = "none"
    for k in ("Method", "Dataset"):
        if any(names[0] in item for item in core[k]):
            kind = k
            break
    else:
        k2 = next((k for k in ("Method", "Dataset") if any(n in item for item in core[k] for n in names[1:])), None)
        if k2 is not None:
            kind = k2
        elif any(names[0] in item for item in opt):
            kind = None
    role_kind = kind if kind in ("Method", "Dataset") else None
    if role_kind is None:  # an optional item may still be proposed: "a descriptive name ... even after we propose"
        role_kind = next((k for k in ("Method", "Dataset") if any(n in item for item in roles[k] for n in names)), None)
    role = None if role_kind is None else any(n in item for item in roles[role_kind] for n in names)
    return kind, role, role_kind


def examples(extractor: Extractor, matched: list[tuple[Paper, dict]]) -> TrainingSet:
    """Every proposal of every matched paper, labelled from its gold record."""
    ts = TrainingSet()
    h = hashlib.sha256()
    gold_of = [g for _, g in matched]
    for i, (paper, props, flds) in enumerate(extractor.proposals(p for p, _ in matched)):
        g = gold_of[i]
        h.update(json.dumps([paper.title, paper.abstract, g], sort_keys=True, ensure_ascii=False).encode("utf-8"))
        ts.papers.append(paper)
        ts.gold.append(g)
        ts.fields.append(flds)
        for p in props:
            names = [normalise_name(p.name)] + [normalise_name(a) for a in p.aliases]
            kind, role, role_kind = _label(names, g)
            ts.examples.append(Example(i, features(p, flds, extractor.kb), kind, role, role_kind))
    ts.digest = h.hexdigest()
    return ts


def _drop(f: dict[str, float], prefixes: tuple[str, ...], rules_value: float = 1.0) -> dict[str, float]:
    if rules_value != 1.0:
        f = {k: (v * rules_value if k.startswith(RULES_PREFIX) else v) for k, v in f.items()}
    return {k: v for k, v in f.items() if not k.startswith(prefixes)} if prefixes else f


def _logreg(xs: list[dict[str, float]], ys: list[int], opts: TrainOptions) -> tuple[list[str], Any, Any, list[int]]:
    """(feature names, coefficients [classes x features], intercepts, classes) of an L2 logistic regression."""
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError as e:
        raise ExtractionError("training needs scikit-learn: pip install 'kg[train]'") from e
    vec = DictVectorizer(sort=True)
    x = vec.fit_transform(xs)
    lr = LogisticRegression(C=opts.c, max_iter=1000, random_state=opts.seed, tol=1e-4)
    lr.fit(x, ys)
    return list(vec.get_feature_names_out()), lr.coef_, lr.intercept_, list(lr.classes_)


def _r(x: float) -> float:
    return round(float(x), 6) + 0.0  # six decimals: stable bytes, -0.0 written as 0.0


def fit(exs: list[Example], opts: TrainOptions, meta: dict | None = None) -> dict:
    """The model (a JSON-ready dict: feature weights, intercepts, options, metadata) fitted on ``exs``."""
    typed = [e for e in exs if e.kind is not None]
    if len({e.kind for e in typed}) < 2:
        raise ExtractionError("the gold files give too few labelled candidates to train on; check that the "
                              "--inputs hold the gold papers (matched by title)")
    names, coef, icpt, classes = _logreg([_drop(e.features, opts.drop_features, opts.rules_value) for e in typed],
                                         [KINDS.index(e.kind) for e in typed], opts)
    # one row of logits per class of KINDS; sklearn fits one row for two classes (the second's logit,
    # the first's is 0) and a class absent from the data gets a large negative intercept
    if len(classes) == 2:
        rows = {classes[1]: (1.0, 0)}
        icpts = {classes[0]: 0.0, classes[1]: float(icpt[0])}
    else:
        rows = {c: (1.0, i) for i, c in enumerate(classes)}
        icpts = {c: float(icpt[i]) for i, c in enumerate(classes)}
    weights: dict[str, list[float]] = {}
    for j, n in enumerate(names):
        w = [_r(coef[rows[c][1], j]) if c in rows else 0.0 for c in range(len(KINDS))]
        if any(w):
            weights[n] = w
    type_model = {"classes": list(KINDS), "intercept": [_r(icpts[c]) if c in icpts else -30.0 for c in range(len(KINDS))],
                  "weights": weights}
    role: dict[str, dict] = {}
    for kind in ("Method", "Dataset"):
        rs = [e for e in exs if e.role_kind == kind and e.role is not None]
        if len({e.role for e in rs}) < 2:
            role[kind] = {"intercept": 8.0 if rs and rs[0].role else -8.0, "weights": {}}
            continue
        names, coef, icpt, _ = _logreg([_drop(e.features, opts.drop_features, opts.rules_value) for e in rs],
                                       [int(e.role) for e in rs], opts)
        role[kind] = {"intercept": _r(icpt[0]), "weights": {n: _r(coef[0, j]) for j, n in enumerate(names) if _r(coef[0, j])}}
    return {"format": FORMAT, **(meta or {}),
            "options": {"c": opts.c, "threshold": opts.threshold, "drop_features": list(opts.drop_features)},
            "rules_value": opts.rules_value,
            "seed": opts.seed, "threshold": opts.threshold, "type": type_model, "role": role}


def model_bytes(model: dict, *, compress: bool = False) -> bytes:
    """The model file's bytes: sorted keys, compact, six-decimal weights: a re-run writes the same bytes
    (``compress``: gzipped, with no time stamp, so those are the same too)."""
    data = (json.dumps(model, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    return gzip.compress(data, compresslevel=9, mtime=0) if compress else data


def cross_validate(ts: TrainingSet, opts: TrainOptions, folds: int = 5, kb: Any = None) -> list[Extraction]:
    """Extractions of every training paper by a model fitted on the other folds (papers dealt round-robin)."""
    out: list[Extraction | None] = [None] * len(ts.papers)
    for k in range(folds):
        # a model fitted without some features has no weights for them: scoring ignores them too
        model = Scorer(fit([e for e in ts.examples if e.paper % folds != k], opts), f"fold {k}")
        for i in range(k, len(ts.papers), folds):
            m, d = assemble(ts.fields[i], kb, model)  # type: ignore[arg-type]
            out[i] = Extraction(ts.papers[i], m, d, code_urls(ts.fields[i]))
    return [x for x in out if x is not None]
