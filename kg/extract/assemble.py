"""Turn candidates into entities (one per name, all mentions, original offsets) and code URLs."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import replace

from kg.extract.clean import Cleaned
from kg.extract.kb import KnowledgeBase, _key as entity_key  # memoised entity_key
from kg.extract.rules import Cand
from kg.extract.urls import classify, find_urls
from kg.keys import kb_id, url_key
from kg.model import CodeUrl, Entity, Mention

__all__ = ["assemble", "code_urls"]

Fields = dict[str, tuple[str, Cleaned, list[Cand]]]
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
_SENT_FAST = re.compile(r"[.!?](\s+)(?=[A-Z0-9\"“(\[])")  # _SENT's breaks as group 1, found faster
_MATH = re.compile(r"(?<!\\)\$[^$]{1,300}\$")
_ALLCAPS = re.compile(r"[A-Z]{2,5}")


def _bounds(text: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of every sentence break in ``text``, found once per field."""
    ms = list(_SENT_FAST.finditer(text))
    return [m.start(1) for m in ms], [m.end() for m in ms]


def _sentence(text: str, start: int, end: int, bounds: tuple[list[int], list[int]] | None = None) -> str:
    """The sentence of ``text`` holding [start, end), whitespace collapsed (at most 600 characters either side).

    Same result as searching ``_SENT`` in the windows [start - 600, start) and [end, end + 600): a break
    counts on the left when it starts in the window and ends before ``start`` (its look-ahead needs a
    character inside the window), on the right when it starts at or after ``end`` and ends before end + 600.
    """
    ps, qs = bounds if bounds is not None else _bounds(text)
    lo = max(0, start - 600)
    i = bisect_left(qs, start) - 1
    a = qs[i] if i >= 0 and ps[i] >= lo else lo
    j = bisect_left(ps, end)
    b = ps[j] if j < len(ps) and qs[j] < end + 600 else min(len(text), end + 600)
    return " ".join(text[a:b].split())


def _name_of(c: Cand) -> str:
    if c.entry is not None:
        return c.entry.name
    if c.target:
        return c.target
    return c.surface


def assemble(fields: Fields, kb: KnowledgeBase) -> tuple[tuple[Entity, ...], tuple[Entity, ...]]:
    """(methods, datasets) of one paper from each field's (original text, clean text, candidates)."""
    groups: dict[str, list[tuple[str, Cand]]] = defaultdict(list)
    for field, (original, cleaned, cands) in fields.items():
        math = [m.span() for m in _MATH.finditer(original)] if "$" in original else []
        for c in cands:
            if math and c.strength < 3 and not c.proposed:
                a = cleaned.span(c.start, c.end)[0]
                if any(x < a < y for x, y in math):
                    continue  # letters of a formula ("$\\sqrt{dkT}$"), not a name
            groups[entity_key(_name_of(c))].append((field, c))
    # plural and singular of one unknown name are one entity ("GFlowNets", "GFlowNet")
    for k in [k for k in groups if k.endswith("s") and k[:-1] in groups]:
        groups[k[:-1]].extend(groups.pop(k))
    _merge_initials(groups)
    _merge_sizes(groups)
    methods: list[Entity] = []
    datasets: list[Entity] = []
    bounds: dict[str, tuple[list[int], list[int]]] = {}
    for key, all_members in groups.items():
        members = [(f, c) for f, c in all_members if not c.nonentity]
        if len(members) < len(all_members) and not any(c.proposed or c.strength >= 3 or f != "title" for f, c in members):
            continue  # "Rebar in GPR Data": the abstract defines GPR as a thing ("Ground Penetration Radar"), not a name
        if not members or all(c.rule == "title" and c.veto for _, c in members):
            continue  # a plain title word the abstract never uses as a name
        proposed = any(c.proposed for _, c in members)
        defined = any(c.rule == "acronym-def" for _, c in members)
        if kb.is_stop(_name_of(members[0][1])) and not proposed and not defined:
            continue
        if not proposed and any(c.entry is not None and c.entry.grey for _, c in members):
            continue  # grey zone: either answer is accepted, so do not risk a false positive
        votes: dict[str, int] = defaultdict(int)
        for _, c in members:
            votes[c.kind or ""] += c.strength + (3 if c.proposed else 0) + 1
        votes.pop("", None)
        if not votes:
            continue
        kind = max(sorted(votes), key=lambda k: votes[k])
        entry = next((c.entry for _, c in members if c.entry is not None), None)
        acronym = next((c.target or c.surface for _, c in members if c.long or c.target), None)
        names = [_name_of(c) for _, c in members]
        name = entry.name if entry else (acronym if acronym else min(names, key=lambda n: (n.endswith("s") and n[:-1] in names, names.index(n))))
        aliases: list[str] = []
        mentions: list[Mention] = []
        seen: set[tuple[str, int, int]] = set()
        for field, c in sorted(members, key=lambda fc: (fc[0] != "title", fc[1].start)):
            original, cleaned, _ = fields[field]
            a, b = cleaned.span(c.start, c.end)
            for s in (c.surface, c.long):
                if s and s != name and s not in aliases:
                    aliases.append(s)
            if (field, a, b) in seen or b <= a:
                continue
            seen.add((field, a, b))
            if field not in bounds:
                bounds[field] = _bounds(cleaned.text)
            sentence = _sentence(cleaned.text, c.start, c.end, bounds[field])
            mentions.append(Mention(field, a, b, sentence, c.rule))
        if not mentions:
            continue
        role = ("proposed" if proposed else "mentioned") if kind == "Method" else ("introduced" if proposed else "used")
        # the evidence identity needs (kg.graph): the KB entry, and the long form the text defines
        long_form = next((c.long for _, c in members if c.long), None) or next(
            (c.surface for _, c in members if c.target), None)
        ent = Entity(kind, entity_key(name), name, role, tuple(aliases), tuple(mentions),
                     kb_id(entry.kind, entry.name) if entry else None, long_form)
        (methods if kind == "Method" else datasets).append(ent)
    _own_variants(methods, kb)
    order = lambda e: (e.mentions[0].field != "title", e.mentions[0].start)  # noqa: E731
    return tuple(sorted(methods, key=order)), tuple(sorted(datasets, key=order))


def _own_variants(methods: list[Entity], kb: KnowledgeBase) -> None:
    """An unknown name that extends a proposed name with a hyphenated suffix is the paper's too.

    "we fine-tune LLaVA to build FailSafe-VLM" in a paper proposing FailSafe; PE-DQN and PE-SAC of PE.
    """
    if not any(e.role == "mentioned" and "-" in e.name for e in methods):
        return
    own = tuple(n + "-" for e in methods if e.role == "proposed" for n in (e.name, *e.aliases) if len(n) >= 2)
    if not own:
        return
    for i, e in enumerate(methods):
        if e.role == "mentioned" and e.name.startswith(own) and kb.lookup(e.name) is None:
            methods[i] = replace(e, role="proposed")


_INITIAL_SPLIT = re.compile(r"[\s\-]+")
_SIZE = re.compile(r"^(.+?)[-_ ]\d+(?:\.\d+)?[Bb]$")  # "EmboBrain-7B", "InteractiveOmni-4B"


def _merge_sizes(groups: dict[str, list[tuple[str, Cand]]]) -> None:
    """A model name with a parameter-count suffix is the same model as the bare name in the same paper.

    "we cultivate EmboBrain ... EmboBrain-7B surpasses ...": one entity, EmboBrain (ANNOTATION.md: one
    entity, one name). Only the billions suffix of a model size, not "-1M" of a data size.
    """
    for k in [k for k, ms in groups.items() if k[-1:] == "b" and any(_SIZE.match(c.surface) for _, c in ms)]:
        m = next(m for _, c in groups[k] if (m := _SIZE.match(c.surface)))
        base = entity_key(m.group(1))
        if base != k and base in groups and all(c.kind != "Dataset" for _, c in groups[k] + groups[base]):
            groups[base].extend(groups.pop(k))


def _merge_initials(groups: dict[str, list[tuple[str, Cand]]]) -> None:
    """An undefined, unknown acronym spelling the initials of a known name in the same paper is that entity.

    "surpassing existing GS and NeRF-based methods" in a paper that names Gaussian Splatting: GS is it.
    """
    short = [k for k, ms in groups.items() if 2 <= len(k) <= 5 and k.isalpha() and all(
        c.entry is None and not c.long and not c.target and not c.proposed and _ALLCAPS.fullmatch(c.surface) for _, c in ms)]
    if not short:
        return
    initials: dict[str, str] = {}
    for k, ms in groups.items():
        e = next((c.entry for _, c in ms if c.entry is not None), None)
        for s in ((e.name, *e.aliases) if e is not None else ()):
            words = [w for w in _INITIAL_SPLIT.split(s) if w]
            if len(words) >= 2 and all(len(w) >= 3 and w[0].isalpha() for w in words):  # not "SE-Net"
                initials.setdefault("".join(w[0] for w in words).lower(), k)
    for k in short:
        target = initials.get(k)
        if target is not None and target != k:
            groups[target].extend(groups.pop(k))


def code_urls(fields: Fields) -> tuple[CodeUrl, ...]:
    """Code, model, data and project URLs of the paper, once each, with their mentions."""
    found: dict[str, tuple[str, list[Mention]]] = {}
    for field, (original, _, _) in fields.items():
        for u in find_urls(original):
            key = url_key(u.url)
            mention = Mention(field, u.start, u.end, _sentence(original, u.start, u.end), "url")
            found.setdefault(key, (u.url, []))[1].append(mention)
    out = []
    for key, (url, mentions) in found.items():
        host, owner, repo = classify(url)
        out.append(CodeUrl(url, key, host, owner, repo, tuple(mentions)))
    return tuple(out)
