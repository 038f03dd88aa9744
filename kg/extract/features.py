"""Features of one proposal (a candidate entity of a paper) as a plain dict, for the learned scorer."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.extract.kb import KnowledgeBase, name_key as entity_key  # memoised entity_key

if TYPE_CHECKING:
    from kg.extract.assemble import Fields, Proposal

__all__ = ["features", "shape_of"]

_SHAPE_MAP = str.maketrans({**{chr(c): "X" for c in range(65, 91)}, **{chr(c): "x" for c in range(97, 123)},
                            **{chr(c): "d" for c in range(48, 58)}})
_RUNS = re.compile(r"(.)\1+")  # a run of one shape letter counts once: "ResNet-50" -> "XxXx-d"
_WORD_BEFORE = re.compile(r"([A-Za-z][\w\-]*)[^\w]{0,3}$")
_WORD_AFTER = re.compile(r"[^\w(]{0,3}\(?([A-Za-z0-9][\w\-.]*)")
_CUE = re.compile(r"\b(?:[Ww]e|[Oo]ur|propose[sd]?|introduce[sd]?|present[sd]?|dataset|datasets|benchmark|benchmarks|"
                  r"corpus|evaluat\w*|outperform\w*|baselines?|model|models|method|methods|framework|trained|"
                  r"fine-tun\w*|task|tasks|metric|score|accuracy|release[sd]?|collect\w*|annotat\w*)\b")
_NUMBER = re.compile(r"[\d.,]+%?$")
_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")  # "FooEval" -> Foo, Eval; "LDC2015E86" -> LDC, 2015, E, 86


# what a title's subtitle says its prefix name is: a benchmark, a dataset, an environment ("X: Benchmarking LLMs on
# ...", "X: Scaling Training Environments for ...", "X: How Good are LLMs at ...?") or a method
_SUB_BENCH = re.compile(r"\b(?:benchmark\w*|datasets?|corpus|corpora|evaluat\w*|environments?|gym|suite|testbed|arena|"
                        r"leaderboard|how\s+(?:good|well|far)|can\s+\w+|are\s+\w+|do\s+\w+|measur\w*|assess\w*)\b", re.I)
_SUB_METHOD = re.compile(r"\b(?:framework|model|models|method|network|approach|architecture|algorithm|via|towards|"
                         r"learning|improving|enhancing|boosting|efficient|unified|scalable)\b", re.I)
_TITLE_PREFIX = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+(\S.*)$")
_COUNT = re.compile(r"\d(?:\.\d+)?([KkMmBb])$")  # "UltraSeg-108K", "Recap100M" (data sizes), "Qwen-7B" (a model size)
_D_PARTS = frozenset({"bench", "benchmark", "eval", "arena", "gym", "env", "suite", "set", "db", "qa", "kb", "data",
                      "corpus", "dataset", "test", "train", "leaderboard", "challenge", "quest", "quests", "world"})
_PREV2 = re.compile(r"([A-Za-z][\w\-]*)[^\w]{1,3}([A-Za-z][\w\-]*)[^\w]{0,3}$")


@lru_cache(maxsize=1)
def _heads() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(dataset, method, non-entity) head nouns of ``data/cues.yaml``, lower-cased."""
    from kg.extract.rules import CUES_FILE, load_cues  # the cue lists the rules read (not at import: rules is large)
    c = load_cues(CUES_FILE)
    return frozenset(c["dataset_heads"]), frozenset(c["method_heads"]), frozenset(c["nonentity_heads"])


@lru_cache(maxsize=1 << 14)
def _head_class(words: str) -> str:
    """What a head noun (the last word or two of a phrase) names: dataset, method, task (a field, task,
    setting or metric: ``nonentity_heads``) or other. "Named Entity Recognition" -> task."""
    ds, ms, non = _heads()
    w = words.lower().split()
    for cand in (" ".join(w[-2:]), w[-1] if w else ""):
        if cand in ds:
            return "dataset"
        if cand in non:
            return "task"
        if cand in ms:
            return "method"
    return "other"


_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _word_before(text: str, lo: int, hi: int) -> str | None:
    r"""``_WORD_BEFORE.search(text, lo, hi).group(1)`` (or None), found from ``hi`` backwards, not by a try
    at every position (5x faster): the match is the ``[\w-]`` run holding the last word character, from
    its first ASCII letter, with the hyphens after it, when at most 3 characters (none \w) follow those."""
    if hi <= lo:
        return None
    if text[hi - 1] == "\n":  # ``$`` also matches before a final newline: the regex decides
        m = _WORD_BEFORE.search(text, lo, hi)
        return m.group(1) if m else None
    k = hi
    while k > lo and not (text[k - 1].isalnum() or text[k - 1] == "_"):
        k -= 1
    if k == lo:
        return None
    t = k
    while t < hi and text[t] == "-":
        t += 1
    if hi - t > 3:
        return None
    s = k - 1
    while s > lo and (text[s - 1].isalnum() or text[s - 1] in "_-"):
        s -= 1
    for p in range(s, k):
        if text[p] in _LETTERS:
            return text[p:t]
    return None


def shape_of(name: str) -> str:
    """Letters, digits and the rest, runs collapsed: "GPT-4o" -> "X-dx", "ImageNet" -> "XxXx"."""
    return _RUNS.sub(r"\1", name.translate(_SHAPE_MAP))[:12]


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3+"


@lru_cache(maxsize=1 << 15)
def _name_features(name: str) -> tuple[str, ...]:
    """Features of the name alone (memoised: the same names come back paper after paper)."""
    out = [f"shape={shape_of(name)}", f"len={min(len(name), 12)}"]
    if name.isupper():
        out.append("allcaps")
    if name.islower():
        out.append("lower")
    parts = _PARTS.findall(name)
    if parts:
        out += [f"last_part={parts[-1].lower()}", f"first_part={parts[0].lower()}"]
        if any(x.lower() in _D_PARTS for x in parts[1:]):
            out.append("dataset_part")  # "WebGym", "CP-Env", "SHADE-Arena", "DSR-Train"
    cm = _COUNT.search(name)
    if cm:
        out.append(f"count_suffix={cm.group(1).lower()}")
    return tuple(out)


def features(p: Proposal, fields: Fields, kb: KnowledgeBase) -> dict[str, float]:
    """What the suggesters said about ``p`` and how its name and context look; one key per feature."""
    f: dict[str, float] = {"bias": 1.0, f"rules={p.kind or 'none'}": 1.0}
    if p.kind:
        f[f"rules_role={p.kind}:{p.proposed}"] = 1.0
    name = p.name
    live = 0
    titles = abstracts = 0
    strength = -1
    for field, c in p.members:
        f[f"rule={c.rule}"] = 1.0
        if c.live:
            live += 1
            f[f"live_rule={c.rule}"] = 1.0
        f[f"cand_kind={c.kind or 'none'}"] = 1.0
        strength = max(strength, c.strength)
        if c.proposed:
            f["cand_proposed"] = 1.0
        if c.veto:
            f["veto"] = 1.0
        if c.nonentity:
            f["nonentity"] = 1.0
        if c.drop:
            f["dropped"] = 1.0
        if c.long:
            words = c.long.split()
            f[f"long_last={words[-1].lower()}"] = 1.0
            f[f"long_head={_head_class(c.long)}"] = 1.0  # "Visual Question Answering (VQA)": a task
            f[f"long_words={_bucket(len(words))}"] = 1.0
            if c.long.islower():
                f["long_lower"] = 1.0
        if field == "title":
            titles += 1
        else:
            abstracts += 1
            if abstracts <= 3:
                text = fields[field][1].text
                b = _word_before(text, max(0, c.start - 30), c.start)
                if b:
                    f[f"prev={b.lower()}"] = 1.0
                b2 = _PREV2.search(text, max(0, c.start - 40), c.start)
                if b2:  # "the task of X", "tasks such as X", "evaluated on X"
                    f[f"prev2={b2.group(1).lower()} {b2.group(2).lower()}"] = 1.0
                a = _WORD_AFTER.match(text, c.end, c.end + 30)
                if a:
                    nxt = a.group(1)
                    f["next=<num>" if _NUMBER.match(nxt) else f"next={nxt.lower()}"] = 1.0
                    f[f"next_head={_head_class(nxt)}"] = 1.0  # "X benchmark", "X task", "X framework"
                # cue words near the mention: "we propose ... X", "X ... benchmark", "on X"
                for w in _CUE.findall(text, max(0, c.start - 60), min(len(text), c.end + 60)):
                    f[f"near={w.lower()}"] = 1.0
                if c.start < 120:
                    f["early"] = 1.0
    f[f"strength={strength}"] = 1.0
    if p.covered:
        f["covered"] = 1.0  # "Claude 3" inside "Claude 3 Sonnet"
    if p.covers:
        f["covers"] = 1.0
    f["live=" + ("all" if live == len(p.members) else "some" if live else "none")] = 1.0
    f[f"mentions={_bucket(abstracts)}"] = 1.0
    if titles:
        f["in_title"] = 1.0
        title = fields["title"][1].text
        if not any(ch.islower() for ch in title):
            f["title_allcaps"] = 1.0
        tp = _TITLE_PREFIX.match(title)
        if tp and any(fd == "title" and c.end <= tp.end(1) for fd, c in p.members):
            sub = tp.group(2)
            f["title_sub=" + ("bench" if _SUB_BENCH.search(sub) else "method" if _SUB_METHOD.search(sub) else "other")] = 1.0
            if sub.rstrip().endswith("?"):
                f["title_question"] = 1.0
    entry = next((c.entry for _, c in p.members if c.entry is not None), None)
    if entry is not None:
        f[f"kb={entry.kind}"] = 1.0
        if entry.grey:
            f["kb_grey"] = 1.0
        if entry.context:
            f["kb_context"] = 1.0
        if not any(entity_key(c.surface) == entity_key(entry.name) for _, c in p.members):
            f["kb_renamed"] = 1.0  # the text's spelling is an alias of the entry, not its name
    if kb.is_stop(name):
        f["stop"] = 1.0
    for k in _name_features(name):
        f[k] = 1.0
    f[f"key={p.key}"] = 1.0
    return f
