"""Name rules on clean text: KB spans, acronym definitions, cues, coined-name shape, typing and roles."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from kg.errors import ExtractionError
from kg.extract.acronyms import find_definitions
from kg.extract.kb import KBEntry, KnowledgeBase, _key as entity_key  # memoised entity_key

__all__ = ["Cand", "Rules", "load_cues", "CUES_FILE"]

CUES_FILE = Path(__file__).parent / "data" / "cues.yaml"
M, D = "Method", "Dataset"

# Coined shape: an inner capital, two capitals, or letters mixed with digits (FedLoGe, SSE-C, YFCC4k).
_WORD = re.compile(r"(?<![\w\-.+/])(?:[A-Za-z0-9][\w\-.+∞]*?[A-Z0-9∞]|[0-9])[\w\-.+∞]*")
_SHAPE = re.compile(r"[a-z][A-Z]|[A-Z][\w.]*[A-Z]|[A-Za-z][\w.]*\d|\d[\w.]*[A-Za-z]|\w∞|[A-Za-z]-[A-Z](?![\w])|[A-Za-z]-\d")
_WEAK = re.compile(r"(?<![\w\-.+/])[a-z][a-z0-9]+(?:-[a-z0-9]+)+(?![\w\-])")
_COMPOUND = re.compile(r"(?<![\w\-/])([A-Za-z][A-Za-z\-]*?-?)(\d+[A-Za-z]?)((?:/-?\d+[A-Za-z]?)+)(-[A-Za-z][\w]*)?(?![\w/])")
_VERSION = re.compile(r"\s(?:v?\d+(?:\.\d+)+|v\d+)\b")
_DATASET_SHAPE = re.compile(r"(?:[Bb]ench(?:mark)?s?|BENCH|[Cc]orpus|[Dd]ataset|QA|-\d+[kK])$")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Eq|cf|resp|approx|etc|Sec|Tab|No)\.|\b[A-Z]\.)$")
_LIST_SEP = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|,\s*and\b|,\s*or\b|;)\s*(?:the\s+)?$")
_TITLE_PREFIX = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")
_D_HINT = re.compile(r"\b(?:on|across|using|from|in|datasets?|benchmarks?|corpora|corpus|sets?)\b", re.I)
_SLASH_NUM = re.compile(r"\d/-?\d")
_PLURAL = re.compile(r"^(.*[A-Z0-9])s$")
# URLs, e-mail addresses and file paths: nothing inside them is a name ("~ksinha4/graphlog").
_URLISH = re.compile(r"(?:https?://|www\.)\S*/ [\w.-]+(?:/\S*)?|(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|net|edu|ai|ac\.[a-z]{2}|dev|info)/\S*|[\w.+-]+@[\w-]+\.[\w.]+")
_ALLCAPS = re.compile(r"^[A-Z]{2,5}s?$")  # a bare acronym: a name only when defined, known or cued
# ACR-word compounds ("IMU-measured", "GPU-friendly") name the acronym's thing, not a new entity;
# size and release words after a hyphen stay part of the name ("BERT-base", "Qwen-chat").
_ACR_COMPOUND = re.compile(r"^([A-Z][A-Z0-9]+s?)-([a-z]{3,})$")
_KEEP_SUFFIX = {"base", "large", "small", "tiny", "huge", "giant", "mini", "nano", "micro", "medium", "chat",
                "instruct", "lite", "plus", "pro", "max", "turbo", "flash", "light", "xl", "xxl", "zero"}
_OUR_HEAD = re.compile(r"\b(?:[Oo]ur|[Ii]ts)\s+(?:[\w-]+\s+){0,2}?([a-z]+)\s*,?\s*$")
_TC_NAME = re.compile(r"\s+([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){1,3})(?=\s*(?:[,(:;.]|\s(?:which|that|to|for|as|with)\b))")
_TO_VERB = re.compile(r"\s+to\s+(?:\w+ly\s+)?(?:develop|build|design|create|use|train|introduce|learn|construct|present)\b")
_THE_TC_NAME = re.compile(r"\s+the\s+([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){1,4})(?=\s*(?:[,(:;.]|\s(?:which|that|to|for|as|with)\b))")
_PLURAL_D_HEAD = re.compile(r"\s+(?:datasets|benchmarks|corpora|data\s+sets|suites)\b")
_AND_X_D_HEAD = re.compile(r"\s+(?:and|or)\s+[\w\-]+\s+(?:datasets|benchmarks|corpora|data\s+sets|suites)\b")
_ANALOGY = re.compile(r"-(?:like|style|inspired|ish)\b")
_METRIC_NAME = re.compile(r"(?:-[Ss]core|[a-z]Score|-F1|-AUC|-AUROC|-mAP)$")
_IS_A = re.compile(r"\s+is\s+(?:a|an)\s")
_APPOS_AFTER = re.compile(r",\s+(?:a|an|the)\s+([^,.;:()]{3,70})")
_AFTER_PAREN = re.compile(r"[^()\s]{0,3}\)?\s*([a-z]+)\b")
_PASSIVE = re.compile(r"\b(?:is|are)\s+(?:\w+ly\s+|also\s+|here\s+|first\s+)?(?:proposed|presented|introduced|developed|designed|devised)\b")
_NOVEL_HEAD = re.compile(r"\b(?:a|an)\s+(?:new|novel)\s+((?:[\w-]+\s+){0,6}?)([a-z]+)(\s*,)?\s*$")
_NOT_NP = re.compile(r"\b(?:by|with|using|from|to|that|which|on|in|into|for|and|or|as|is|are|inspired|leverag\w*|integrat\w*)\b")
_METRIC_AFTER = re.compile(r"[\s-](?:distance|divergence|metric|score|coefficient|index|similarity)s?\b")
_TC_DATASET = re.compile(r"(?<![\w-])((?:[A-Z][\w\-]*\s+){0,4}[A-Z][\w\-]*)\s+(?:[Dd]ataset|[Bb]enchmark|[Cc]orpus|[Dd]atabase)s?\b")
_TC_STOP = {"The", "This", "These", "Our", "A", "An", "We", "In", "On", "Each", "Both", "All", "Existing", "Two",
            "Three", "Four", "Several", "Many", "Most", "Public", "Large", "New", "Novel", "Real", "Synthetic",
            "Standard", "Popular", "Benchmark", "Dataset", "Experiments", "Results", "For", "With", "Using"}
_NAMED_LOWER = re.compile(r"\b(?:dubbed|called|named|termed|coined)\s+(?:as\s+)?(?!(?:the|a|an|our|this|it|its)\b)"
                          r"([A-Za-z][\w\-]*(?:\s+[a-z][\w\-]*){0,3}?)(?=\s*(?:[,(.;:]|\s(?:which|that|to|for|as|with|and|in)\b))")
_LEAD_PREP = re.compile(r"(?:For|In|On|With|To|By|From|Using|Unlike|Compared|Based|Through|Via|As|After|Before|When|While)\b")
_ELEMENTS = ("He|Li|Be|Ne|Na|Mg|Al|Si|Cl|Ar|Ca|Ti|Cr|Mn|Fe|Co|Ni|Cu|Zn|Ga|Ge|As|Se|Br|Sr|Zr|Nb|Mo|Ag|Cd|In|Sn|"
             "Sb|Te|Cs|Ba|La|Ce|Hf|Ta|Pt|Au|Hg|Pb|Bi|H|B|C|N|O|F|P|S|K|V|Y|I|W")
_ELEMENT = re.compile(rf"(?:{_ELEMENTS})(?![a-z])")
_FORMULA = re.compile(rf"^(?:(?:{_ELEMENTS})(?:\d+(?:\.\d+)?|\d*-?[xyδ])?(?![a-z]))+$")
_HARDWARE_NUM = re.compile(r"\s(\d{3,4}(?:\s?Ti)?)\b")
_TITLE_WORDS = re.compile(r"^(?:(?:[A-Z0-9][\w\-'’&+]*|of|for|and|the|with|in|on|to|via|a|an|by|from)\s+)*[A-Z0-9][\w\-'’&+]*$")

_FORMULA_VAR = re.compile(r"\d-?[xyδ]")
_BASE = re.compile(r"^(.+?)[-_ ](?:[\w.]+)$")
_LIST_BEFORE = re.compile(r"(?:,|\band|\bor|\bthe)\s+$")
_A_NEW_BEFORE = re.compile(r"\b(?:[Aa]n?)\s+(?:novel\s+|new\s+)?$")
_CAP_WORD_AFTER = re.compile(r"\s+[A-Z][a-z]")
_CAP3 = re.compile(r"[A-Z][a-z]{2,}")
_TITLE_D = re.compile(r"\b(?:benchmark|dataset|corpus|suite|testbed)s?\b", re.I)
_ING = re.compile(r":?\s*[A-Z][a-z]+ing\b")
_SUB_A = re.compile(r":\s*(?:A|An)\s")
_TOKENS = re.compile(r"[\w-]+")
_MODIFIED = re.compile(r"\b(?:an?|improved|modified|enhanced|extended)\b")
_OUR_LEFT = re.compile(r"\bour\s+(?:proposed\s+|new\s+|novel\s+)?(?:\w+\s+){0,1}?$", re.I)
_A_NOVEL_AFTER = re.compile(r",?\s+(?:a|an)\s+(?:novel|new)\b")
_NEXT_WORD = re.compile(r"[^()\s]{0,3}\)?\s*(?:\([^()]{1,20}\)\s*)?([a-z]+)")
_ALPHA_WORDS = re.compile(r"[A-Za-z][A-Za-z\-]*")
_AFTER_MARK = re.compile(r"[\s,]*(?:\([^()]*\)[\s,]*)?(?:(?:a|an|the|which|is)\s+)([^.;:()]*)")
_CITED = re.compile(r"\s*(?:et al\b|\(\d{4}\)|'s\s+(?:group|lab))")


def _wordish(ch: str) -> bool:
    r"""``[\w-]`` of a one-character string (``\w`` is ``str.isalnum`` or ``_``)."""
    return ch.isalnum() or ch == "_" or ch == "-"


def _spans(name: str, text: str) -> Iterator[tuple[int, int]]:
    r"""Spans of ``re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)``, without compiling a regex per name."""
    if not name:
        yield from (m.span() for m in re.finditer(r"(?<![\w-])(?![\w-])", text))
        return
    n, pos = len(name), 0
    while (i := text.find(name, pos)) >= 0:
        j = i + n
        if (i == 0 or not _wordish(text[i - 1])) and (j >= len(text) or not _wordish(text[j])):
            yield i, j
            pos = j
        else:
            pos = i + 1


def _first_end(name: str, text: str, ignore_case: bool) -> int | None:
    """End of the first whole-word ``name`` in ``text`` (case-insensitive: ASCII by lower-casing, else a regex)."""
    if ignore_case:
        if not (name.isascii() and text.isascii()):
            m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I)
            return m.end() if m else None
        name, text = name.lower(), text.lower()
    return next((b for _, b in _spans(name, text)), None)


@dataclass(slots=True)
class Cand:
    """A candidate name in clean text, typed or not yet, with the rule that found it."""

    start: int
    end: int
    surface: str
    kind: str | None
    rule: str
    strength: int  # 3 knowledge base, 2 defined or cued, 1 coined shape, 0 weak shape
    entry: KBEntry | None = None
    proposed: bool = False
    long: str | None = None  # long form given by an acronym definition
    target: str | None = None  # for a long form: the acronym it stands for
    drop: bool = False
    veto: bool = False  # looks like a unit, size or ordinal: typed only by an explicit cue


def load_cues(path: Path = CUES_FILE) -> dict:
    """Read the cue word lists (``data/cues.yaml``) and compile their patterns."""
    try:
        cues = yaml.safe_load(path.read_text(encoding="utf-8"))
        low = {k: {w.lower() for w in cues[k]} for k in ("dataset_heads", "method_heads", "nonentity_heads")}
        alt = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
        return {
            **low,
            "propose": re.compile(
                r"\b(?:we|We|paper|work|study|authors)\s+(?:\w+ly\s+|also\s+|further\s+|then\s+|first\s+|here\s+)?"
                rf"(?:{alt(cues['propose_verbs'])})(?:s|d|ed|es)?\b"),
            "name_cue": re.compile(rf"\b(?:{alt(cues['name_cues'])})\s*[:\"“'‘]?\s*$", re.I),
            # one alternation per list: a single search instead of one per pattern (same yes/no answer)
            "d_left": re.compile("|".join(f"(?:{p})" for p in cues["dataset_left"]) or "(?!)", re.I),
            "m_left": re.compile("|".join(f"(?:{p})" for p in cues["method_left"]) or "(?!)", re.I),
            "adj": re.compile(rf"-(?:{alt(cues['adjective_suffixes'])})$", re.I),
            "not_name": re.compile("|".join(f"(?:{p})" for p in cues["not_names"])),
            "organisation_words": {w.lower() for w in cues["organisation_words"]},
            "chemical": re.compile(cues["chemical_long_form"]),
            "component_heads": {w.lower() for w in cues["component_heads"]},
            "head": re.compile(r"\s*(?:\(\w[\w\-]*\)\s*)?([A-Za-z][A-Za-z\-]*)(?:\s+([A-Za-z]+))?"),
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as e:
        raise ExtractionError(f"{path}: bad cue data ({e}); see the keys listed at the top of the file") from e


_BOUNDARY = re.compile(
    r"[.;:!?]|\b(?:that|which|where|who|to|for|of|on|in|with|by|from|using|via|through|based|over|than|"
    r"under|into|across|between|when|while|whose|against|as|and\s+(?:show|demonstrate|evaluate|find|achieve|apply|use))\b")


class Rules:
    """Runs every name rule over one field's clean text."""

    def __init__(self, kb: KnowledgeBase, cues: dict) -> None:
        self.kb, self.c = kb, cues
        self.title = ""  # the paper's title while its abstract is processed

    # -- helpers -------------------------------------------------------------------------
    def _head_kind(self, words: str) -> str | None:
        """Kind named by a head noun phrase: Dataset, Method, '' (not an entity) or None (unknown)."""
        w = words.lower().strip()
        last = w.split()[-1] if w.split() else ""
        two = " ".join(w.split()[-2:])
        for cand in (two, last):
            if cand in self.c["dataset_heads"]:
                return D
            if cand in self.c["nonentity_heads"]:
                return ""
            if cand in self.c["method_heads"]:
                return M
        return None

    def _right_head(self, text: str, end: int) -> str | None:
        m = self.c["head"].match(text, end, min(len(text), end + 40))
        if not m:
            return None
        first = m.group(1).lower()
        if first in self.c["dataset_heads"] or f"{first} {m.group(2) or ''}".lower().strip() in self.c["dataset_heads"]:
            return D
        if first in self.c["method_heads"]:
            return M
        return None

    def _left_kind(self, text: str, sent_start: int, start: int) -> str | None:
        left = text[max(sent_start, start - 110):start]
        tail = left[-45:]
        if _D_HINT.search(tail) and self.c["d_left"].search(left):
            return D
        if self.c["m_left"].search(tail):
            return M
        return None

    def _shape(self, text: str, a: int, b: int, rule: str, strength: int) -> list[Cand]:
        s = text[a:b]
        s = s[:-2].rstrip(".-'+") + "++" if s.endswith("++") else s.rstrip(".-'+")
        b = a + len(s)
        adj = self.c["adj"].search(s)
        if adj:
            if s[adj.start() + 1:].lower() in ("like", "style", "inspired", "ish"):
                return []  # "GPT-like models": an analogy, not a use of GPT
            s = s[: adj.start()]
            b = a + len(s)
        if s.endswith("'s"):
            s, b = s[:-2], b - 2
        if len(s) < 2 or self.kb.is_stop(s):
            return []
        ac = _ACR_COMPOUND.match(s)
        if ac and ac.group(2) not in _KEEP_SUFFIX and self.kb.lookup(s) is None:
            s = ac.group(1)
            b = a + len(s)
            if self.kb.is_stop(s):
                return []
        entry = self.kb.lookup(s)
        if entry is not None and s.isalpha() and s.islower() and not any(
                sf == s for sf, _ in entry.surfaces()):
            entry = None  # "shape" is not Shap-E, "planet" is not PlaNet
            if strength < 1:
                return []
        if entry is None:
            pm = _PLURAL.match(s)
            if pm:
                entry = self.kb.lookup(pm.group(1))
        if entry is not None:
            return [Cand(a, b, s, entry.kind, "kb-key", 3, entry)]
        if _METRIC_NAME.search(s.split(" ")[0]):
            return []  # "F1-score", "C2-Score", "BERTScore-F1": a metric
        veto = bool(self.c["not_name"].match(s))
        if veto and "_" in s:
            return []  # a variable with a subscript: "H_0", "q_t"
        if veto and s[0].isdigit():
            return []  # "175B", "10x": never a name
        if _FORMULA.match(s) and (_FORMULA_VAR.search(s) or sum(len(x) == 2 for x in _ELEMENT.findall(s)) >= 2):
            return []  # chemical formula: "Ga1-xZnx", "CH3NH3PbI3", "AlGaN", "GaAs"
        hw = _HARDWARE_NUM.match(text, b)
        if hw and (self.kb.is_stop(f"{s} {hw.group(1)}") or _ALLCAPS.match(s) and len(hw.group(1)) == 4):
            return []  # hardware model: "RTX 3090", "GTX 1080"
        kind = D if strength and _DATASET_SHAPE.search(s) else None
        base = strength and _BASE.match(s)  # variant of a known base: ImageNet-R, ResNet-32
        if base:
            be = self.kb.lookup(base.group(1))
            if be is not None:
                kind, rule = be.kind, "kb-variant"
        return [Cand(a, b, s, kind, rule, max(strength, 2 if kind else 0), veto=veto)]

    # -- the rules -----------------------------------------------------------------------
    def find(self, text: str, kb_spans: list[tuple[int, int, KBEntry]], *, title: bool = False,
             known: tuple[tuple[str, str], ...] = (), title_text: str = "") -> list[Cand]:
        """Typed, role-marked candidates of one field (clean text); ``known``: (name, kind) from the title."""
        self.title = title_text
        sents = [0] + [m.end() for m in _SENT.finditer(text) if not _ABBREV.search(text, max(0, m.start() - 8), m.start())]
        cands: list[Cand] = [Cand(a, b, text[a:b], e.kind, "kb", 3, e) for a, b, e in kb_spans]
        for c in cands:
            if text.startswith("-", c.end) and _ANALOGY.match(text, c.end):
                c.drop = True  # "GPT-like models"
        for x, y in zip(cands, cands[1:]):  # "MetaWorld ML10": a suite followed by its named split is the split
            if x.kind == D == y.kind and y.start == x.end + 1 and text[x.end] == " " and not y.entry.grey:
                x.drop = True
        for name, kind in known:  # a name the title proposes, seen again in the abstract
            for ma, mb in _spans(name, text):
                cands = [c for c in cands if not (c.start < mb and ma < c.end)]
                cands.append(Cand(ma, mb, name, kind, "title-name", 2))
        occupied = bytearray(len(text) + 1)
        for c in cands:
            occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        for m in (_COMPOUND.finditer(text) if _SLASH_NUM.search(text) else ()):
            pre, first, rest, suf = m.group(1), m.group(2), m.group(3), m.group(4) or ""
            nums = [first] + [n.lstrip("-") for n in rest.split("/")[1:]]
            for n in nums:
                name = f"{pre}{n}{suf}"
                e = self.kb.lookup(name)
                cands.append(Cand(m.start(), m.end(), name, e.kind if e else None, "compound", 2 if e else 1, e))
            occupied[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for rx, strength in ((_WORD, 1), (_WEAK, 0)):
            for m in rx.finditer(text):
                if strength and not _SHAPE.search(m.group(0)):
                    continue
                a, b = m.span()
                v = _VERSION.match(text, b)
                if v and strength:
                    b = v.end()
                over = [c for c in cands if c.start < b and a < c.end] if occupied.find(1, a, b) >= 0 else []
                if over and all(c.end - c.start >= b - a for c in over):
                    continue
                new = self._shape(text, a, b, "shape", strength)
                if new and (not over or new[0].end - new[0].start > max(c.end - c.start for c in over)):
                    for c in over:
                        c.drop = True
                        if new[0].kind is None and c.kind:
                            new[0].kind, new[0].rule, new[0].strength = c.kind, "kb-variant", 2
                    cands.extend(new)
                    occupied[a:b] = b"\x01" * (b - a)
        if not title and ("ataset" in text or "enchmark" in text or "orpus" in text):
            self._dataset_names(text, cands, occupied)
        if "/" in text or "@" in text:
            urls = [m.span() for m in _URLISH.finditer(text)]  # sorted, not overlapping
            if urls:
                u_starts = [a for a, _ in urls]
                cands = [c for c in cands if not ((i := bisect_right(u_starts, c.start) - 1) >= 0 and c.start < urls[i][1])]
        cands = [c for c in cands if not c.drop]
        self._definitions(text, cands)
        if title:
            self._title(text, cands)
        cands.sort(key=lambda c: (c.start, -c.end))
        self._proposals(text, cands, sents)
        self._context(text, cands, sents)
        return [c for c in cands if not c.drop and c.kind]

    def _dataset_names(self, text: str, cands: list[Cand], occupied: bytearray) -> None:
        """Title-Case names before a dataset noun: "the Toulouse Road Network dataset", "Waymo datasets"."""
        for m in _TC_DATASET.finditer(text):
            a, b = m.span(1)
            words = m.group(1).split()
            while words and words[0] in _TC_STOP:
                a += len(words[0]) + 1
                words = words[1:]
            if not words or len(words) == 1 and (len(words[0]) < 3 or "-" in words[0] or
                                                 not _LIST_BEFORE.search(text[max(0, a - 5):a])):
                continue  # one capitalised word is a name only in a list or after "the": "KITTI, nuScenes and Waymo datasets"
            name = text[a:b]
            if self.kb.is_stop(name) or self.kb.is_stop(words[-1]):
                continue
            over = [c for c in cands if c.start < b and a < c.end] if occupied.find(1, a, b) >= 0 else []
            if any(c.strength >= 3 or c.end - c.start >= b - a for c in over):
                continue
            for c in over:
                c.drop = True
            cands.append(Cand(a, b, name, D, "dataset-name", 2))
            occupied[a:b] = b"\x01" * (b - a)

    def _definitions(self, text: str, cands: list[Cand]) -> None:
        for d in find_definitions(text):
            acr, long = d.short, d.long
            e = self.kb.lookup(acr) or self.kb.lookup(long)
            pm = _PLURAL.match(acr)
            if e is None and pm:
                e = self.kb.lookup(pm.group(1))
            plural_family = bool(pm) and long.lower().endswith("s")
            kind = e.kind if e else ("" if plural_family else self._head_kind(long))
            kind = M if kind is None else kind
            if self.kb.is_stop(acr) and not e and kind == M and self._head_kind(long) != M:
                kind = ""
            if kind and self._not_entity_long(long, known=e is not None):
                kind, e = "", None
            elif kind == "" and not e and not self.kb.is_stop(acr):
                nxt = _AFTER_PAREN.match(text, d.short_end)
                if nxt and nxt.group(1) in self.c["component_heads"] and (
                        _TITLE_WORDS.match(long) or sum(ch.isalnum() for ch in acr) >= 4):
                    kind = M  # "Information Bottleneck-guided Dynamic Token Compression (IB-DTC) module"
            akeys = {entity_key(acr), entity_key(pm.group(1)) if pm else ""}
            for c in cands:
                if (d.long_start <= c.start < d.long_end or d.short_start <= c.start < d.short_end):
                    c.drop = True
                elif entity_key(c.surface) in akeys:
                    c.kind, c.long = (kind or None), long
                    c.entry = c.entry or e
                    c.drop = c.drop or kind == ""
            e = self.kb.lookup(acr) or self.kb.lookup(long)
            cands.append(Cand(d.short_start, d.short_end, acr, kind or None, "acronym-def", 2, e, long=long, drop=kind == ""))
            cands.append(Cand(d.long_start, d.long_end, long, kind or None, "acronym-def", 2, e, target=acr, drop=kind == ""))
            low, pos = text.lower(), 0
            while True:  # later mentions of the long form
                pos = low.find(long.lower(), pos)
                if pos < 0:
                    break
                if not (d.long_start <= pos < d.long_end):
                    cands.append(Cand(pos, pos + len(long), text[pos:pos + len(long)], kind or None,
                                      "acronym-long", 2, e, target=acr, drop=kind == ""))
                pos += len(long)
            if " " in acr:  # a multi-word short form ("Global MP") seen again
                for ma, mb in _spans(acr, text):
                    if ma != d.short_start:
                        for c in cands:
                            c.drop = c.drop or (c.start < mb and ma < c.end)
                        cands.append(Cand(ma, mb, acr, kind or None, "acronym", 2, e, drop=kind == ""))
            own = bool(self.title) and (self.title.lower().startswith(long.lower()) or
                                        not e and self._title_names(long, acr, kind))
            if not own and not e and kind == M and (_TITLE_WORDS.match(long) or sum(ch.isalnum() for ch in acr) >= 4) and \
                    _A_NEW_BEFORE.search(text[max(0, d.long_start - 14):d.long_start]):
                own = True  # "a Spatial Foreground Predictor (SFP) module": a new, named thing
            if own:
                for c in cands[-2:] if " " not in acr else cands:
                    if entity_key(c.target or c.surface) == entity_key(acr) and c.start >= d.short_start - len(long) - 3:
                        c.proposed, c.drop, c.kind = True, False, c.kind or M

    def _not_entity_long(self, long: str, known: bool = False) -> bool:
        """Long forms that name an organisation, a chemical or a plural class of things, not a method."""
        words = long.split()
        if any(w.strip(",.").lower() in self.c["organisation_words"] for w in words):
            return True
        if known:
            return False
        if long.islower() and (self.c["chemical"].search(long) or
                               words[-1].endswith("s") and not words[-1].endswith("ss") and
                               self._head_kind(words[-1]) is None):
            return True  # "polyvinylidene fluoride (PVDF)", "bounding boxes (BBOX)"
        return False

    def _title_names(self, long: str, acr: str, kind: str | None) -> bool:
        """Whether the title names the defined entity as the paper's subject, not as a modifier."""
        t = self.title
        if kind == "":
            return False
        for end in (_first_end(long, t, True), _first_end(acr, t, False)):
            if end is not None and not _CAP_WORD_AFTER.match(t[end:]):
                return True  # "Action Unit Intensity Estimation": AU modifies, the paper is not about AU itself
        return False

    def _title(self, text: str, cands: list[Cand]) -> None:
        m = _TITLE_PREFIX.match(text)
        if not m:
            return
        a, b = m.span(1)
        words = text[a:b].split()
        weak = not any(_SHAPE.search(w.rstrip("-")) or (w.isupper() and len(w) > 1) for w in words[:2])
        if len(words) > 4 or weak and (len(words) > 1 or not _CAP3.fullmatch(words[0])
                                       or self.kb.is_stop(words[0])):
            return
        rest = text[m.end(1):m.end(1) + 80]
        kind = D if _TITLE_D.search(rest) and \
            not _ING.match(rest) else M  # "X: Characterizing Dataset Bias" is a method
        e = self.kb.lookup(text[a:b])
        for c in cands:
            if c.start >= a and c.end <= b:
                c.drop = True
        # a plain capitalised word ("Vgent: ...") counts only if the abstract uses it again (see assemble)
        if weak and e is None and _SUB_A.match(text[m.end(1):]) and \
                self._first_head(_TOKENS.findall(text[m.end(1):m.end(1) + 60])[1:7]) == M:
            weak = False  # "Hashmod: A Hashing Method for ...": the subtitle says what the name is
        cands.append(Cand(a, b, text[a:b], e.kind if e else kind, "title", 2, e, proposed=True, veto=weak and e is None))

    def _proposals(self, text: str, cands: list[Cand], sents: list[int]) -> None:
        starts = [c.start for c in cands]
        for m in self.c["propose"].finditer(text):
            to = _TO_VERB.match(text, m.end())  # "we propose to develop X"
            m = to or m
            bnd = _BOUNDARY.search(text, m.end(), min(len(text), m.end() + 160))
            stop = bnd.start() if bnd else min(len(text), m.end() + 160)
            i = bisect_right(starts, m.end() - 1)
            while i < len(cands) and cands[i].start < stop and (
                    cands[i].strength < 1 or cands[i].veto and text[m.end():cands[i].start].strip()
                    or cands[i].drop and not self._revivable(text, cands[i])
                    or cands[i].entry is not None and cands[i].entry.grey):
                i += 1
            tc = _TC_NAME.match(text, m.end())
            if tc is None and (tt := _THE_TC_NAME.match(text, m.end())) and self._head_kind(tt.group(1).split()[-1]):
                tc = tt  # "We introduce the Visual Iconicity Challenge, a ..."
            if tc and not (i < len(cands) and cands[i].start < tc.end(1)) and not self.kb.is_stop(tc.group(1)) \
                    and self.kb.lookup(tc.group(1)) is None:
                cands.insert(i, Cand(tc.start(1), tc.end(1), tc.group(1), M, "propose-cue", 2, proposed=True))
                starts.insert(i, tc.start(1))
                self._mark(text, cands[i], "", "propose-cue")  # "We propose Flow Planner, which ..."
            elif i < len(cands) and cands[i].start < stop and not (
                    cands[i].entry is not None and _MODIFIED.search(text[m.end():cands[i].start])):
                self._mark(text, cands[i], text[m.end():cands[i].start], "propose-cue")  # not "an improved InfoNCE loss"
        for m in _NAMED_LOWER.finditer(text):  # "an enhanced triplet loss, named triplet distillation, which"
            a, b = m.span(1)
            if any(c.start < b and a < c.end for c in cands) or self.kb.is_stop(m.group(1)) or \
                    m.group(1).islower() and self._head_kind(m.group(1).split()[-1]) != M:
                continue
            c = Cand(a, b, m.group(1), None, "name-cue", 2)
            cands.insert(bisect_right(starts, a), c)
            starts.insert(bisect_right(starts, a), a)
            self._mark(text, c, text[max(0, a - 60):m.start()], "name-cue")
        by_start = {c.start: c for c in cands if not c.drop}
        for s0 in sents[:3]:  # "X is a novel framework that ..." opening the abstract presents the paper's X
            c = by_start.get(s0)
            if c is not None and c.entry is None and c.strength >= 1 and not c.veto and not c.proposed \
                    and _IS_A.match(text, c.end) and self._first_head(text[c.end:c.end + 80].split()[2:10]):
                self._mark(text, c, "", "is-a")
        for m in _PASSIVE.finditer(text):  # "A relaxed 2-D PCA (R2DPCA) approach is proposed"
            s0 = sents[bisect_right(sents, m.start()) - 1]
            first = next((c for c in cands if s0 <= c.start < m.start() and not c.drop and c.strength >= 1
                          and not c.veto and c.entry is None and c.kind != D), None)
            if first is not None and not first.proposed and first.start - s0 <= 70 and m.start() - first.end <= 60 \
                    and "," not in text[first.end:m.start()] and not _LEAD_PREP.match(text, s0):
                self._mark(text, first, "", "propose-passive")
        for c in cands:
            if c.strength < 1 or c.drop and c.rule != "acronym-def":
                continue
            left = text[max(0, c.start - 40):c.start]
            lo = max(0, c.start - 90)  # a match holds "new" or "novel" inside its window: look for them first
            nv = _NOVEL_HEAD.search(text, lo, c.start) if c.strength < 3 and not c.proposed and not c.drop and (
                text.find("new", lo, c.start) >= 0 or text.find("novel", lo, c.start) >= 0) else None
            if nv and not _NOT_NP.search(nv.group(1)) and \
                    (self._phrase_kind(nv.group(0)) if nv.group(3) else self._head_kind(nv.group(2))) in (M, D):
                self._mark(text, c, nv.group(0), "novel-head")  # "a novel ... segmentation algorithm STATT"
                continue
            if self.c["name_cue"].search(left):
                self._mark(text, c, left, "name-cue")
            elif _OUR_LEFT.search(left) and c.kind != D \
                    and not (c.rule == "shape" and _ALLCAPS.match(c.surface) and self._right_head(text, c.end) != M):
                self._mark(text, c, left, "our")
            elif c.strength < 3 and (hm := _OUR_HEAD.search(left)) and self._head_kind(hm.group(1)):
                self._mark(text, c, left, "our")  # "Our benchmark suite, GraphLog"
            elif _A_NOVEL_AFTER.match(text[c.end:c.end + 20]) and c.strength < 3:
                self._mark(text, c, "", "appositive")

    def _revivable(self, text: str, c: Cand) -> bool:
        """A dropped acronym definition a proposal cue may still name: a Title-Case long form, not a modifier."""
        if c.rule != "acronym-def":
            return False
        long, acr = (c.long, c.surface) if c.long else (c.surface, c.target or "")
        if self.kb.is_stop(acr) or not _TITLE_WORDS.match(long or ""):
            return False
        nxt = _NEXT_WORD.match(text[c.end:c.end + 40])
        return not (nxt and (nxt.group(1) in self.c["method_heads"] or nxt.group(1) in self.c["nonentity_heads"]
                             or nxt.group(1) in self.c["dataset_heads"]))

    def _phrase_kind(self, phrase: str) -> str | None:
        """Kind named by the nearest head noun of a short phrase: "a new dataset of traffic accidents" -> Dataset."""
        for w in reversed(_ALPHA_WORDS.findall(phrase)[-8:]):
            k = self._head_kind(w)
            if k:
                return k
        return None

    def _first_head(self, words: list[str]) -> str | None:
        """Kind of the first head noun of a noun phrase, None if a preposition or verb comes first."""
        for w in words:
            if w.lower() not in ("and", "or") and _NOT_NP.fullmatch(w.lower()) or w.lower() in ("of", "at"):
                return None
            k = self._head_kind(w)
            if k:
                return k
        return None

    def _mark(self, text: str, c: Cand, before: str, rule: str) -> None:
        after = _AFTER_MARK.match(text[c.end:c.end + 80])
        kind = self._phrase_kind(self.c["name_cue"].sub("", before)) if before.strip() else None
        if after and not kind:
            for w in after.group(1).split()[:6]:
                k = self._head_kind(w)
                if k in (M, D):
                    kind = k
                    break
        if c.entry is not None:
            kind = c.entry.kind
        c.kind = kind if kind in (M, D) else (c.kind or M)
        c.proposed, c.rule, c.drop = True, rule, False
        c.strength = max(c.strength, 2)

    def _context(self, text: str, cands: list[Cand], sents: list[int]) -> None:
        live = [c for c in cands if not c.drop]
        for c in live:
            if _CITED.match(text[c.end:c.end + 12]) and c.strength < 3:
                c.drop = True
            if c.proposed or c.drop:
                continue
            if c.kind == M and c.strength >= 3 and _METRIC_AFTER.match(text, c.end):
                c.drop = True  # "Sinkhorn distance", "Wasserstein distance": a metric, not the method
                continue
            rh, appos = self._right_head(text, c.end), False
            if rh is None and c.strength < 3 and c.rule in ("shape", "acronym-def", "acronym"):
                ap = _APPOS_AFTER.match(text, c.end)
                if ap and self._first_head(ap.group(1).split()[:6]) == D:
                    rh, appos = D, True  # "SAgoge, the largest multimodal dataset for SVG tasks"
            if rh == D and c.strength >= 1 and (not c.veto or appos):
                c.kind, c.rule = D, (c.rule if c.kind == D else "dataset-cue")
                c.strength = max(c.strength, 2)
            elif c.kind is None and rh == M and c.strength >= 1 and not c.veto:
                c.kind, c.rule, c.strength = M, "method-cue", 2
        # coordinated lists share a type: "on CIFAR-10, SVHN and STL-10"
        chains: list[list[Cand]] = []
        for c in live:
            if chains and _LIST_SEP.match(text, chains[-1][-1].end, c.start) and c.start > chains[-1][-1].end:
                chains[-1].append(c)
            elif not chains or c.start >= chains[-1][-1].end:
                chains.append([c])
        for ch in chains:
            s0 = sents[bisect_right(sents, ch[0].start) - 1]
            if len(ch) > 1 and _PLURAL_D_HEAD.match(text, ch[-1].end) or _AND_X_D_HEAD.match(text, ch[-1].end):
                for c in ch:  # "on the Nucleotide Transformer and GB benchmarks": every member is a benchmark
                    if not c.proposed and not c.veto and (c.strength >= 1 or c.kind == D):
                        c.kind, c.strength = D, max(c.strength, 2)
                continue
            if all(c.kind is not None and (c.entry is None or not c.entry.context) for c in ch):
                continue  # every member is typed and none needs a cue: the left context would change nothing
            ctx = self._left_kind(text, s0, ch[0].start)
            typed = [c.kind for c in ch if c.kind and c.strength >= 2]
            kind = ctx or (max(set(typed), key=typed.count) if typed else None)
            for c in ch:
                if c.entry is not None and c.entry.context and ctx is None and not (len(ch) > 1 and typed):
                    c.drop = c.drop or not c.proposed
                if c.kind is None and kind and (not c.veto or len(ch) >= 3 and len(typed) >= 2) and (
                        c.strength >= 1 or len(ch) > 1 and typed):
                    c.kind, c.rule = kind, ("list" if len(ch) > 1 and not ctx else "context")
                elif c.kind is None and c.strength >= 1 and not c.veto and not (
                        c.rule == "shape" and _ALLCAPS.match(c.surface) and len(ch) == 1):
                    c.kind = M  # a bare, undefined, uncued acronym (HPC, RTX, PZT) stays untyped
        for c in live:  # the parts of one compound ("CIFAR-10/100-LT") share a type
            if c.rule == "compound" and c.kind is None:
                c.kind = next((o.kind for o in live if o.start == c.start and o.end == c.end and o.kind), None)
