"""The learned scorer: reads a model file (JSON weights, plain or gzipped) and decides each proposal with plain Python."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import ExtractionError
from kg.extract.features import features

if TYPE_CHECKING:
    from kg.extract.assemble import Fields, Proposal
    from kg.extract.kb import KnowledgeBase

__all__ = ["Scorer", "load_scorer", "BUILTIN_MODEL", "FORMAT", "RULES_ONLY", "KINDS"]

# gzipped: 32k named weights are 2 MB of JSON, a quarter of that compressed (read in the same ~0.1 s)
BUILTIN_MODEL = Path(__file__).parent / "data" / "scorer.json.gz"
FORMAT = "kg-scorer/1"
RULES_ONLY = "rules"  # the model name that means: no model, the rules decide
KINDS = ("none", "Method", "Dataset")
RULES_PREFIX = "rules"  # features giving the rules' own decision; the model file says how much they are scaled

Decision = tuple["Proposal", str, bool]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


class Scorer:
    """Logistic-regression weights per feature name: one 3-way model for the kind, one binary model per role."""

    def __init__(self, data: dict[str, Any], source: str = "") -> None:
        try:
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, expected {FORMAT!r}")
            t = data["type"]
            if list(t["classes"]) != list(KINDS):
                raise ValueError(f"classes {t['classes']!r}, expected {list(KINDS)!r}")
            self.type_bias = [float(x) for x in t["intercept"]]
            self.type_w: dict[str, list[float]] = {k: [float(x) for x in v] for k, v in t["weights"].items()}
            self.role: dict[str, tuple[float, dict[str, float]]] = {
                kind: (float(r["intercept"]), {k: float(v) for k, v in r["weights"].items()})
                for kind, r in data["role"].items()}
            self.threshold = float(data.get("threshold", 0.5))
            self.rules_value = float(data.get("rules_value", 1.0))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ExtractionError(f"{source or 'model'}: not a kg model file ({e}); train one with `kg train`") from e
        # one table for the scoring loop: feature -> (none, Method, Dataset, proposed, introduced) weights
        names = set(self.type_w) | {k for _, w in self.role.values() for k in w}
        zero = [0.0, 0.0, 0.0]
        rm, rd = self.role.get("Method", (0.0, {}))[1], self.role.get("Dataset", (0.0, {}))[1]
        self._table = {k: (*self.type_w.get(k, zero), rm.get(k, 0.0), rd.get(k, 0.0)) for k in names}
        self.meta = {k: v for k, v in data.items() if k not in ("type", "role")}
        self.source = source

    def kind_probs(self, f: dict[str, float]) -> list[float]:
        """P(none), P(Method), P(Dataset) of one feature dict."""
        z = list(self.type_bias)
        for k, v in self._scaled(f).items():
            w = self.type_w.get(k)
            if w is not None:
                z[0] += w[0] * v
                z[1] += w[1] * v
                z[2] += w[2] * v
        top = max(z)
        e = [math.exp(x - top) for x in z]
        s = sum(e)
        return [x / s for x in e]

    def role_prob(self, kind: str, f: dict[str, float]) -> float:
        """P(proposed) for a Method, P(introduced) for a Dataset."""
        b, w = self.role[kind]
        return _sigmoid(b + sum(w.get(k, 0.0) * v for k, v in self._scaled(f).items()))

    def _scaled(self, f: dict[str, float]) -> dict[str, float]:
        if self.rules_value == 1.0:
            return f
        return {k: v * self.rules_value if k.startswith(RULES_PREFIX) else v for k, v in f.items()}

    def decide(self, props: list[Proposal], fields: Fields, kb: KnowledgeBase) -> list[Decision]:
        """(proposal, kind, proposed?) of the proposals kept; where kept proposals share a span, the surer wins."""
        kept: list[tuple[float, int, Decision]] = []
        table, rv = self._table, self.rules_value
        bm, bd = self.role.get("Method", (0.0, {}))[0], self.role.get("Dataset", (0.0, {}))[0]
        for i, p in enumerate(props):
            z0, z1, z2 = self.type_bias
            zm, zd = bm, bd
            for k, v in features(p, fields, kb).items():
                w = table.get(k)
                if w is not None:
                    if rv != 1.0 and k.startswith(RULES_PREFIX):
                        v *= rv
                    z0 += w[0] * v
                    z1 += w[1] * v
                    z2 += w[2] * v
                    zm += w[3] * v
                    zd += w[4] * v
            top = max(z0, z1, z2)
            e0, e1, e2 = math.exp(z0 - top), math.exp(z1 - top), math.exp(z2 - top)
            if e0 >= self.threshold * (e0 + e1 + e2):
                continue  # P(none) reaches the threshold
            kind, role = (KINDS[1], zm) if e1 >= e2 else (KINDS[2], zd)
            kept.append((-(e1 + e2) / (e0 + e1 + e2), i, (p, kind, role >= 0.0)))
        kept.sort(key=lambda x: (x[0], x[1]))
        taken: list[tuple[str, int, int]] = []
        out: list[Decision] = []
        for _, _, d in kept:
            spans = [(fd, c.start, c.end) for fd, c in d[0].members]
            # a part of a split compound ("CIFAR-100-LT" of "CIFAR-10/100-LT") shares its span with the others
            if taken and not any(c.rule == "compound" for _, c in d[0].members) and all(
                    any(fd == g and a < y and x < b for g, x, y in taken) for fd, a, b in spans):
                continue  # every mention lies inside a surer proposal's: "Claude 3" inside "Claude 3 Sonnet"
            taken.extend(spans)
            out.append(d)
        return out


def load_scorer(path: Path | str | None) -> Scorer | None:
    """The scorer in ``path`` (None: the shipped model; ``"rules"``: no scorer, the rules decide)."""
    if path is not None and str(path) == RULES_ONLY:
        return None
    p = BUILTIN_MODEL if path is None else Path(path)
    if path is None and not p.exists():
        return None
    try:
        raw = p.read_bytes()
        data = json.loads((gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExtractionError(f"{p}: cannot read the model file ({e}); give a file written by `kg train`, "
                              f"or --model {RULES_ONLY} for the rules alone") from e
    if not isinstance(data, dict):
        raise ExtractionError(f"{p}: not a kg model file (expected a JSON object); train one with `kg train`")
    return Scorer(data, str(p))
