"""Extra suggesters for the learned scorer: longer names around a candidate, benchmark and shared-task names.

Their candidates are never live (the rules alone do not report them); the scorer decides, and where one
overlaps a shorter candidate the surer of the two wins ("Claude 3 Sonnet" over the KB's "Claude 3").
"""

from __future__ import annotations

import re

from kg.extract.patterns import D, M, Cand

__all__ = ["suggest", "SUGGESTED"]

SUGGESTED = frozenset({"extend", "bench-name", "task-name", "list-name", "headed-name"})  # the rules of these candidates

# version, size and tier words that continue a model name: "Gemini 1.5 Flash", "Qwen3-VL 8B", "GPT-5 mini",
# "Claude Opus 4.6", "Bielik v3 7B", "Qwen 3.5 35B A3B"
_TIERS = ("Flash|Pro|Mini|mini|Nano|nano|Sonnet|Opus|Haiku|Ultra|Plus|Max|Turbo|Lite|Instruct|Chat|Base|Large|"
          "Small|Tiny|Kontext|Edit|Image|VL|Coder|Thinking|Guardian|Expanse|Omni|Air|Preview|Distill|Reasoner|"
          "Dev|Schnell|XL|XXL|Medium|Vision|Audio|Math|R1|V3|V2")
_EXTEND = re.compile(rf"(?:[ \-](?:v?\d+(?:\.\d+)*[BbMmKk]?|A\d+(?:\.\d+)?B|(?:{_TIERS})(?![\w\-])))+")
# a Title-Case name ending in a benchmark word: "Terminal Bench Pro", "Real-Time Reasoning Gym", "Self-Bench"
# "Tool-Reflection-Bench", "Spatial-DISE Bench", "LLM-BabyBench-Predict", "tau^2-Bench", "Robust Multi-View Depth
# Benchmark", and LaTeX small capitals broken by the feed: "VSI-B ENCH"
_BENCH = re.compile(r"(?<![\w\-^])((?:[A-Z][\w\-&]*\s+){0,3}(?:[A-Z][\w&\-^]*?[\s\-]|[a-zτ][\w^]*-)"
                    r"(?:Bench|Benchmark|B ENCH|BENCH|Gym|Arena|Suite|Eval|bench)"
                    r"(?:-[A-Z][a-z]+|\s+(?:Pro|Lite|Hard|Verified|Plus|v?\d+(?:\.\d+)?))?)(?![\w\-])")
# a Title-Case name whose capitalised head noun is part of it: "Natural Scenes Dataset", "World Values Survey",
# "Minecraft Dialogue Corpus" (the rules' dataset-name takes the words before a head noun, without it)
_HEADED = re.compile(r"(?<![\w\-])((?:[A-Z][\w\-&+']*\s+){1,4}(?:Dataset|Corpus|Corpora|Database|Survey|Challenge|Treebank|"
                     r"Collection)(?:\s+(?:v?\d+(?:\.\d+)?|(?:19|20)\d\d))?)(?![\w\-])")
# a shared task that releases data: "SemEval-2025 Task 4", "WMT 2025 Task 3"
_TASK = re.compile(r"(?<![\w\-])((?:SemEval|WMT|MEDIQA[\w\-]*|BioASQ|CLEF|TREC|FinCausal)[\s\-]?(?:20\d\d)"
                   r"(?:\s+(?:Task|Track)\s*~?\s*\d+)?)(?![\w\-])")
_TASK_SERIES = ("SemEval", "WMT", "MEDIQA", "BioASQ", "CLEF", "TREC", "FinCausal")  # every _TASK match holds one

# the next or the previous item of a coordinated list, one to three capitalised words: "on ImageNet, Places and
# Oxford Flowers", "Spider, BIRD and ..." (an item with no coined shape, which no other suggester finds)
_ITEM = r"([A-Z][\w\-]*(?:\s+[A-Z0-9][\w\-]*){0,2})"
_NEXT_ITEM = re.compile(r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:the\s+)?" + _ITEM +
                        r"(?=\s*(?:[,;.:)]|$|\s(?:and|or|as\s+well|datasets?|benchmarks?|corpora)\b))")
_PREV_ITEM = re.compile(r"(?<![\w\-])" + _ITEM + r"\s*(?:,|\s(?:and|or))\s*(?:the\s+)?$")
_BENCH_STOP = frozenset({"A", "An", "The", "This", "Our", "New", "Novel", "We", "Each", "Every"})
_ITEM_STOP = frozenset({"The", "This", "These", "Our", "A", "An", "We", "In", "On", "It", "Its", "Both", "All", "For", "With",
                        "Using", "Experiments", "Results", "Extensive", "Code", "Data", "Specifically", "Moreover",
                        "However", "Furthermore", "Additionally", "Finally", "First", "Second", "Third", "Then", "Also"})


def _list_items(text: str, cands: list[Cand], seen: set[tuple[int, int]]) -> list[Cand]:
    """Capitalised neighbours, in a coordinated list, of a candidate already typed as a dataset (never live)."""
    taken = sorted((c.start, c.end) for c in cands)
    todo = [(c.start, c.end) for c in cands if c.kind == D]
    out: list[Cand] = []
    done: set[tuple[int, int]] = set()
    while todo and len(out) < 12:
        a, b = todo.pop()
        if (a, b) in done:
            continue
        done.add((a, b))
        found = []
        m = _NEXT_ITEM.match(text, b)
        if m:
            found.append(m.span(1))
        p = _PREV_ITEM.search(text, max(0, a - 60), a)
        if p:
            found.append(p.span(1))
        for x, y in found:
            over = [(u, v) for u, v in taken if u < y and x < v]
            if over:
                todo.extend(o for o in over if o not in done)  # already a candidate: the list goes on from it
                continue
            name = text[x:y]
            if len(name) < 3 or name.split()[0] in _ITEM_STOP or (x, y) in seen:  # not "G, H and I"
                continue
            out.append(Cand(x, y, name, D, "list-name", 1, live=False))
            seen.add((x, y))
            taken.append((x, y))
            todo.append((x, y))
    return out


def suggest(text: str, cands: list[Cand]) -> list[Cand]:
    """More candidates for ``text`` (clean), given the rules' own: longer names, benchmarks, shared tasks."""
    out: list[Cand] = []
    seen = {(c.start, c.end) for c in cands}
    for c in cands:
        m = _EXTEND.match(text, c.end) if c.end < len(text) and text[c.end] in " -" else None
        if m and (c.start, m.end()) not in seen:
            end = m.end()
            kind = c.kind or (c.entry.kind if c.entry else M)
            out.append(Cand(c.start, end, text[c.start:end], kind, "extend", 1, live=False))
            seen.add((c.start, end))
    if "Bench" in text or "Gym" in text or "Arena" in text or "Suite" in text or "Eval" in text or "ench" in text or "ENCH" in text:
        for m in _BENCH.finditer(text):
            a, b = m.span(1)
            if (a, b) not in seen and m.group(1).split()[0] not in _BENCH_STOP:
                out.append(Cand(a, b, text[a:b], D, "bench-name", 1, live=False))
                seen.add((a, b))
    if "Dataset" in text or "Corpus" in text or "Corpora" in text or "Database" in text or "Survey" in text or \
            "Challenge" in text or "Treebank" in text or "Collection" in text:
        for m in _HEADED.finditer(text):
            a, b = m.span(1)
            words = m.group(1).split()
            while len(words) > 1 and words[0] in _BENCH_STOP | _ITEM_STOP:  # "The Natural Scenes Dataset"
                a += len(words[0]) + 1
                words = words[1:]
            if len(words) > 1 and (a, b) not in seen:
                out.append(Cand(a, b, text[a:b], D, "headed-name", 1, live=False))
                seen.add((a, b))
    if any(c.kind == D for c in cands):
        out.extend(_list_items(text, cands + out, seen))
    for m in (_TASK.finditer(text) if any(w in text for w in _TASK_SERIES) else ()):
        a, b = m.span(1)
        if (a, b) not in seen:
            out.append(Cand(a, b, text[a:b], D, "task-name", 1, live=False))
            seen.add((a, b))
    return out
