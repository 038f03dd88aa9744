"""Named queries: find ``queries/NAME.rq|.cypher``, read their comment headers, bind parameters."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.errors import KGError

__all__ = ["QueryParam", "NamedQuery", "LANGS", "query_dir", "list_queries", "load_query", "bind_params"]

LANGS = {"sparql": (".rq", "#"), "cypher": (".cypher", "//")}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_PARAM = re.compile(
    r"^param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<meaning>.*?)\s*"
    r"(?:\(default\s+(?P<default>[^()]*)\))?\s*$"
)
_INT = re.compile(r"^[+-]?\d+$")


@dataclass(frozen=True, slots=True)
class QueryParam:
    """One ``param NAME: meaning (default X)`` header line; ``default`` None means required."""

    name: str
    meaning: str
    default: int | str | None = None


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query file: its name, what it answers, its parameters, its text and where it lives."""

    name: str
    description: str
    params: tuple[QueryParam, ...]
    text: str
    path: Path
    lang: str = "sparql"

    def variable(self, param: str) -> str:
        """The variable bound for ``param``: ``_NAME`` in SPARQL (``?_NAME``), ``NAME`` in Cypher."""
        return f"_{param}" if self.lang == "sparql" else param


def query_dir() -> Path:
    """Where named queries live: ``$KG_QUERIES``, else ``queries/`` next to the package (a source
    checkout), else the copy packaged as ``kg/queries``."""
    env = os.environ.get("KG_QUERIES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / "queries"
    if here.is_dir():
        return here
    return Path(str(resources.files("kg") / "queries"))


def _check_lang(lang: str) -> tuple[str, str]:
    if lang not in LANGS:
        raise KGError(f"unknown query language {lang!r}; use one of {', '.join(LANGS)}")
    return LANGS[lang]


def _parse(path: Path, lang: str) -> NamedQuery:
    _, comment = LANGS[lang]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise KGError(f"cannot read query file {path}: {e}") from e
    description: list[str] = []
    params: list[QueryParam] = []
    in_description = True
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith(comment):
            if stripped:
                break
            continue
        body = stripped[len(comment):].strip()
        if body.startswith("param ") or body.startswith("param\t"):
            m = _PARAM.match(body)
            if not m:
                raise KGError(f"{path}:{lineno}: bad parameter line {body!r}; write "
                              f"'{comment} param NAME: meaning (default X)'")
            default = m["default"]
            value: int | str | None = None
            if default is not None:
                default = default.strip()
                value = int(default) if _INT.match(default) else default
            params.append(QueryParam(m["name"], m["meaning"], value))
            in_description = False
        elif not body:
            in_description = False
        elif in_description:
            description.append(body)
    return NamedQuery(path.stem, " ".join(description), tuple(params), text, path, lang)


def list_queries(lang: str = "sparql") -> list[NamedQuery]:
    """Every named query of ``lang`` in :func:`query_dir`, sorted by name."""
    ext, _ = _check_lang(lang)
    d = query_dir()
    if not d.is_dir():
        return []
    return [_parse(p, lang) for p in sorted(d.glob(f"*{ext}"))]


def load_query(name: str, lang: str = "sparql") -> NamedQuery:
    """The named query ``name`` (``dataset-usage``) in ``lang`` (``sparql`` or ``cypher``)."""
    ext, _ = _check_lang(lang)
    d = query_dir()
    path = d / f"{name}{ext}"
    if not _NAME.match(name) or not path.is_file():
        names = [q.name for q in list_queries(lang)]
        near = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]}? " if near else ""
        raise KGError(f"no {lang} query named {name!r} in {d}; {hint}known queries: {', '.join(names) or 'none'}")
    return _parse(path, lang)


def bind_params(q: NamedQuery, given: dict[str, str]) -> dict[str, object]:
    """Parameter values for ``q``, keyed by the variable to bind (see :meth:`NamedQuery.variable`).

    Values given as text become ints where the default is an int; missing parameters take their
    default; an unknown parameter, or a missing one with no default, is a KGError.
    """
    known = {p.name: p for p in q.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        names = ", ".join(known) or "none"
        near = difflib.get_close_matches(unknown[0], list(known), n=1, cutoff=0.5)
        hint = f"did you mean {near[0]}? " if near else ""
        raise KGError(f"query {q.name} has no parameter {', '.join(unknown)}; {hint}its parameters: {names}")
    out: dict[str, object] = {}
    for p in q.params:
        if p.name in given:
            raw = given[p.name]
            if isinstance(p.default, int) and not isinstance(raw, int):
                if not _INT.match(str(raw).strip()):
                    raise KGError(f"query {q.name}: parameter {p.name} must be a whole number, "
                                  f"got {raw!r} (e.g. --param {p.name}={p.default})")
                raw = int(str(raw).strip())
            value: object = raw
        elif p.default is not None:
            value = p.default
        else:
            raise KGError(f"query {q.name} needs parameter {p.name} ({p.meaning}); "
                          f"pass --param {p.name}=VALUE")
        out[q.variable(p.name)] = value
    return out
