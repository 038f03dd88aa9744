"""Context typing and proposal cues of the name rules: head nouns, left/right cues, lists, "we propose X"."""

from __future__ import annotations

import re
from bisect import bisect_right

from kg.extract.kb import KnowledgeBase
from kg.extract.patterns import (
    Cand, D, M, AFTER_MARK, ALLCAPS, ALPHA_WORDS, AND_X_D_HEAD, APPOS_AFTER, A_NOVEL_AFTER, BASELINE_LEFT, CITED,
    D_HINT, IS_A, LEAD_PREP, LIST_SEP, METRIC_AFTER, MODIFIED, NAMED_LOWER, NEXT_WORD, NOT_NP,
    NOVEL_HEAD, OUR_HEAD, OUR_LEFT, PASSIVE, PLURAL_D_HEAD, TC_NAME, THE_TC_NAME, TITLE_WORDS,
    OWN_LEFT, TO_VERB,
)

__all__ = ["ContextRules"]

_NAME_VERBS = ("dubbed", "called", "named", "termed", "coined")  # the verbs of NAMED_LOWER
_PASSIVE_VERBS = ("proposed", "presented", "introduced", "developed", "designed", "devised")  # of PASSIVE


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "several": 3, "multiple": 3}
_COUNT_WORDS = tuple(w + " " for w in _COUNTS)  # the count word and the space after it
_PART_NOUNS = ("components", "modules", "strategies", "innovations", "techniques", "designs", "mechanisms",
               "contributions", "parts", "branches", "blocks")
# "two key components", "three novel designs", "two complementary strategies" announcing the parts of a system
_ANNOUNCE = re.compile(r"\b(" + "|".join(_COUNTS) + r")\s+(?:[\w-]+\s+){0,2}?(?:" + "|".join(_PART_NOUNS) + r")\b")
# the announcing sentence speaks of the paper's own system
_OWN_PARTS = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Pp]roposed|[Tt]his\s+(?:paper|work|study)|[Tt]he\s+(?:framework|model|method|"
                        r"approach|system|architecture|pipeline|network)|[Ii]t)\b")
# what comes right before an item of such a list: a colon, a number, a conjunction, a sentence start
_ITEM_BEFORE = re.compile(r"(?:[:;]|\(?\b(?:\d|i{1,3}|iv|[a-d])\)|[.]|^)\s*(?:[Tt]he|[Aa]n?)?\s*$")
_AND_BEFORE = re.compile(r"(?:,|\band)\s*(?:the|a|an)?\s*$")

_ONE_NAME_APPOS = re.compile(r"\s+([A-Z][a-z]*(?:-[A-Z][A-Za-z]*)?[a-z][A-Za-z]*),\s+(?:a|an)\s")
_MODIFIER_AFTER = re.compile(r"-[a-z]|['’]s\b")  # the name modifies or owns what is proposed

_BOUNDARY = re.compile(
    r"[.;:!?]|\b(?:that|which|where|who|to|for|of|on|in|with|by|from|using|via|through|based|over|than|"
    r"under|into|across|between|when|while|whose|against|as|within|inside|among|without|at|and\s+(?:show|demonstrate|evaluate|find|achieve|apply|use))\b")


class ContextRules:
    """Typing and role rules over one field's candidates; mixed into ``Rules`` (needs ``self.kb``, ``self.c``)."""

    kb: KnowledgeBase
    c: dict

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
        return self._right_head_word(text, end)[0]

    def _right_head_word(self, text: str, end: int) -> tuple[str | None, str]:
        """(kind named by the word after a name, that word lower-cased): "dataset" -> (Dataset, "dataset")."""
        m = self.c["head"].match(text, end, min(len(text), end + 40))
        if not m:
            return None, ""
        first = m.group(1).lower()
        if first in self.c["dataset_heads"] or f"{first} {m.group(2) or ''}".lower().strip() in self.c["dataset_heads"]:
            return D, first
        if first in self.c["method_heads"]:
            return M, first
        return None, first

    def _left_kind(self, text: str, sent_start: int, start: int) -> str | None:
        left = text[max(sent_start, start - 110):start]
        tail = left[-45:]
        if D_HINT.search(tail) and self.c["d_left"].search(left):
            return D
        if self.c["m_left"].search(tail):
            return M
        return None

    def _proposals(self, text: str, cands: list[Cand], sents: list[int]) -> None:
        starts = [c.start for c in cands]
        for m in self.c["propose"].finditer(text):
            to = TO_VERB.match(text, m.end())  # "we propose to develop X"
            m = to or m
            bnd = _BOUNDARY.search(text, m.end(), min(len(text), m.end() + 160))
            stop = bnd.start() if bnd else min(len(text), m.end() + 160)
            i = bisect_right(starts, m.end() - 1)
            while i < len(cands) and cands[i].start < stop and (
                    cands[i].strength < 1 or cands[i].veto and text[m.end():cands[i].start].strip()
                    or cands[i].drop and not self._revivable(text, cands[i])
                    or cands[i].entry is not None and cands[i].entry.grey):
                i += 1
            tc = TC_NAME.match(text, m.end())
            if tc is None and (tt := THE_TC_NAME.match(text, m.end())) and self._head_kind(tt.group(1).split()[-1]):
                tc = tt  # "We introduce the Visual Iconicity Challenge, a ..."
            if tc is None and (t1 := _ONE_NAME_APPOS.match(text, m.end())) and \
                    self._first_head(text[t1.end():t1.end() + 80].split()[:6]):
                tc = t1  # "we present Difflog, a technique to ...": one capitalised word, then what it is
            if tc and not (i < len(cands) and cands[i].start < tc.end(1)) and not self.kb.is_stop(tc.group(1)) \
                    and self.kb.lookup(tc.group(1)) is None:
                cands.insert(i, Cand(tc.start(1), tc.end(1), tc.group(1), M, "propose-cue", 2, proposed=True))
                starts.insert(i, tc.start(1))
                self._mark(text, cands[i], "", "propose-cue")  # "We propose Flow Planner, which ..."
            elif i < len(cands) and cands[i].start < stop and not (
                    cands[i].entry is not None and MODIFIED.search(text[m.end():cands[i].start])) \
                    and not _MODIFIER_AFTER.match(text, cands[i].end):  # "a PICO-based framework", "JHU's system"
                self._mark(text, cands[i], text[m.end():cands[i].start], "propose-cue")  # not "an improved InfoNCE loss"
        named = any(w in text for w in _NAME_VERBS)  # each match holds one of them
        # "an enhanced triplet loss, named triplet distillation, which"
        for m in (NAMED_LOWER.finditer(text) if named else ()):
            a, b = m.span(1)
            if any(c.start < b and a < c.end for c in cands) or self.kb.is_stop(m.group(1)) or \
                    m.group(1).islower() and self._head_kind(m.group(1).split()[-1]) != M:
                continue
            c = Cand(a, b, m.group(1), None, "name-cue", 2)
            cands.insert(bisect_right(starts, a), c)
            starts.insert(bisect_right(starts, a), a)
            self._mark(text, c, text[max(0, a - 60):m.start()], "name-cue")
        self._components(text, cands, sents)
        by_start = {c.start: c for c in cands if not c.drop}
        for s0 in sents[:3]:  # "X is a novel framework that ..." opening the abstract presents the paper's X
            c = by_start.get(s0)
            if c is not None and c.entry is None and c.strength >= 1 and not c.veto and not c.proposed \
                    and IS_A.match(text, c.end) and self._first_head(text[c.end:c.end + 80].split()[2:10]):
                self._mark(text, c, "", "is-a")
        passive = any(w in text for w in _PASSIVE_VERBS)  # each match holds one of them
        for m in (PASSIVE.finditer(text) if passive else ()):  # "A relaxed 2-D PCA (R2DPCA) approach is proposed"
            s0 = sents[bisect_right(sents, m.start()) - 1]
            first = next((c for c in cands if s0 <= c.start < m.start() and not c.drop and c.strength >= 1
                          and not c.veto and c.entry is None and c.kind != D), None)
            if first is not None and not first.proposed and first.start - s0 <= 70 and m.start() - first.end <= 60 \
                    and "," not in text[first.end:m.start()] and not LEAD_PREP.match(text, s0):
                self._mark(text, first, "", "propose-passive")
        for c in cands:
            if c.strength < 1 or c.drop and c.rule != "acronym-def":
                continue
            left = text[max(0, c.start - 40):c.start]
            lo = max(0, c.start - 90)  # a match holds "new" or "novel" inside its window: look for them first
            nv = NOVEL_HEAD.search(text, lo, c.start) if c.strength < 3 and not c.proposed and (
                not c.drop or self._revivable(text, c)) and (
                text.find("new", lo, c.start) >= 0 or text.find("novel", lo, c.start) >= 0) else None
            if nv and not NOT_NP.search(nv.group(1)) and \
                    (self._phrase_kind(nv.group(0)) if nv.group(3) else self._head_kind(nv.group(2))) in (M, D):
                self._mark(text, c, nv.group(0), "novel-head")  # "a novel ... segmentation algorithm STATT"
                continue
            # cheap substring tests first: each search below can match only if its cue word is in ``left``
            low = left.lower() if left.isascii() else None
            words = self.c.get("name_cue_words")
            if (low is None or words is None or any(w in low for w in words)) and self.c["name_cue"].search(left):
                self._mark(text, c, left, "name-cue")
                s0 = sents[bisect_right(sents, c.start) - 1]
                wide = text[max(s0, c.start - 100):c.start]
                if BASELINE_LEFT.search(wide) and not OWN_LEFT.search(wide):
                    c.proposed = False  # named, so typed, but a baseline: "a recent method called X"
            elif (low is None or "our" in low) and OUR_LEFT.search(left) and c.kind != D \
                    and not (c.rule == "shape" and ALLCAPS.match(c.surface) and self._right_head(text, c.end) != M) \
                    and not (c.entry is not None and (c.entry.grey or text.startswith("-", c.end)
                                                      or self._right_head(text, c.end))):
                self._mark(text, c, left, "our")
            elif c.strength < 3 and (low is None or "our" in low or "its" in low) and (hm := OUR_HEAD.search(left)) \
                    and self._head_kind(hm.group(1)):
                self._mark(text, c, left, "our")  # "Our benchmark suite, GraphLog"
            elif A_NOVEL_AFTER.match(text[c.end:c.end + 20]) and c.strength < 3:
                self._mark(text, c, "", "appositive")

    def _components(self, text: str, cands: list[Cand], sents: list[int]) -> None:
        """Acronyms the paper defines in the list it announces as its own parts are proposed.

        "we further develop two complementary strategies: Frequency-Guided Supervision (FGS) for ... and
        Discrepancy-Guided Optimization (DGO) for ...", "SeViCES ... introduces two key components. The
        Semantic-Visual Consensus Frame Selection (SVCFS) module ...".
        """
        defs = [c for c in cands if c.rule == "acronym-def" and c.long and c.entry is None and not c.proposed]
        if not defs or not any(w in text for w in _PART_NOUNS) or not any(w in text for w in _COUNT_WORDS):
            return  # every _ANNOUNCE match holds one of each
        found = _ANNOUNCE.finditer(text)
        own = {c.surface for c in cands if c.proposed or c.rule == "title-name"}
        for m in found:
            k = bisect_right(sents, m.start()) - 1
            s0 = sents[k]
            if not (_OWN_PARTS.search(text, s0, m.start()) or any(
                    s0 <= c.start < m.start() and c.surface in own for c in cands)):
                continue  # "These models typically rely on two key components: ..." is not the paper's own
            n = _COUNTS.get(m.group(1).lower(), 3)
            end = sents[k + n + 1] if k + n + 1 < len(sents) else len(text)
            last = -1  # end of the last item taken: "X (A) for ... and Y (B)" continues the list
            for c in defs:
                if not (m.end() <= c.start < end) or self.kb.is_stop(c.surface) or not TITLE_WORDS.match(c.long or ""):
                    continue
                a = c.start - len(c.long or "") - 2  # where the long form starts, before " (ACR)"
                lead = text[max(0, a - 12):a]
                if not (_ITEM_BEFORE.search(lead) or a <= 0 or last > 0 and _AND_BEFORE.search(lead)
                        and not any(last < q < a for q in sents)):
                    continue  # a term used inside an item ("spike encoding and Leaky Integrate-and-Fire (LIF) neurons")
                last = c.end
                kind = D if self._right_head(text, c.end) == D else M  # "(1) the Chain of Causation (CoC) dataset"
                for o in cands:
                    if o.rule == "acronym-def" and (o is c or o.target == c.surface and o.end <= c.start):
                        o.kind, o.proposed, o.drop, o.nonentity = kind, True, False, False
                        o.strength = max(o.strength, 2)

    def _revivable(self, text: str, c: Cand) -> bool:
        """A dropped acronym definition a proposal cue may still name: a Title-Case long form, not a modifier."""
        if c.rule != "acronym-def":
            return False
        long, acr = (c.long, c.surface) if c.long else (c.surface, c.target or "")
        if self.kb.is_stop(acr) or not TITLE_WORDS.match(long or ""):
            return False
        nxt = NEXT_WORD.match(text[c.end:c.end + 40])
        return not (nxt and (nxt.group(1) in self.c["method_heads"] or nxt.group(1) in self.c["nonentity_heads"]
                             or nxt.group(1) in self.c["dataset_heads"]))

    def _phrase_kind(self, phrase: str) -> str | None:
        """Kind named by the nearest head noun of a short phrase: "a new dataset of traffic accidents" -> Dataset."""
        for w in reversed(ALPHA_WORDS.findall(phrase)[-8:]):
            k = self._head_kind(w)
            if k:
                return k
        return None

    def _first_head(self, words: list[str]) -> str | None:
        """Kind of the first head noun of a noun phrase, None if a preposition or verb comes first."""
        for w in words:
            if w.lower() not in ("and", "or") and NOT_NP.fullmatch(w.lower()) or w.lower() in ("of", "at"):
                return None
            k = self._head_kind(w)
            if k:
                return k
        return None

    def _mark(self, text: str, c: Cand, before: str, rule: str) -> None:
        after = AFTER_MARK.match(text[c.end:c.end + 80])
        kind = self._phrase_kind(self.c["name_cue"].sub("", before)) if before.strip() else None
        if after and not kind:
            for w in after.group(1).split()[:6]:
                k = self._head_kind(w)
                if k in (M, D):
                    kind = k
                    break
        if not kind and self._right_head(text, c.end) == D:
            kind = D  # "we release the CattleBehaviours6 dataset"
        if c.entry is not None:
            kind = c.entry.kind
        c.kind = kind if kind in (M, D) else (c.kind or M)
        c.proposed, c.rule, c.drop = True, rule, False
        c.strength = max(c.strength, 2)

    def _context(self, text: str, cands: list[Cand], sents: list[int]) -> None:
        live = [c for c in cands if not c.drop]
        for c in live:
            if CITED.match(text[c.end:c.end + 12]) and c.strength < 3:
                c.drop = True
            if c.proposed or c.drop:
                continue
            if c.kind == M and c.strength >= 3 and METRIC_AFTER.match(text, c.end):
                c.drop = True  # "Sinkhorn distance", "Wasserstein distance": a metric, not the method
                continue
            rh, word = self._right_head_word(text, c.end)
            if c.entry is None and c.strength < 3 and word in self.c["hardware_heads"]:
                c.drop = True  # "the Unitree Go2 robot", "two WidowX arms": a machine, not annotated
                continue
            appos = False
            if rh is None and c.strength < 3 and c.rule in ("shape", "acronym-def", "acronym"):
                ap = APPOS_AFTER.match(text, c.end)
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
            if chains and LIST_SEP.match(text, chains[-1][-1].end, c.start) and c.start > chains[-1][-1].end:
                chains[-1].append(c)
            elif not chains or c.start >= chains[-1][-1].end:
                chains.append([c])
        for ch in chains:
            s0 = sents[bisect_right(sents, ch[0].start) - 1]
            if len(ch) > 1 and PLURAL_D_HEAD.match(text, ch[-1].end) or AND_X_D_HEAD.match(text, ch[-1].end):
                for c in ch:  # "on the Nucleotide Transformer and GB benchmarks": every member is a benchmark
                    if not c.proposed and not c.veto and (c.strength >= 1 or c.kind == D):
                        c.kind, c.strength = D, max(c.strength, 2)
                continue
            typed = [c.kind for c in ch if c.kind and c.strength >= 2]
            multi = len(ch) > 1 and bool(typed)
            # the left context (a costly search) is read below only for a cue-only KB name outside a typed
            # list, or for an untyped member the first typing branch can reach: look only then
            need = any(c.entry is not None and c.entry.context and not multi or c.kind is None and (
                not c.veto or len(ch) >= 3 and len(typed) >= 2) and (c.strength >= 1 or multi) for c in ch)
            ctx = self._left_kind(text, s0, ch[0].start) if need else None
            kind = ctx or (max(sorted(set(typed)), key=typed.count) if typed else None)
            for c in ch:
                if c.entry is not None and c.entry.context and ctx is None and not (len(ch) > 1 and typed):
                    c.drop = c.drop or not c.proposed
                # a lower-case hyphenated word ("pick-and-place", "self-attention", "in-the-wild") is
                # typed only by its own cue, never by a list or the sentence around it
                if c.kind is None and kind and (not c.veto or len(ch) >= 3 and len(typed) >= 2) and c.strength >= 1:
                    c.kind, c.rule = kind, ("list" if len(ch) > 1 and not ctx else "context")
                elif c.kind is None and c.strength >= 1 and not c.veto and not (
                        c.rule == "shape" and ALLCAPS.match(c.surface) and len(ch) == 1):
                    c.kind = M  # a bare, undefined, uncued acronym (HPC, RTX, PZT) stays untyped
        for c in live:  # the parts of one compound ("CIFAR-10/100-LT") share a type
            if c.rule == "compound" and c.kind is None:
                c.kind = next((o.kind for o in live if o.start == c.start and o.end == c.end and o.kind), None)
