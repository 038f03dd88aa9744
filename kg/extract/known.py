"""Known entities after extraction: senses of shared names, where known entities come from, who may propose them."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from kg.errors import ExtractionError
from kg.extract.kb import KnowledgeBase, name_key as entity_key, yaml_data  # memoised entity_key
from kg.keys import arxiv_iri, kb_id, long_form_key
from kg.model import Entity, Extraction, Paper

__all__ = ["Sense", "Source", "Concept", "Known", "SENSES_FILE", "SOURCES_FILE", "CONCEPTS_FILE"]

_DATA = Path(__file__).parent / "data"
SENSES_FILE = _DATA / "kb_senses.yaml"
SOURCES_FILE = _DATA / "kb_sources.yaml"
CONCEPTS_FILE = _DATA / "kb_concepts.yaml"
_CONCEPT_KINDS = ("concept", "task", "field", "metric", "other")
_KINDS = {"method": "Method", "dataset": "Dataset", "metric": None, "task": None}
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
# the last word of a defined long form that names a task or a metric, not a method: "Named Entity Recognition (NER)"
_TASK_HEADS = frozenset({"recognition", "discovery", "localization", "localisation", "quantification",
                         "answering", "understanding", "mind", "on", "tryon", "estimation", "forecasting",
                         "tracking", "detection", "segmentation", "classification", "summarization",
                         "summarisation", "translation", "interpolation", "grounding", "tracing", "scoring",
                         "observation", "driving", "production", "medicine", "design", "divergence",
                         "information", "governance", "privacy", "protocol",
                         "score", "index", "metric"})  # a coined "X Score" is a metric (ANNOTATION.md rule 3)


@dataclass(frozen=True, slots=True)
class Sense:
    """One sense of a shared name: node key ``<name key>~<id>``; ``kind`` None for a metric or task."""

    key: str
    kind: str | None
    name: str
    kb_id: str
    longs: frozenset[str]
    spellings: frozenset[str]  # entity keys of spellings only this sense has
    cues: tuple[str, ...]
    generic: bool = False  # a setting or technique older than the corpus: never proposed


@dataclass(frozen=True, slots=True)
class Source:
    """Where a known entity comes from: the introducing paper's arXiv id, or a year; or generic."""

    arxiv: str | None = None
    year: int | None = None
    generic: bool = False


@dataclass(frozen=True, slots=True)
class Concept:
    """A well-known older concept outside the knowledge base (``kb_concepts.yaml``): ``kind``
    ``concept`` (a textbook technique or component: one known node, never proposed) or ``task``,
    ``field``, ``metric``, ``other`` (never an entity); ``names``: entity keys it is matched by
    without a long form; ``longs``: its long-form keys without hyphens."""

    name: str
    kind: str
    names: frozenset[str]
    longs: frozenset[str]
    key: str = ""  # node key: <name key>~<first long form>, a sense apart from the bare name's node


def _joined(long_form: str) -> str:
    """A long form's key without its hyphens: "feed-forward networks" = "feedforward network"."""
    return long_form_key(long_form).replace("-", "")


def _yaml(path: Path) -> list:
    try:
        data = yaml_data(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as e:
        raise ExtractionError(f"{path}: cannot read ({e})") from e
    if not isinstance(data, list):
        raise ExtractionError(f"{path}: expected a list of entries")
    return data


def _prefix(a: str, b: str) -> bool:
    """One word starts the other (``grad`` / ``gradient``), at least three letters shared."""
    return min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a))


def _close(a: str, b: str) -> bool:
    """Two long-form keys with the same words up to spelling: each pair shares its first four
    letters (``segmentation-anything-model`` / ``segment-anything-model``)."""
    wa, wb = a.split("-"), b.split("-")
    return len(wa) == len(wb) > 1 and all(x == y or (len(x) >= 4 and len(y) >= 4 and x[:4] == y[:4])
                                          for x, y in zip(wa, wb))


def _aliases(e: Entity, surfaces: set[str], name: str) -> tuple[str, ...]:
    """The paper's spellings of an entity renamed to ``name``: its aliases and, when the text
    writes it, its old name (a knowledge-base name of another sense is left out)."""
    return tuple(sorted({*e.aliases, *(n for n in (e.name,) if n in surfaces)} - {name}))


def _paper_year(p: Paper) -> int | None:
    if p.date and p.date[:4].isdigit():
        return int(p.date[:4])
    if p.arxiv_id and re.match(r"\d{4}\.", p.arxiv_id):
        return 2000 + int(p.arxiv_id[:2])
    return None


class Known:
    """Senses (``kb_senses.yaml``) and sources (``kb_sources.yaml``) of known entities, applied to
    each extraction: :meth:`apply` is a function of the paper's own text and these files only."""

    def __init__(self, kb: KnowledgeBase, senses: Path = SENSES_FILE, sources: Path = SOURCES_FILE,
                 concepts: Path = CONCEPTS_FILE) -> None:
        self.kb = kb
        self.senses: dict[str, tuple[Sense, ...]] = {}
        self.by_kb: dict[str, tuple[str, Sense]] = {}
        self.sources: dict[str, Source] = {}
        self.unmatched: list[str] = []  # source entries naming no knowledge-base entry
        for rec in _yaml(senses) if Path(senses).exists() else []:
            self._add_senses(rec)
        for rec in _yaml(sources) if Path(sources).exists() else []:
            self._add_source(rec)
        self.concept_names: dict[str, Concept] = {}
        self.concept_longs: dict[str, Concept] = {}
        self.concept_short: dict[str, Concept] = {}  # by the entry's own name: for long forms ending in one
        for rec in _yaml(concepts) if Path(concepts).exists() else []:
            self._add_concept(rec, Path(concepts))

    def _add_senses(self, rec: dict) -> None:
        nk = entity_key(str(rec["name"]))
        out = []
        for s in rec.get("senses") or []:
            kind = _KINDS[str(s.get("type", "method"))]
            key = f"{nk}~{s['id']}"
            entry = self.kb.lookup(str(s["kb"])) if s.get("kb") else None
            spellings = {entity_key(x) for x in ((entry.name, *entry.aliases) if entry else ())} - {nk}
            longs = [str(x) for x in s.get("long") or ()]
            sense = Sense(key, kind, entry.name if entry else str(rec["name"]),
                          kb_id(entry.kind, entry.name) if entry else f"{(kind or 'metric').lower()}:{key}",
                          frozenset(long_form_key(x) for x in longs),
                          frozenset(spellings | {entity_key(x) for x in longs}),
                          tuple(str(c).lower() for c in s.get("cues") or ()), bool(s.get("generic")))
            out.append(sense)
            if entry is not None:
                self.by_kb[sense.kb_id] = (nk, sense)
        self.senses[nk] = tuple(out)

    def _add_source(self, rec: dict) -> None:
        entry = self.kb.lookup(str(rec["name"]))
        kind = _KINDS.get(str(rec.get("type", "")).lower())
        if entry is None or entry.kind != kind:
            self.unmatched.append(str(rec["name"]))
            return
        arxiv = rec.get("arxiv")
        year = rec.get("year") or (2000 + int(str(arxiv)[:2]) if arxiv else None)
        self.sources[kb_id(entry.kind, entry.name)] = Source(str(arxiv) if arxiv else None, year, bool(rec.get("generic")))

    def _add_concept(self, rec: dict, path: Path) -> None:
        kind = str(rec.get("kind", ""))
        if kind not in _CONCEPT_KINDS:
            raise ExtractionError(f"{path}: concept {rec.get('name')!r} has kind {kind!r}; use one of {', '.join(_CONCEPT_KINDS)}")
        longs = [str(x) for x in rec.get("long") or ()]
        names = [str(rec["name"]), *(str(x) for x in rec.get("aliases") or ())] if rec.get("by_name") else []
        c = Concept(str(rec["name"]), kind, frozenset(entity_key(x) for x in names + longs),
                    frozenset(_joined(x) for x in longs), f"{entity_key(str(rec['name']))}~{long_form_key(longs[0])}")
        for k in c.names:
            self.concept_names.setdefault(k, c)
        self.concept_short.setdefault(entity_key(c.name), c)
        for k in c.longs:
            self.concept_longs.setdefault(k, c)

    # ---- applying ----------------------------------------------------------------------------
    def apply(self, ex: Extraction) -> Extraction:
        """``ex`` with each entity resolved to its sense, roles of known entities checked, and
        their public IRIs; a mention resolved to a metric sense is dropped (metrics are no entities)."""
        p = ex.paper
        texts = {"title": p.title or "", "abstract": p.abstract or ""}
        year = _paper_year(p)
        methods = tuple(r for e in ex.methods if (r := self._entity(e, p, texts, year)) is not None)
        datasets = tuple(r for e in ex.datasets if (r := self._entity(e, p, texts, year)) is not None)
        if methods == ex.methods and datasets == ex.datasets:
            return ex
        return replace(ex, methods=methods, datasets=datasets)

    def _entity(self, e: Entity, p: Paper, texts: dict[str, str], year: int | None) -> Entity | None:
        surfaces = {texts.get(m.field, "")[m.start:m.end] for m in e.mentions} - {""}
        if e.kb_id is None:  # a known name the extractor did not link ("GradCAM" defined in full)
            entry = self.kb.lookup(e.name)
            if entry is not None and entry.kind == e.kind and not entry.grey:
                linked = replace(e, kb_id=kb_id(entry.kind, entry.name), key=entity_key(entry.name))
                if not linked.long_form or self._agrees(replace(linked, name=entry.name), surfaces):
                    e = linked
        shared = self._shared_name(e, surfaces)
        if shared is None and e.kb_id is None and (c := self._concept(e)) is not None:
            if c.kind != "concept":
                return None  # a task, field or metric the text names: never an entity (ANNOTATION.md)
            return replace(e, kb_id=f"{e.kind.lower()}:{c.key}", key=c.key, name=c.name, same_as=(),
                           role="mentioned" if e.kind == "Method" else "used", aliases=_aliases(e, surfaces, c.name))
        if shared is not None:
            r = self._sense(e, shared, surfaces)
            if r is None:
                return None
            e = r
        elif e.kb_id is not None and e.long_form and not self._agrees(e, surfaces):
            # the text defines the name otherwise than the knowledge base: the text wins
            short = self._short(e, surfaces)
            e = replace(e, kb_id=None, key=entity_key(short), name=short,
                        aliases=_aliases(e, surfaces, short), same_as=())
        e = self._role(e, p, year)
        src = self.sources.get(e.kb_id or "")
        if src is not None and src.arxiv:
            e = replace(e, same_as=(arxiv_iri(src.arxiv),))
        return e

    def _concept(self, e: Entity) -> Concept | None:
        """The well-known concept ``e`` is: by the long form the text gives ("Feed-Forward Network
        (FFN)", also "gated feed-forward network (FFN)" for the concept's own name), else by name;
        a long form of another sense ("Fourier Feature Network (FFN)") is the text's own."""
        if e.long_form:
            lk = _joined(e.long_form)
            c = self.concept_longs.get(lk) or self.concept_names.get(e.key) or self.concept_short.get(e.key)
            return c if c is not None and (lk in c.longs or any(lk.endswith(x) for x in c.longs)) else None
        return next((self.concept_names[k] for k in (e.key, *sorted(entity_key(a) for a in e.aliases))
                     if k in self.concept_names), None)

    def _shared_name(self, e: Entity, surfaces: set[str]) -> str | None:
        if e.kb_id in self.by_kb:
            return self.by_kb[e.kb_id][0]
        for k in (e.key, *(entity_key(s) for s in sorted(surfaces)), *(entity_key(a) for a in e.aliases)):
            if k in self.senses:
                return k
        return None

    def _sense(self, e: Entity, nk: str, surfaces: set[str]) -> Entity | None:
        senses = self.senses[nk]
        chosen: Sense | None = None
        if e.long_form:
            lk = long_form_key(e.long_form)
            chosen = next((s for s in senses if lk in s.longs), None) or next(
                (s for s in senses if any(_close(lk, x) for x in s.longs)), None) or next(
                (s for s in senses if "-" in lk and any(x.endswith("-" + lk) for x in s.longs)), None)  # "Test-Time Adaptation (TTA)" read as "Time Adaptation"
            if chosen is None:  # a sense the text defines and the knowledge base does not know
                short = self._short(e, surfaces, nk)
                return replace(e, kb_id=None, key=nk, name=short, same_as=(),
                               aliases=_aliases(e, surfaces, short))
        if chosen is None:
            keys = {entity_key(s) for s in surfaces} - {nk}
            hits = [s for s in senses if keys & s.spellings]
            chosen = hits[0] if len(hits) == 1 else None
        if chosen is None:
            words = set(_WORD.findall(" ".join(m.sentence for m in e.mentions).lower()))
            score = {s: sum(1 for c in s.cues if c in words) for s in senses}
            best = max(score.values(), default=0)
            top = [s for s in senses if score[s] == best]
            chosen = top[0] if best > 0 and len(top) == 1 else None
        if chosen is None:  # the text cannot tell: the name node, visibly ambiguous
            short = self._short(e, surfaces, nk)
            return replace(e, kb_id=None, key=nk, name=short, long_form=None, same_as=(),
                           aliases=_aliases(e, surfaces, short))
        if chosen.kind is None:
            return None
        role = ("mentioned" if e.kind == "Method" else "used") if chosen.generic else e.role
        return replace(e, kb_id=chosen.kb_id, key=chosen.key, name=chosen.name, role=role,
                       aliases=_aliases(e, surfaces, chosen.name))

    def _agrees(self, e: Entity, surfaces: set[str]) -> bool:
        """Whether the long form the text gives fits the knowledge-base entry (same long form, or
        the same first word: "Low Rank Adaptation" fits LoRA, "Localized Region Attention" does not).
        Where the entry has no long form to compare, a paper proposing the name defines its own."""
        entry = self.kb.lookup(e.name)
        if entry is None:
            return True
        # spellings of the short name ("Grad CAM" of Grad-CAM) are no long forms
        short = {entity_key(x) for x in surfaces} - {entity_key(e.long_form or "")}
        longs = [long_form_key(s) for s in (entry.name, *entry.aliases)
                 if len(s.split()) >= 2 and entity_key(s) not in short]
        if not longs:
            return e.role not in ("proposed", "introduced")
        lk = long_form_key(e.long_form or "")
        return any(lk == x or _prefix(lk.split("-")[0], x.split("-")[0]) or _close(lk, x) for x in longs)

    @staticmethod
    def _short(e: Entity, surfaces: set[str], nk: str | None = None) -> str:
        """The short name as the paper writes it (the acronym, not the long form)."""
        lk = entity_key(e.long_form) if e.long_form else None
        pool = sorted(s for s in surfaces if entity_key(s) != lk and (nk is None or entity_key(s) == nk))
        return min(pool, key=lambda s: (len(s), s)) if pool else e.name

    def _role(self, e: Entity, p: Paper, year: int | None) -> Entity:
        """Known entities are proposed (introduced) only by their own paper; tasks never are."""
        if e.role not in ("proposed", "introduced"):
            return e
        down = "mentioned" if e.kind == "Method" else "used"
        if e.kb_id is not None:
            entry = self.kb.lookup(e.name)
            src = self.sources.get(e.kb_id)
            if (entry is not None and entry.grey and self.by_kb.get(e.kb_id) is None) or (src and src.generic):
                return replace(e, role=down)
            if src is not None and src.arxiv and p.arxiv_id:
                return e if p.arxiv_id == src.arxiv else replace(e, role=down)
            if src is not None and src.year and year and year > src.year:
                return replace(e, role=down)
            if src is None and not e.long_form and self.by_kb.get(e.kb_id) is None:
                # a known name without a known origin, claimed as new and not defined: most likely a
                # new entity that happens to share the name (STAR, Atlas, Eagle): the paper's own
                return replace(e, kb_id=None, key=entity_key(e.name), same_as=())
            return e
        entry = self.kb.lookup(e.name)
        if self.kb.is_stop(e.name) or (entry is not None and entry.grey):
            return replace(e, role=down)  # a task, metric or broad family the text defines ("RL")
        if e.long_form and e.kind == "Method":  # (datasets are named after tasks: AnAn Accident Detection)
            words = re.findall(r"[a-z0-9]+", e.long_form.lower())
            if words and words[-1] in _TASK_HEADS:
                return replace(e, role=down)
        return e
