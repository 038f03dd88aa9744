"""Shared helpers for the source readers: file checks, decoding, field names, record -> Paper."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from kg.keys import arxiv_id_from, paper_key
from kg.model import Notice, Paper, Reject
from kg.sources.inputs import check_file, open_text

__all__ = [
    "MAX_FIELD_CHARS",
    "FIELD_NAMES",
    "check_file",
    "open_text",
    "norm_field",
    "has_paper_field",
    "bad_text",
    "snippet",
    "to_paper",
    "paper_records",
    "scrub",
    "json_type",
    "decode_json",
]

MAX_FIELD_CHARS = 1_000_000

# Accepted names of each field, in order of preference, as ``norm_field`` spells them.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "titles"),
    "abstract": ("abstract", "summary", "summaries", "description"),
    "id": ("id", "arxiv_id", "arxivid", "paper_id", "paperid"),
    "url": ("url", "arxiv_url", "abs_url", "pdf_url", "link", "links"),
    "authors": ("authors", "author"),
    "date": ("date", "daily_date", "published", "published_at", "post_date", "updated"),
    "categories": ("categories", "category", "primary_category"),
}

_SEP = re.compile(r"[\s\-]+")
# Bytes that are not UTF-8 arrive as U+DC80..U+DCFF (errors="surrogateescape"); other lone
# surrogates come from broken \u escapes in JSON. Neither can be stored or exported.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 controls other than tab, LF and CR (not allowed in XML/RDF literals), DEL and the C1 controls
# (a CSI can drive a terminal), and U+FFFE/U+FFFF (no XML parser accepts them): replaced by a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Characters that would garble a terminal when a reject is printed (controls, bidi overrides).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")


def norm_field(name: Any) -> str:
    """A field or column name as looked up: lower case, spaces and hyphens as ``_``."""
    return _SEP.sub("_", str(name).strip().lstrip("\ufeff").lower())


def has_paper_field(names: Iterable[Any]) -> bool:
    """Whether any of ``names`` is a title or abstract field."""
    wanted = set(FIELD_NAMES["title"]) | set(FIELD_NAMES["abstract"])
    return any(norm_field(n) in wanted for n in names)


def bad_text(text: str) -> str | None:
    """Why ``text`` cannot be kept (invalid UTF-8, a lone surrogate), or None."""
    m = _SURROGATE.search(text)
    if m:
        cp = ord(m.group())
        if 0xDC80 <= cp <= 0xDCFF:
            return f"invalid UTF-8 (byte 0x{cp - 0xDC00:02x}); re-save the file as UTF-8"
        return f"lone surrogate U+{cp:04X} (a broken \\u escape); fix the text"
    return None


def scrub(text: str) -> tuple[str, str | None]:
    """``text`` with control characters (see _CONTROL) replaced by spaces, and what was replaced."""
    m = _CONTROL.search(text)
    if m is None:
        return text, None
    n = len(_CONTROL.findall(text))
    more = f" and {n - 1:,} more" if n > 1 else ""
    return _CONTROL.sub(" ", text), f"control character U+{ord(m.group()):04X} at offset {m.start()}{more}"


def snippet(text: str, limit: int = 60) -> str:
    """A short, terminal-safe excerpt for a reject message."""
    s = " ".join(text.split())
    s = s[:limit] + "..." if len(s) > limit else s
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", _SURROGATE.sub("\ufffd", s))


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type with its article (``an object``), for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def decode_json(decoder: json.JSONDecoder, text: str, pos: int = 0) -> tuple[Any, int]:
    """``decoder.raw_decode`` whose two non-syntax failures are ValueErrors a user can read:
    nesting deeper than Python's recursion limit, and an integer over its 4,300-digit limit."""
    try:
        return decoder.raw_decode(text, pos)
    except RecursionError:
        raise ValueError("nested too deeply (more levels of [ and { than the parser allows)") from None
    except json.JSONDecodeError:
        raise
    except ValueError as e:
        if "integer string conversion" not in str(e):
            raise
        digits = re.search(r"value has (\d+) digits", str(e))
        n = f"{int(digits.group(1)):,} digits" if digits else "too many digits"
        raise ValueError(f"a number with {n} (the limit is {sys.get_int_max_str_digits():,})") from None


def _as_text(value: Any) -> str | None:
    """A scalar field value as text; None when absent; TypeError when it is not scalar."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError(json_type(value))


def _as_url(value: Any) -> str | None:
    """A URL from a string, a link object (``href``/``url``) or a list of them."""
    if isinstance(value, Mapping):
        return _as_text(value.get("href") or value.get("url"))
    if isinstance(value, list):
        links = [v for v in value if isinstance(v, (str, Mapping))]
        preferred = [v for v in links if isinstance(v, Mapping) and v.get("rel") == "alternate"]
        for v in preferred + links:
            url = _as_url(v)
            if url:
                return url
        return None
    return _as_text(value)


def _as_authors(value: Any) -> tuple[str, ...]:
    """Authors from a list of names, a list of objects with ``name``, or one separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        sep = ";" if ";" in value else None
        parts = value.split(";") if sep else _AUTHOR_SPLIT.split(value)
    elif isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, Mapping):
                v = v.get("name") or " ".join(
                    str(v[k]) for k in ("given", "first", "family", "last") if v.get(k)
                )
            if isinstance(v, str):
                parts.append(v)
    else:
        raise TypeError(json_type(value))
    return tuple(" ".join(p.split()) for p in parts if p and p.strip())


def _as_categories(value: Any) -> tuple[str, ...]:
    """Categories from a list of names (or objects with ``term``/``name``) or one separated string."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: list[str] = re.split(r"[\s,;]+", value)
    elif isinstance(value, list):
        parts = [v.get("term") or v.get("name") or "" if isinstance(v, Mapping) else v for v in value]
        parts = [v for v in parts if isinstance(v, str)]
    else:
        raise TypeError(json_type(value))
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _pick(fields: Mapping[str, Any], kind: str) -> tuple[str | None, Any]:
    """(name, value) of the first field of ``kind`` present with a non-empty value."""
    for name in FIELD_NAMES[kind]:
        value = fields.get(name)
        if value is not None and value != "" and value != []:
            return name, value
    return None, None


def paper_records(record: Mapping[Any, Any], source: str, line: int) -> Iterator[Paper | Reject | Notice]:
    """``to_paper`` of one record, preceded by a Notice for each field whose control characters
    were replaced."""
    notes: list[Notice] = []
    result = to_paper(record, source, line, notes)
    yield from notes
    yield result


def to_paper(record: Mapping[Any, Any], source: str, line: int,
             notes: list[Notice] | None = None) -> Paper | Reject:
    """Turn one record (field name -> value) into a Paper, or a Reject saying what is wrong.

    Control characters are replaced by spaces; ``notes`` (if given) gets a Notice for each field."""
    fields: dict[str, Any] = {}
    for k, v in record.items():
        fields.setdefault(norm_field(k), v)
    _, raw_title = _pick(fields, "title")
    _, raw_id = _pick(fields, "id")

    def reject(reason: str, title: Any = None) -> Reject:
        # Name the record by its id, else its title, else (no title) the start of its abstract.
        candidates = [raw_id, title]
        if reason.startswith("missing title"):
            candidates.append(_pick(fields, "abstract")[1])
        label = next((c for c in candidates if isinstance(c, (str, int)) and str(c).strip()), "")
        return Reject(source, line, reason, snippet(str(label)))

    values: dict[str, Any] = {}
    kind = ""
    try:
        for kind in ("title", "abstract", "id", "date"):
            values[kind] = _as_text(_pick(fields, kind)[1])
        kind = "url"
        urls = [u for u in (_as_url(fields.get(n)) for n in FIELD_NAMES["url"]) if u]
        kind = "authors"
        authors = _as_authors(_pick(fields, "authors")[1])
        kind = "categories"
        categories = _as_categories(_pick(fields, "categories")[1])
    except TypeError as e:
        return reject(f"{kind} holds {e} where text was expected")
    title_raw = values["title"]
    texts = {**{k: v for k, v in values.items() if v}, "url": " ".join(urls), "authors": " ".join(authors),
             "categories": " ".join(categories)}
    for kind, text in texts.items():
        if len(text) > MAX_FIELD_CHARS:
            return reject(
                f"{kind} is {len(text):,} characters, over the limit of {MAX_FIELD_CHARS:,}; "
                "shorten it or fix the record",
                title_raw if kind != "title" else None,
            )
    for kind, text in texts.items():
        why = bad_text(text)
        if why:
            return reject(f"{kind}: {why}", title_raw)
    for kind in [k for k, t in texts.items() if _CONTROL.search(t)]:
        if kind in values:
            values[kind], what = scrub(values[kind])
        elif kind == "url":
            urls = [scrub(u)[0] for u in urls]
            what = "control characters"
        elif kind == "authors":
            authors = tuple(" ".join(scrub(a)[0].split()) for a in authors)
            what = "control characters"
        else:
            categories = tuple(scrub(c)[0].strip() for c in categories)
            what = "control characters"
        if notes is not None:
            notes.append(Notice(source, line, f"{kind}: {what} replaced by a space"))
    title_raw = values["title"]
    title = " ".join(title_raw.split()) if title_raw else ""
    abstract = values["abstract"].strip() if values["abstract"] else ""
    if not title or not abstract:
        missing = " and ".join(k for k, v in (("title", title), ("abstract", abstract)) if not v)
        if not has_paper_field(fields):
            found = ", ".join(sorted(map(str, fields)))[:200] or "none"
            return reject(f"missing {missing} (fields found: {found})")
        return reject(f"missing {missing}", title)
    ident = values["id"].strip() if values["id"] else None
    arxiv_id = arxiv_id_from(ident, *urls)
    if not arxiv_id and not re.search(r"\w", title):
        return reject("title has no letters or digits and there is no arXiv id to identify the paper", title)
    url = urls[0].strip() if urls else None
    if not url and ident and re.match(r"https?://", ident):
        url = ident
    return Paper(
        key=paper_key(title, arxiv_id),
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        url=url,
        authors=authors,
        date=values["date"].strip() if values["date"] else None,
        source=source,
        line=line,
        categories=categories,
    )
