"""One measured figure (value, target, met?), and the table and JSON that report them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Figure", "figure", "skipped", "render_table", "write_json"]


@dataclass
class Figure:
    """A row of the report. ``status`` is ``ok``, ``skipped`` or ``error`` (then ``note`` says why)."""

    part: str
    name: str
    value: float | int | str | None = None
    unit: str = ""
    target: str = ""
    met: bool | None = None
    status: str = "ok"
    note: str = ""
    shortfall: str = ""  # for an unmet target: how far off, e.g. "needs 1.8x faster"


def _shortfall(value: float, op: str, limit: float) -> str:
    if value <= 0:
        return ""
    factor = value / limit if op == "<=" else limit / value
    return f"{factor:.2f}x off the target"


def figure(part: str, name: str, value: float | int, unit: str = "", *, op: str | None = None,
           limit: float | None = None, note: str = "") -> Figure:
    """A measured figure; with ``op`` (``<=`` or ``>=``) and ``limit`` it is checked against a target."""
    f = Figure(part, name, value, unit, note=note)
    if op is not None and limit is not None:
        shown = f"{limit:,.0f}" if limit == int(limit) else f"{limit:g}"
        f.target = f"{op} {shown}{' ' + unit if unit else ''}"
        f.met = value <= limit if op == "<=" else value >= limit
        if not f.met:
            f.shortfall = _shortfall(float(value), op, limit)
    return f


def skipped(part: str, name: str, why: str, *, status: str = "skipped", target: str = "") -> Figure:
    """A figure that was not measured, and why."""
    return Figure(part, name, None, target=target, status=status, note=why)


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3f}"
    return str(v)


def _value(f: Figure) -> str:
    if f.status != "ok":
        return f.status
    return f"{_fmt(f.value)}{' ' + f.unit if f.unit else ''}"


def _met(f: Figure) -> str:
    if f.met is None:
        return ""
    return "yes" if f.met else f"NO ({f.shortfall})" if f.shortfall else "NO"


def render_table(figures: list[Figure]) -> str:
    """A plain-text table: figure / value / target / met?, then the notes of skipped parts."""
    rows = [("figure", "value", "target", "met?")]
    rows += [(f.name, _value(f), f.target, _met(f)) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {f.name}: {f.status}: {f.note}" for f in figures if f.status != "ok" and f.note]
    if notes:
        lines += ["", "not measured:", *notes]
    return "\n".join(lines)


def write_json(path: Path, machine: dict[str, Any], figures: list[Figure]) -> None:
    """The same report as JSON: ``{"machine": {...}, "figures": [{part, name, value, ...}]}``."""
    doc = {"machine": machine, "figures": [asdict(f) for f in figures]}
    Path(path).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
