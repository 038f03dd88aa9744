"""spaCy components: the knowledge-base PhraseMatcher and the name rules, on ``spacy.blank("en")``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import IS_ALPHA, IS_LOWER, LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from kg.extract.kb import BUILTIN_KB_FILES, KnowledgeBase, load_kb
from kg.extract.rules import CUES_FILE, Rules, load_cues

__all__ = ["build_nlp", "KBMatcher", "NameRules"]

_TOKENIZER_CACHE = 200_000
_ARTICLES = {"a", "an", "the"}  # an article and a word never match a case-insensitive alias ("a Softmax" for A-Softmax)


def _twin_tokenizer(nlp: Language) -> Tokenizer:
    """A tokenizer with ``nlp``'s rules and vocab but its own (empty) cache."""
    t = nlp.tokenizer
    return Tokenizer(nlp.vocab, rules=t.rules, prefix_search=t.prefix_search, suffix_search=t.suffix_search,
                     infix_finditer=t.infix_finditer, token_match=t.token_match, url_match=t.url_match,
                     faster_heuristics=t.faster_heuristics)


class KBMatcher:
    """Finds knowledge-base names (case-sensitive ones on ORTH, others on LOWER); longest match wins."""

    def __init__(self, nlp: Language, name: str, *, kb_files: list[str], use_builtin_kb: bool) -> None:
        files = [p for p in BUILTIN_KB_FILES if p.exists()] if use_builtin_kb else []
        self.kb: KnowledgeBase = load_kb([*files, *map(Path, kb_files)])
        self.name = name
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        exact: dict[str, set[str]] = {}
        lower: dict[str, set[str]] = {}
        for i, e in enumerate(self.kb.entries):
            for s, cs in e.surfaces():
                (exact if cs else lower).setdefault(s if cs else s.lower(), set()).add(str(i))
        self._ids: dict[int, int] = {}
        # A separate tokenizer (same rules, same vocab) for the ~25k pattern strings: spaCy's
        # tokenizer caches at most 10,000 word splits, and filling the pipeline's own cache with
        # pattern words left no room for the abstracts' words (tokenizing them was 2x slower).
        tok = _twin_tokenizer(nlp)
        for table, matcher in ((exact, self.exact), (lower, self.lower)):
            texts = list(table)
            for t, doc in zip(texts, tok.pipe(texts)):
                idx = min(table[t], key=int)
                key = f"kb{idx}"
                self._ids[nlp.vocab.strings.add(key)] = int(idx)
                matcher.add(key, [doc])

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for m in (self.exact, self.lower):
            for match_id, s, e in m(doc):
                idx = self._ids[match_id]
                if m is self.lower and e - s == 1 and doc[s].is_lower and doc[s].is_alpha:
                    if not any(sf.islower() and sf.lower() == doc[s].text for sf, _ in self.kb.entries[idx].surfaces()):
                        continue  # "multiple" is not MultiPLE, "behave" is not BEHAVE
                if m is self.lower and e - s > 1 and doc[s].lower_ in _ARTICLES and doc[s + 1].text != "-":
                    continue  # an article plus a word: "a Softmax layer" is not A-Softmax
                spans.append((s, e, idx))
        spans.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
        used: set[int] = set()
        out = []
        for s, e, idx in spans:
            if used.isdisjoint(range(s, e)):
                used.update(range(s, e))
                out.append((doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text), self.kb.entries[idx]))
        doc.user_data["kg_kb"] = sorted(out, key=lambda x: x[0])
        return doc


class NameRules:
    """Runs the name rules (``kg.extract.rules``) and stores candidates in ``doc.user_data['kg_names']``."""

    def __init__(self, nlp: Language, name: str, *, cues_file: str) -> None:
        kb = nlp.get_pipe("kg_kb").kb if "kg_kb" in nlp.pipe_names else KnowledgeBase()
        self.rules = Rules(kb, load_cues(Path(cues_file) if cues_file else CUES_FILE))
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        title = bool(doc.user_data.get("kg_title"))
        doc.user_data["kg_names"] = self.rules.find(doc.user_data.get("kg_text") or doc.text, doc.user_data.get("kg_kb", []), title=title,
                                                    known=doc.user_data.get("kg_known", ()),
                                                    title_text=doc.user_data.get("kg_title_text", ""))
        return doc


@Language.factory("kg_kb", default_config={"kb_files": [], "use_builtin_kb": True})
def _make_kb(nlp: Language, name: str, kb_files: list[str], use_builtin_kb: bool) -> KBMatcher:
    return KBMatcher(nlp, name, kb_files=kb_files, use_builtin_kb=use_builtin_kb)


@Language.factory("kg_names", default_config={"cues_file": ""})
def _make_names(nlp: Language, name: str, cues_file: str) -> NameRules:
    return NameRules(nlp, name, cues_file=cues_file)


def build_nlp(kb_files: list[str], use_builtin_kb: bool, **_: Any) -> Language:
    """``spacy.blank("en")`` with the two components; max_length large enough for any abstract."""
    nlp = spacy.blank("en")
    nlp.max_length = 5_000_000
    # spaCy caches the split of at most 10,000 distinct words by default; the corpus has ~160k and
    # a miss runs the prefix/suffix/infix regexes (2.2x slower over the corpus). Bounded: ~15 MB.
    nlp.tokenizer.max_cache_size = _TOKENIZER_CACHE
    # Each new word gets only the lexeme attributes the KB matcher reads (LOWER, is_alpha,
    # is_lower): shape, norm, prefix, suffix, like_num... cost Python calls and StringStore entries.
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {a: getters[a] for a in (LOWER, IS_ALPHA, IS_LOWER)}
    nlp.add_pipe("kg_kb", config={"kb_files": kb_files, "use_builtin_kb": use_builtin_kb})
    nlp.add_pipe("kg_names")
    return nlp
