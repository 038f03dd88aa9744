"""Turn candidates into entities (one per name, all mentions, original offsets) and code URLs."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace

from kg.extract.clean import Cleaned
from kg.extract.kb import KnowledgeBase, name_key as entity_key  # memoised entity_key
from kg.extract.rules import Cand
from kg.extract.urls import classify, find_urls
from kg.extract.model import Scorer
from kg.keys import kb_id, url_key
from kg.model import CodeUrl, Entity, Mention

__all__ = ["assemble", "code_urls", "proposals", "Proposal"]

Fields = dict[str, tuple[str, Cleaned, list[Cand]]]
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
_SENT_FAST = re.compile(r"[.!?](\s+)(?=[A-Z0-9\"“(\[])")  # _SENT's breaks as group 1, found faster
# what a longer name adds to a KB name: capitalised or numbered words ("Claude 3" + " Sonnet"), not " benchmark"
_LONGER = re.compile(r"(?:[ \-](?:v?\d[\w.]*|[A-Z][\w.]*))+")
_LONGEST = 200  # characters: no candidate name is longer (the overlap test looks no further back)
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
        n = c.entry.name
        if c.rule == "kb" and len(c.surface) > len(n) and c.surface.lower().startswith(n.lower()) \
                and _LONGER.fullmatch(c.surface, len(n)):
            return c.surface  # the text's longer name is never cut to a shorter KB name: "Claude 3 Sonnet", "E5-Mistral"
        return n
    if c.target:
        return c.target
    return c.surface


@dataclass(slots=True)
class Proposal:
    """One candidate entity of a paper (a group of candidates sharing a key) with the rules' decision."""

    key: str
    members: list[tuple[str, Cand]]  # every candidate of the group: (field, candidate)
    kind: str | None  # the rules' decision: "Method", "Dataset", or None (the rules drop it)
    proposed: bool  # the rules' role: proposed (a method) or introduced (a dataset)
    name: str = ""
    aliases: tuple[str, ...] = ()
    covered: bool = False  # every mention lies inside a longer candidate of another proposal
    covers: bool = False  # some mention holds a shorter candidate of another proposal


def _groups(fields: Fields, live_only: bool) -> dict[str, list[tuple[str, Cand]]]:
    """Candidates grouped by the key of their name, with the merges of one entity, one name."""
    groups: dict[str, list[tuple[str, Cand]]] = defaultdict(list)
    for field, (original, cleaned, cands) in fields.items():
        math = [m.span() for m in _MATH.finditer(original)] if "$" in original else []
        for c in cands:
            if live_only and not c.live:
                continue
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
    return groups


def _rule_decision(all_members: list[tuple[str, Cand]], kb: KnowledgeBase) -> tuple[str | None, bool]:
    """(kind or None when the rules drop it, proposed?) of one group's live candidates."""
    members = [(f, c) for f, c in all_members if not c.nonentity]
    if len(members) < len(all_members) and not any(c.proposed or c.strength >= 3 or f != "title" for f, c in members):
        return None, False  # "Rebar in GPR Data": the abstract defines GPR as a thing ("Ground Penetration Radar"), not a name
    if not members or all(c.rule == "title" and c.veto for _, c in members):
        return None, False  # a plain title word the abstract never uses as a name
    proposed = any(c.proposed for _, c in members)
    defined = any(c.rule == "acronym-def" for _, c in members)
    if kb.is_stop(_name_of(members[0][1])) and not proposed and not defined:
        return None, False
    if not proposed and any(c.entry is not None and c.entry.grey for _, c in members):
        return None, False  # grey zone: either answer is accepted, so do not risk a false positive
    votes: dict[str, int] = defaultdict(int)
    for _, c in members:
        votes[c.kind or ""] += c.strength + (3 if c.proposed else 0) + 1
    votes.pop("", None)
    if not votes:
        return None, False
    return max(sorted(votes), key=lambda k: votes[k]), proposed


def _naming(members: list[tuple[str, Cand]]) -> tuple[str, tuple[str, ...]]:
    """(preferred name, other spellings) of a group: the KB's name, else the acronym, else the first name."""
    known = next((c for _, c in members if c.entry is not None), None)
    acronym = next((c.target or c.surface for _, c in members if c.long or c.target), None)
    names = [_name_of(c) for _, c in members]
    name = _name_of(known) if known else (acronym if acronym else min(names, key=lambda n: (n.endswith("s") and n[:-1] in names, names.index(n))))
    aliases: list[str] = [known.entry.name] if known and known.entry and name != known.entry.name else []
    for _, c in sorted(members, key=lambda fc: (fc[0] != "title", fc[1].start)):
        for s in (c.surface, c.long):
            if s and s != name and s not in aliases:
                aliases.append(s)
    return name, tuple(aliases)


def proposals(fields: Fields, kb: KnowledgeBase, *, live_only: bool = False) -> list[Proposal]:
    """Every candidate entity of one paper with the rules' decision (``live_only``: only what the rules report)."""
    out = []
    for key, all_members in _groups(fields, live_only).items():
        live = [(f, c) for f, c in all_members if c.live]
        kind, proposed = _rule_decision(live, kb) if live else (None, False)
        members = [(f, c) for f, c in (live if kind else all_members) if not c.nonentity] or all_members
        name, aliases = _naming(members)
        out.append(Proposal(key, all_members, kind, proposed, name, aliases))
    if not live_only:
        _overlaps(out)
    return out


def _overlaps(props: list[Proposal]) -> None:
    """Mark proposals whose mentions lie inside another's longer span, and those holding another's.

    Spans are sorted by start and only those starting at most ``_LONGEST`` characters before a mention
    are compared with it, so the work stays linear in the text (a name is never that long).
    """
    by_field: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, p in enumerate(props):
        for f, c in p.members:
            by_field[f].append((c.start, c.end, i))
    starts: dict[str, list[int]] = {}
    for f, spans in by_field.items():
        spans.sort()
        starts[f] = [a for a, _, _ in spans]
    for i, p in enumerate(props):
        inside = 0
        for f, c in p.members:
            spans, st, n = by_field[f], starts[f], c.end - c.start
            lo, hi = bisect_left(st, c.start - _LONGEST), bisect_right(st, c.end)
            near = spans[lo:hi]
            if any(a <= c.start and c.end <= b and b - a > n and j != i for a, b, j in near):
                inside += 1
            if not p.covers and any(c.start <= a and b <= c.end and b - a < n and j != i for a, b, j in near):
                p.covers = True
        p.covered = inside == len(p.members)


def _entity(p: Proposal, kind: str, proposed: bool, fields: Fields,
            bounds: dict[str, tuple[list[int], list[int]]]) -> Entity | None:
    members = [(f, c) for f, c in p.members if not c.nonentity and (c.live or p.kind is None)] or p.members
    mentions: list[Mention] = []
    seen: set[tuple[str, int, int]] = set()
    for field, c in sorted(members, key=lambda fc: (fc[0] != "title", fc[1].start)):
        original, cleaned, _ = fields[field]
        a, b = cleaned.span(c.start, c.end)
        if (field, a, b) in seen or b <= a:
            continue
        seen.add((field, a, b))
        if field not in bounds:
            bounds[field] = _bounds(cleaned.text)
        sentence = _sentence(cleaned.text, c.start, c.end, bounds[field])
        mentions.append(Mention(field, a, b, sentence, c.rule))
    if not mentions:
        return None
    role = ("proposed" if proposed else "mentioned") if kind == "Method" else ("introduced" if proposed else "used")
    # the evidence identity needs (kg.graph): the KB entry, and the long form the text defines
    entry = next((c.entry for _, c in members if c.entry is not None), None)
    long_form = next((c.long for _, c in members if c.long), None) or next(
        (c.surface for _, c in members if c.target), None)
    return Entity(kind, entity_key(p.name), p.name, role, p.aliases, tuple(mentions),
                  kb_id(entry.kind, entry.name) if entry else None, long_form)


def assemble(fields: Fields, kb: KnowledgeBase, scorer: Scorer | None = None) -> tuple[tuple[Entity, ...], tuple[Entity, ...]]:
    """(methods, datasets) of one paper; ``scorer`` decides each proposal (None: the rules decide)."""
    props = proposals(fields, kb, live_only=scorer is None)
    decided = [(p, p.kind, p.proposed) for p in props if p.kind] if scorer is None else scorer.decide(props, fields, kb)
    methods: list[Entity] = []
    datasets: list[Entity] = []
    bounds: dict[str, tuple[list[int], list[int]]] = {}
    for p, kind, proposed in decided:
        ent = _entity(p, kind, proposed, fields, bounds)
        if ent is not None:
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
    for k in [k for k, ms in groups.items() if k[-1:] == "b" and any(c.live and _SIZE.match(c.surface) for _, c in ms)]:
        m = next(m for _, c in groups[k] if c.live and (m := _SIZE.match(c.surface)))
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
