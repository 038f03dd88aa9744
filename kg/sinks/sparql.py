"""SPARQL results as plain Python: parameters as literals, values as str/int/float/None, and a
final ORDER BY of plain variables applied in Python (Oxigraph's on-disk sort is slow)."""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Literal

from kg.errors import SinkError

__all__ = ["split_order_by", "sort_rows", "literal", "plain"]

# A final ORDER BY of plain variables is applied in Python: Oxigraph's sort decodes both compared
# strings from RocksDB at each comparison (6 s for 8k titles on disk here; Python: milliseconds).
_ORDER_BY = re.compile(r"\bORDER\s+BY((?:\s*(?:(?:ASC|DESC)\s*\(\s*\?\w+\s*\)|\?\w+))+)\s*$", re.I)
_ORDER_KEY = re.compile(r"(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", re.I)
_INTEGER = {"http://www.w3.org/2001/XMLSchema#" + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong")}
_FLOAT = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("decimal", "double", "float")}


def split_order_by(sparql: str) -> tuple[str, list[tuple[str, bool]]]:
    """``sparql`` without a final ``ORDER BY`` made only of ``?var``/``ASC(?var)``/``DESC(?var)``,
    and those keys as ``(variable, descending)``; the text unchanged and ``[]`` otherwise."""
    m = _ORDER_BY.search(sparql)
    if not m:
        return sparql, []
    keys = [(k.group(2) or k.group(3), (k.group(1) or "").upper() == "DESC") for k in _ORDER_KEY.finditer(m.group(1))]
    return sparql[:m.start()], keys


def sort_rows(rows: list[list[object]], names: list[str], order: list[tuple[str, bool]]) -> None:
    """Sort rows of pyoxigraph terms in place by ``order`` (stable sorts, last key first)."""
    for var, desc in reversed(order):
        i = names.index(var)
        rows.sort(key=lambda r: _order_key(r[i]), reverse=desc)


def _order_key(term: object) -> tuple:
    """SPARQL's ORDER BY rank of a term: unbound, blank nodes, IRIs, then literals (numbers by
    value, other literals by lexical form, codepoint order, as Oxigraph compares them)."""
    if term is None:
        return (0, 0, "")
    if isinstance(term, Literal):
        dt = term.datatype.value
        if dt in _INTEGER or dt in _FLOAT:
            return (3, 0, float(term.value))
        return (3, 1, term.value)
    return (1 if isinstance(term, BlankNode) else 2, 0, term.value)


def literal(name: str, value: object) -> Literal:
    if value is None or not isinstance(value, (str, int, float, bool)):
        raise SinkError(f"query parameter {name}={value!r} must be a str, int, float or bool")
    return Literal(value)


def plain(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = term.datatype.value
        if dt in _INTEGER:
            return int(term.value)
        if dt in _FLOAT:
            return float(term.value)
        return term.value
    return getattr(term, "value", str(term))
