"""Name rules on clean text: KB spans, acronym definitions, coined-name shape, dataset names, titles."""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

import yaml

from kg.errors import ExtractionError
from kg.extract.acronyms import find_definitions
from kg.extract.context import ContextRules
from kg.extract.patterns import (
    FRAGMENT, Cand, D, M, ABBREV, ACR_COMPOUND, AFTER_PAREN, ALLCAPS, ANALOGY, A_NEW_BEFORE, BASE, CAP3,
    CAP_WORD_AFTER, COMPARE_TITLE, COMPOUND, OR_AFTER, DATASET_SHAPE, ELEMENT, FORMULA, FORMULA_VAR, GLUED_HEAD, HARDWARE_NUM, ING,
    KEEP_SUFFIX, LIST_BEFORE, METRIC_NAME, PLURAL, SENT_FAST, SHAPE, SLASH_NUM, SUB_A, TC_DATASET,
    TC_STOP, TITLE_BENCH, TITLE_D, TITLE_PREFIX, TITLE_WORDS, TOKENS, URL_TLD, URLISH, VERSION, first_end,
    shape_spans, weak_spans, word_spans,
)
from kg.extract.suggest import SUGGESTED as _SUGGESTED, suggest
from kg.extract.kb import KBEntry, KnowledgeBase, name_key as entity_key, yaml_data  # memoised entity_key

__all__ = ["Cand", "Rules", "load_cues", "CUES_FILE"]

_TO_TASK = re.compile(r"^[A-Za-z][A-Za-z0-9]*-to-[A-Za-z0-9]+$")
# one capitalised hyphenated word naming a title ("Mars-Bench: ...", "Wave-Former: ...", "World-in-World: ...")
_CAP_HYPHEN = re.compile(r"[A-Z][a-z]*(?:-[A-Za-z][a-z]+)+")

CUES_FILE = Path(__file__).parent / "data" / "cues.yaml"


def _all_caps(title: str) -> bool:
    """A title written in capitals throughout, of three words or more (not one name: "VGGT-SLAM++")."""
    return len(title.split()) >= 3 and not any(ch.islower() for ch in title) and any(ch.isupper() for ch in title)


def load_cues(path: Path = CUES_FILE) -> dict:
    """Read the cue word lists (``data/cues.yaml``) and compile their patterns."""
    try:
        cues = yaml_data(path.read_text(encoding="utf-8"))
        low = {k: {w.lower() for w in cues[k]} for k in ("dataset_heads", "method_heads", "nonentity_heads")}
        alt = lambda ws: "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
        return {
            **low,
            "propose": re.compile(
                # r"\b(?:we|We|paper|work|study|authors)" with the word-start test after the first letter: a
                # pattern opening on literals lets re skip to those letters instead of trying every position
                r"(?:w(?<!\w.)(?:e|ork)|W(?<!\w.)e|p(?<!\w.)aper|s(?<!\w.)tudy|a(?<!\w.)uthors)"
                r"\s+(?:\w+ly\s+|also\s+|further\s+|then\s+|first\s+|here\s+)?"
                rf"(?:{alt(cues['propose_verbs'])})(?:s|d|ed|es)?\b"),
            "name_cue": re.compile(rf"\b(?:{alt(cues['name_cues'])})\s*[:\"“'‘]?\s*$", re.I),
            # a name-cue match in ASCII text holds one of these (lower-cased); None: no such shortcut
            "name_cue_words": (tuple(w.lower() for w in cues["name_cues"])
                               if all(w.isascii() for w in cues["name_cues"]) else None),
            # one alternation per list: a single search instead of one per pattern (same yes/no answer)
            "d_left": re.compile("|".join(f"(?:{p})" for p in cues["dataset_left"]) or "(?!)", re.I),
            "m_left": re.compile("|".join(f"(?:{p})" for p in cues["method_left"]) or "(?!)", re.I),
            # and any lower-case participle: "3D-grounded", "GPU-accelerated" describe the base, they are not names
            "adj": re.compile(rf"-(?:{alt(cues['adjective_suffixes'])}|(?-i:[a-z]{{3,}}ed))$", re.I),
            "not_name": re.compile("|".join(f"(?:{p})" for p in cues["not_names"])),
            "organisation_words": {w.lower() for w in cues["organisation_words"]},
            "chemical": re.compile(cues["chemical_long_form"]),
            "component_heads": {w.lower() for w in cues["component_heads"]},
            "hardware_heads": {w.lower() for w in cues["hardware_heads"]},
            # the head word after a name, past a parenthesis or a year/edition: "eRisk 2018 dataset"
            "head": re.compile(r"\s*(?:\(\w[\w\-]*\)\s*)?(?:(?:19|20)\d\d\s+)?([A-Za-z][A-Za-z\-]*)(?:\s+([A-Za-z]+))?"),
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, re.error) as e:
        raise ExtractionError(f"{path}: bad cue data ({e}); see the keys listed at the top of the file") from e


class Rules(ContextRules):
    """Runs every name rule over one field's clean text."""

    def __init__(self, kb: KnowledgeBase, cues: dict) -> None:
        self.kb, self.c = kb, cues
        self.title = ""  # the paper's title while its abstract is processed
        self.known: tuple[tuple[str, str], ...] = ()  # (name, kind) the title proposes, while its abstract is processed

    # -- helpers -------------------------------------------------------------------------

    def _shape(self, text: str, a: int, b: int, rule: str, strength: int) -> list[Cand]:
        s = text[a:b]
        glued = GLUED_HEAD.match(s)
        if glued:  # "datasets-BBQ": the name after the dash, if it looks like one
            a, s = a + glued.end(), s[glued.end():]
            if not SHAPE.search(s) and self.kb.lookup(s) is None:
                return []
        t = s.rstrip(".-'^")
        if t.endswith("++"):
            s = t[:-2].rstrip(".-'+^") + "++"
        elif t.endswith("+") and len(t) > 2 and t[-2].isalnum() and t[0].isalpha():
            s = t  # "HumanEval+", "CounterFact+", "ScanNet+": a variant, not its base
        else:
            s = s.rstrip(".-'+^")
        b = a + len(s)
        adj = self.c["adj"].search(s)
        if adj:
            if s[adj.start() + 1:].lower() in ("like", "style", "inspired", "ish"):
                return []  # "GPT-like models": an analogy, not a use of GPT
            s = s[: adj.start()]
            b = a + len(s)
            if s.islower():
                return []  # "fine-tuned", "gradient-boosted": an adjective of a common word
        if s.endswith("'s"):
            s, b = s[:-2], b - 2
        if len(s) < 2 or self.kb.is_stop(s) or FRAGMENT.match(s):
            return []
        ac = ACR_COMPOUND.match(s)
        if ac and ac.group(2) not in KEEP_SUFFIX and self.kb.lookup(s) is None:
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
            pm = PLURAL.match(s)
            if pm:
                entry = self.kb.lookup(pm.group(1))
        if entry is not None:
            return [Cand(a, b, s, entry.kind, "kb-key", 3, entry)]
        if _TO_TASK.match(s):
            return []  # "text-to-3D", "Image-to-SVG", "Question-to-SQL": a mapping, the task's name, not a method's
        if s.count("-") == 1:
            x, y = s.split("-")
            if x and y and (x.isalpha() and x.islower() and self.kb.is_stop(y) or
                            y.isalpha() and y.islower() and self.kb.is_stop(x)):
                return []  # "camera-IMU", "LiDAR-visual", "monocular-RGB", "3D-consistent": a generic term and a word
        if METRIC_NAME.search(s.split(" ")[0]):
            return []  # "F1-score", "C2-Score", "BERTScore-F1": a metric
        veto = bool(self.c["not_name"].match(s))
        if veto and "_" in s:
            return []  # a variable with a subscript: "H_0", "q_t"
        if veto and s[0].isdigit():
            return []  # "175B", "10x": never a name
        if FORMULA.match(s) and (FORMULA_VAR.search(s) or sum(len(x) == 2 for x in ELEMENT.findall(s)) >= 2):
            return []  # chemical formula: "Ga1-xZnx", "CH3NH3PbI3", "AlGaN", "GaAs"
        hw = HARDWARE_NUM.match(text, b)
        if hw and (self.kb.is_stop(f"{s} {hw.group(1)}") or ALLCAPS.match(s) and len(hw.group(1)) == 4):
            return []  # hardware model: "RTX 3090", "GTX 1080"
        kind = D if strength and DATASET_SHAPE.search(s) else None
        base = strength and BASE.match(s)  # variant of a known base: ImageNet-R, ResNet-32
        if base:
            be = self.kb.lookup(base.group(1))
            if be is not None:
                kind, rule = be.kind, "kb-variant"
        for name, k in self.known if strength and kind is None else ():
            if s.startswith(name) and s[len(name):len(name) + 1] in ("-", "_"):
                kind, rule = k, "title-variant"  # "GIR-Bench-UGC" of the title's "GIR-Bench" benchmark
        return [Cand(a, b, s, kind, rule, max(strength, 2 if kind else 0), veto=veto)]

    # -- the rules -----------------------------------------------------------------------
    def find(self, text: str, kb_spans: list[tuple[int, int, KBEntry]], *, title: bool = False,
             known: tuple[tuple[str, str], ...] = (), title_text: str = "") -> list[Cand]:
        """Typed, role-marked candidates of one field (clean text); ``known``: (name, kind) from the title."""
        self.title, self.known = title_text, known
        sents = [0] + [m.end() for m in SENT_FAST.finditer(text)
                       if not ABBREV.search(text, max(0, m.start(1) - 8), m.start(1))]
        cands: list[Cand] = [Cand(a, b, text[a:b], e.kind, "kb", 3, e) for a, b, e in kb_spans]
        for c in cands:
            if text.startswith("-", c.end) and ANALOGY.match(text, c.end):
                c.drop = True  # "GPT-like models"
        for x, y in zip(cands, cands[1:]):  # "MetaWorld ML10": a suite followed by its named split is the split
            if x.kind == D == y.kind and y.start == x.end + 1 and text[x.end] == " " and not y.entry.grey:
                x.drop = True
        for name, kind in known:  # a name the title proposes, seen again in the abstract
            for ma, mb in word_spans(name, text):
                cands = [c for c in cands if not (c.start < mb and ma < c.end)]
                cands.append(Cand(ma, mb, name, kind, "title-name", 2))
        occupied = bytearray(len(text) + 1)
        for c in cands:
            occupied[c.start:c.end] = b"\x01" * (c.end - c.start)
        for m in (COMPOUND.finditer(text) if "/" in text and SLASH_NUM.search(text) else ()):
            pre, first, rest, suf = m.group(1), m.group(2), m.group(3), m.group(4) or ""
            nums = [first] + [n.lstrip("-") for n in rest.split("/")[1:]]
            for n in nums:
                name = f"{pre}{n}{suf}"
                e = self.kb.lookup(name)
                cands.append(Cand(m.start(), m.end(), name, e.kind if e else None, "compound", 2 if e else 1, e))
            occupied[m.start():m.end()] = b"\x01" * (m.end() - m.start())
        for spans, strength in ((shape_spans(text), 1), (weak_spans(text), 0)):
            for a, b in spans:
                v = VERSION.match(text, b)
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
        # never live: suggestions the scorer decides on (not a stop-listed metric or task: "FID, LPIPS and ...")
        cands.extend(c for c in suggest(text, cands) if not self.kb.is_stop(c.surface))
        if "@" in text or "/" in text and ("http" in text or "www." in text or URL_TLD.search(text)) \
                or ".github.io" in text or ".gitlab.io" in text:
            urls = [m.span() for m in URLISH.finditer(text)]  # sorted, not overlapping
            if urls:
                u_starts = [a for a, _ in urls]
                cands = [c for c in cands
                         if not ((i := bisect_right(u_starts, c.start) - 1) >= 0 and c.start < urls[i][1])]
        extra = [c for c in cands if c.rule in _SUGGESTED]
        # lost to a longer span or an analogy: still suggestions
        early = [c for c in cands if c.drop and c.rule not in _SUGGESTED]
        cands = [c for c in cands if not c.drop and c.rule not in _SUGGESTED]
        self._definitions(text, cands)
        if title:
            self._title(text, cands)
            if _all_caps(text):  # "DEEP NETWORKS FOR NEW TASKS": every word has the shape of a name, none says so
                # a known name spelled as a plain word ("MATH", "SHOT", "QUALITY") is confirmed by the abstract's use only
                cands = [c for c in cands if not (c.rule == "shape" and c.entry is None or
                                                  c.rule in ("kb", "kb-key") and c.surface.isalpha())]
                extra = [c for c in extra if not (c.rule == "extend" and c.surface.isupper())]
                early = [c for c in early if not (c.rule == "shape" and c.entry is None)]
        cands.sort(key=lambda c: (c.start, -c.end))
        self._proposals(text, cands, sents)
        self._context(text, cands, sents)
        # live: what the rules alone report; a defined non-entity acronym stays live untyped, to tell
        # assemble to drop the title's use of it ("GPR Data"). The rest go on as suggestions for the model.
        for c in cands:
            c.live = bool(not c.drop and c.kind or c.nonentity and c.drop and not title)
        for c in early:
            c.live = False
        return cands + early + extra

    def _dataset_names(self, text: str, cands: list[Cand], occupied: bytearray) -> None:
        """Title-Case names before a dataset noun: "the Toulouse Road Network dataset", "Waymo datasets"."""
        for m in TC_DATASET.finditer(text):
            a, b = m.span(1)
            words = m.group(1).split()
            while words and words[0] in TC_STOP:
                a += len(words[0]) + 1
                words = words[1:]
            if not words or len(words) == 1 and (len(words[0]) < 3 or "-" in words[0] or
                                                 not LIST_BEFORE.search(text[max(0, a - 5):a])):
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
        low = None  # the lower-cased text, made once when the first definition needs it
        for d in find_definitions(text):
            acr, long = d.short, d.long
            e = self.kb.lookup(acr) or self.kb.lookup(long)
            redefined = e is not None and self._redefines(e, long)
            if redefined:
                e = None  # the paper's own definition wins: "Stacked GAN (SGAN)" is not Social GAN
            pm = PLURAL.match(acr)
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
                nxt = AFTER_PAREN.match(text, d.short_end)
                if nxt and nxt.group(1) in self.c["component_heads"] and (
                        TITLE_WORDS.match(long) or sum(ch.isalnum() for ch in acr) >= 4):
                    kind = M  # "Information Bottleneck-guided Dynamic Token Compression (IB-DTC) module"
                elif nxt and self._right_head(text, nxt.start(1)) == D:
                    kind = D  # "the invasive ductal carcinoma (IDC) data set": the data set is named after it
            akeys = {entity_key(acr), entity_key(pm.group(1)) if pm else entity_key(acr) + "s"}
            for c in cands:
                if (d.long_start <= c.start < d.long_end or d.short_start <= c.start < d.short_end):
                    c.drop = True
                elif entity_key(c.surface) in akeys:
                    c.kind, c.long = (kind or None), long
                    c.entry = None if redefined else (c.entry or e)
                    c.drop = c.drop or kind == ""
            e = None if redefined else (self.kb.lookup(acr) or self.kb.lookup(long))
            cands.append(Cand(d.short_start, d.short_end, acr, kind or None, "acronym-def", 2, e, long=long, drop=kind == "",
                              nonentity=kind == ""))
            cands.append(Cand(d.long_start, d.long_end, long, kind or None, "acronym-def", 2, e, target=acr, drop=kind == ""))
            low, pos = text.lower() if low is None else low, 0
            while True:  # later mentions of the long form
                pos = low.find(long.lower(), pos)
                if pos < 0:
                    break
                if not (d.long_start <= pos < d.long_end):
                    cands.append(Cand(pos, pos + len(long), text[pos:pos + len(long)], kind or None,
                                      "acronym-long", 2, e, target=acr, drop=kind == ""))
                pos += len(long)
            if " " in acr:  # a multi-word short form ("Global MP") seen again
                for ma, mb in word_spans(acr, text):
                    if ma != d.short_start:
                        for c in cands:
                            c.drop = c.drop or (c.start < mb and ma < c.end)
                        cands.append(Cand(ma, mb, acr, kind or None, "acronym", 2, e, drop=kind == ""))
            own = bool(self.title) and not COMPARE_TITLE.search(self.title) and (
                self.title.lower().startswith(long.lower()) and not OR_AFTER.match(self.title, len(long))
                or not e and self._title_names(long, acr, kind))
            if not own and not e and kind == M and (TITLE_WORDS.match(long) or sum(ch.isalnum() for ch in acr) >= 4) and \
                    A_NEW_BEFORE.search(text[max(0, d.long_start - 14):d.long_start]):
                own = True  # "a Spatial Foreground Predictor (SFP) module": a new, named thing
            if own:
                for c in cands[-2:] if " " not in acr else cands:
                    if entity_key(c.target or c.surface) == entity_key(acr) and c.start >= d.short_start - len(long) - 3:
                        c.proposed, c.drop, c.kind = True, False, c.kind or M

    def _redefines(self, e: KBEntry, long: str) -> bool:
        """Whether the text's long form names something else than KB entry ``e`` (no long name of it shares its first word)."""
        if self.kb.lookup(long) is e:
            return False
        first = long.split()[0].lower()
        longs = [s for s, _ in e.surfaces() if " " in s]
        return bool(longs) and not any(s.split()[0].lower() == first for s in longs)

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
        for name, end in ((long, first_end(long, t, True)), (acr, first_end(acr, t, False))):
            if end is not None and (OR_AFTER.match(t, end) or t[:end - len(name)].rstrip().lower().endswith(" or")):
                return False  # "Graph Ontologies or Tree Kernels?": a comparison, not the paper's subject
            if end is not None and not CAP_WORD_AFTER.match(t[end:]):
                return True  # "Action Unit Intensity Estimation": AU modifies, the paper is not about AU itself
        return False

    def _title(self, text: str, cands: list[Cand]) -> None:
        m = TITLE_PREFIX.match(text)
        if not m:
            return
        a, b = m.span(1)
        words = text[a:b].split()
        caps = _all_caps(text)  # in a title in capitals the shape of a word says nothing
        weak = caps or not any(SHAPE.search(w.rstrip("-")) or (w.isupper() and len(w) > 1) for w in words[:2])
        if len(words) > 4 or weak and (len(words) > 1 or not (caps or CAP3.fullmatch(words[0]) or _CAP_HYPHEN.fullmatch(words[0]))
                                       or self.kb.is_stop(words[0])):
            return
        rest = text[m.end(1):m.end(1) + 80]
        kind = D if TITLE_D.search(rest) and not ING.match(rest) or TITLE_BENCH.match(text, m.end(1)) \
            else M  # "X: Characterizing Dataset Bias" is a method; "X: Benchmarking LLMs on ..." a benchmark
        e = self.kb.lookup(text[a:b])
        for c in cands:
            if c.start >= a and c.end <= b:
                c.drop = True
        # a plain capitalised word ("Vgent: ...") counts only if the abstract uses it again (see assemble)
        if weak and e is None and SUB_A.match(text[m.end(1):]) and \
                self._first_head(TOKENS.findall(text[m.end(1):m.end(1) + 60])[1:7]) == M:
            weak = False  # "Hashmod: A Hashing Method for ...": the subtitle says what the name is
        cands.append(Cand(a, b, text[a:b], e.kind if e else kind, "title", 2, e, proposed=True, veto=weak and e is None))
