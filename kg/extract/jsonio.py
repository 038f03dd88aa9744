"""The public ``kg extract`` JSON contract: Extraction <-> one JSON object per paper."""

from __future__ import annotations

from kg.errors import ExtractionError
from kg.keys import entity_key, url_key
from kg.model import CodeUrl, Entity, Extraction, Mention, Paper

__all__ = ["extraction_to_json", "extraction_from_json"]

_MENTION_FIELDS = ("field", "start", "end", "sentence", "rule")


def _mentions(ms: tuple[Mention, ...]) -> list[dict]:
    return [{f: getattr(m, f) for f in _MENTION_FIELDS} for m in ms]


def _entity(e: Entity) -> dict:
    return {"name": e.name, "key": e.key, "role": e.role, "aliases": list(e.aliases), "mentions": _mentions(e.mentions),
            "kb_id": e.kb_id, "long_form": e.long_form, "same_as": list(e.same_as)}


def extraction_to_json(ex: Extraction) -> dict:
    """``{"id", "title", "methods", "datasets", "code_urls"}`` as documented in the README."""
    return {
        "id": ex.paper.key,
        "title": ex.paper.title,
        "methods": [_entity(e) for e in ex.methods],
        "datasets": [_entity(e) for e in ex.datasets],
        "code_urls": [
            {"url": u.url, "host": u.host, "owner": u.owner, "repo": u.repo, "mentions": _mentions(u.mentions)}
            for u in ex.code_urls
        ],
    }


def _m(d: dict, where: str) -> Mention:
    try:
        return Mention(str(d["field"]), int(d["start"]), int(d["end"]), str(d.get("sentence", "")), str(d.get("rule", "")))
    except (KeyError, TypeError, ValueError) as e:
        raise ExtractionError(f"{where}: bad mention {d!r:.80} ({e}); needs field, start, end") from e


def _opt_str(v: object) -> str | None:
    return None if v is None or v == "" else str(v)


def extraction_from_json(d: dict) -> Extraction:
    """Inverse of ``extraction_to_json`` (the paper keeps only id and title)."""
    if not isinstance(d, dict) or "title" not in d:
        raise ExtractionError(f"extraction record needs at least 'title': {str(d)[:80]}")
    where = f"extraction of {str(d.get('title'))[:60]!r}"
    paper = Paper(key=str(d.get("id") or ""), title=str(d["title"]), abstract="")

    def ents(kind: str, items: list) -> tuple[Entity, ...]:
        out = []
        for e in items or []:
            try:
                name = str(e["name"])
                default = "mentioned" if kind == "Method" else "used"
                out.append(Entity(kind, str(e.get("key") or entity_key(name)), name, str(e.get("role") or default),
                                  tuple(str(a) for a in e.get("aliases") or ()),
                                  tuple(_m(m, where) for m in e.get("mentions") or ()),
                                  _opt_str(e.get("kb_id")), _opt_str(e.get("long_form")),
                                  tuple(str(x) for x in e.get("same_as") or ())))
            except (KeyError, TypeError) as err:
                raise ExtractionError(f"{where}: bad {kind.lower()} entry {e!r:.80}; needs 'name'") from err
        return tuple(out)

    urls = []
    for u in d.get("code_urls") or []:
        url = u["url"] if isinstance(u, dict) else str(u)
        if isinstance(u, dict):
            urls.append(CodeUrl(url, str(u.get("key") or url_key(url)), str(u.get("host") or "other"),
                                u.get("owner"), u.get("repo"), tuple(_m(m, where) for m in u.get("mentions") or ())))
        else:
            urls.append(CodeUrl(url, url_key(url), "other"))
    return Extraction(paper, ents("Method", d.get("methods")), ents("Dataset", d.get("datasets")), tuple(urls))
