"""The name patterns the suggesters share (public: rules.py and context.py import them), the candidate record, the junk-name guards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from kg.extract.kb import KBEntry

__all__ = [
    "ABBREV", "ACR_COMPOUND", "AFTER_MARK", "AFTER_PAREN", "ALLCAPS", "ALPHA_WORDS", "ANALOGY",
    "AND_X_D_HEAD", "APPOS_AFTER", "A_NEW_BEFORE", "A_NOVEL_AFTER", "BASE", "BASELINE_LEFT", "CAP3",
    "CAP_WORD_AFTER", "CITED", "COMPARE_TITLE", "COMPOUND", "Cand", "DATASET_SHAPE", "D_HINT", "ELEMENT",
    "ELEMENTS", "FORMULA", "FORMULA_VAR", "FRAGMENT", "GLUED_HEAD", "HARDWARE_NUM", "ING", "IS_A", "KEEP_SUFFIX",
    "LEAD_PREP", "LIST_BEFORE", "LIST_SEP", "METRIC_AFTER", "METRIC_NAME", "MODIFIED", "NAMED_LOWER",
    "NEXT_WORD", "NOT_NP", "NOVEL_HEAD", "OR_AFTER", "OUR_HEAD", "OUR_LEFT", "OWN_LEFT", "PASSIVE", "PLURAL",
    "PLURAL_D_HEAD", "RUN", "SENT", "SENT_FAST", "SHAPE", "SHAPE_HIT", "SLASH_NUM", "SUB_A", "TC_DATASET",
    "TC_NAME", "TC_STOP", "THE_TC_NAME", "TITLE_BENCH", "TITLE_D", "TITLE_PREFIX", "TITLE_WORDS", "TOKENS", "TO_VERB",
    "URLISH", "URL_TLD", "VERSION", "WEAK", "WEAK_RUN", "WORD", "first_end", "shape_spans", "weak_spans",
    "word_spans", "wordish"
]

# a name glued to the head noun before it by a dash used as a colon: "two datasets-BBQ and ..." is BBQ
GLUED_HEAD = re.compile(r"^(?:datasets?|benchmarks?|corpora|models?|methods?|baselines?|tasks?|architectures?|"
                        r"backbones?|frameworks?|algorithms?)-(?=[A-Z0-9])")
# a size range, a rank or a ratio, never a name: "0.5B-7B", "0.6B--14B" (LaTeX's en dash), "Top-20", "64-to-1"
FRAGMENT = re.compile(r"^(?:\d+(?:\.\d+)?[BMKbmk]?(?:--?|–)\d+(?:\.\d+)?[BMKbmk]|[Tt]op-\d+|\d+-to-\d+)$")

M, D = "Method", "Dataset"

# Coined shape: an inner capital, two capitals, or letters mixed with digits (FedLoGe, SSE-C, YFCC4k).
# a caret inside a name is its superscript written without LaTeX math: "D^3PO" is one name, not "3PO"
WORD = re.compile(r"(?<![\w\-.+/^])(?:[A-Za-z0-9][\w\-.+∞^]*?[A-Z0-9∞]|[0-9])[\w\-.+∞^]*")
SHAPE = re.compile(r"[a-z][A-Z]|[A-Z][\w.]*[A-Z]|[A-Za-z][\w.]*\d|\d[\w.]*[A-Za-z]|\w∞|[A-Za-z]-[A-Z](?![\w])|[A-Za-z]-\d")
WEAK = re.compile(r"(?<![\w\-.+/])[a-z][a-z0-9]+(?:-[a-z0-9]+)+(?![\w\-])")
WEAK_RUN = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)+")  # a whole [\w-] run that WEAK matches
RUN = re.compile(r"[\w-]*")
COMPOUND = re.compile(r"(?<![\w\-/])([A-Za-z][A-Za-z\-]*?-?)(\d+[A-Za-z]?)((?:/-?\d+[A-Za-z]?)+)(-[A-Za-z][\w]*)?(?![\w/])")
VERSION = re.compile(r"\s(?:v?\d+(?:\.\d+)+|v\d+)\b")
DATASET_SHAPE = re.compile(r"(?:[Bb]ench(?:mark)?s?|BENCH|[Cc]orpus|[Dd]ataset|QA|-\d+[kK])$")
SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(\[])")
# the same breaks as group 1; starting on the punctuation lets re skip ahead to [.!?] instead of trying every position
SENT_FAST = re.compile(r"[.!?](\s+)(?=[A-Z0-9\"“(\[])")
ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|et al|vs|Fig|Eq|cf|resp|approx|etc|Sec|Tab|No)\.|\b[A-Z]\.)$")
LIST_SEP = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|,\s*and\b|,\s*or\b|;)\s*(?:the\s+)?$")
TITLE_PREFIX = re.compile(r"^\s*([^:]{1,40}?)\s*:\s+\S")
D_HINT = re.compile(r"\b(?:on|across|using|from|in|datasets?|benchmarks?|corpora|corpus|sets?)\b", re.I)
SLASH_NUM = re.compile(r"\d/-?\d")
PLURAL = re.compile(r"^(.*[A-Z0-9])s$")
# URLs, e-mail addresses and file paths: nothing inside them is a name ("~ksinha4/graphlog").
URLISH = re.compile(r"(?:https?://|www\.)\S*/ [\w.-]+(?:/\S*)?|(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|net|edu|ai|ac\.[a-z]{2}|dev|info)/\S*|[\w.+-]+@[\w-]+\.[\w.]+"
                    r"|\b[\w.-]+\.git(?:hub|lab)\.io\b\S*")  # a project page without a scheme or a path: "opencity3d.github.io"
# every URLISH match holds "http", "www.", "@", ".github.io", ".gitlab.io" or a match of this: test for them before the full search
URL_TLD = re.compile(r"\.(?:com|org|io|net|edu|ai|ac\.[a-z]{2}|dev|info)/")
ALLCAPS = re.compile(r"^[A-Z]{2,5}s?$")  # a bare acronym: a name only when defined, known or cued
# ACR-word compounds ("IMU-measured", "GPU-friendly") name the acronym's thing, not a new entity;
# size and release words after a hyphen stay part of the name ("BERT-base", "Qwen-chat").
ACR_COMPOUND = re.compile(r"^([A-Z][A-Z0-9]+s?)-([a-z]{3,})$")
KEEP_SUFFIX = {"base", "large", "small", "tiny", "huge", "giant", "mini", "nano", "micro", "medium", "chat",
                "instruct", "lite", "plus", "pro", "max", "turbo", "flash", "light", "xl", "xxl", "zero"}
OUR_HEAD = re.compile(r"\b(?:[Oo]ur|[Ii]ts)\s+(?:[\w-]+\s+){0,2}?([a-z]+)\s*,?\s*$")
TC_NAME = re.compile(r"\s+([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){1,3})(?=\s*(?:[,(:;.]|\s(?:which|that|to|for|as|with)\b))")
TO_VERB = re.compile(r"\s+to\s+(?:\w+ly\s+)?(?:develop|build|design|create|use|train|introduce|learn|construct|present)\b")
THE_TC_NAME = re.compile(r"\s+the\s+([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){1,4})(?=\s*(?:[,(:;.]|\s(?:which|that|to|for|as|with)\b))")
PLURAL_D_HEAD = re.compile(r"\s+(?:datasets|benchmarks|corpora|data\s+sets|suites)\b")
AND_X_D_HEAD = re.compile(r"\s+(?:and|or)\s+[\w\-]+\s+(?:datasets|benchmarks|corpora|data\s+sets|suites)\b")
ANALOGY = re.compile(r"-(?:like|style|inspired|ish)\b")
METRIC_NAME = re.compile(r"(?:-[Ss]core|[a-z]Score|-F1|-AUC|-AUROC|-mAP)$")
IS_A = re.compile(r"\s+is\s+(?:a|an)\s")
APPOS_AFTER = re.compile(r",\s+(?:a|an|the)\s+([^,.;:()]{3,70})")
AFTER_PAREN = re.compile(r"[^()\s]{0,3}\)?\s*([a-z]+)\b")
# the leading word-start tests sit after the first letter (``\b(?:is|are)``, ``(?<![\w-])[A-Z]``): a pattern opening
# on a literal or a class lets re skip ahead to it instead of trying every position; same matches
PASSIVE = re.compile(r"(?:i(?<!\w.)s|a(?<!\w.)re)\s+(?:\w+ly\s+|also\s+|here\s+|first\s+)?(?:proposed|presented|introduced|developed|designed|devised)\b")
NOVEL_HEAD = re.compile(r"\b(?:a|an)\s+(?:new|novel)\s+((?:[\w-]+\s+){0,6}?)([a-z]+)(\s*,)?\s*$")
NOT_NP = re.compile(r"\b(?:by|with|using|from|to|that|which|on|in|into|for|and|or|as|is|are|inspired|leverag\w*|integrat\w*)\b")
METRIC_AFTER = re.compile(r"[\s-](?:distance|divergence|metric|score|coefficient|index|similarity)s?\b")
# ``(?<![\w-])((?:[A-Z][\w\-]*\s+){0,4}[A-Z][\w\-]*)`` with the first capital taken out of the repetition
TC_DATASET = re.compile(r"([A-Z](?<![\w-].)(?:[\w\-]*\s+(?:[A-Z][\w\-]*\s+){0,3}[A-Z])?[\w\-]*)\s+"
                         r"(?:[Dd]ataset|[Bb]enchmark|[Cc]orpus|[Dd]atabase)s?\b")
TC_STOP = {"The", "This", "These", "Our", "A", "An", "We", "In", "On", "Each", "Both", "All", "Existing", "Two",
            "Three", "Four", "Several", "Many", "Most", "Public", "Large", "New", "Novel", "Real", "Synthetic",
            "Standard", "Popular", "Benchmark", "Dataset", "Experiments", "Results", "For", "With", "Using"}
NAMED_LOWER = re.compile(r"\b(?:dubbed|called|named|termed|coined)\s+(?:as\s+)?(?!(?:the|a|an|our|this|it|its)\b)"
                          r"([A-Za-z][\w\-]*(?:\s+[a-z][\w\-]*){0,3}?)(?=\s*(?:[,(.;:]|\s(?:which|that|to|for|as|with|and|in)\b))")
LEAD_PREP = re.compile(r"(?:For|In|On|With|To|By|From|Using|Unlike|Compared|Based|Through|Via|As|After|Before|When|While)\b")
ELEMENTS = ("He|Li|Be|Ne|Na|Mg|Al|Si|Cl|Ar|Ca|Ti|Cr|Mn|Fe|Co|Ni|Cu|Zn|Ga|Ge|As|Se|Br|Sr|Zr|Nb|Mo|Ag|Cd|In|Sn|"
             "Sb|Te|Cs|Ba|La|Ce|Hf|Ta|Pt|Au|Hg|Pb|Bi|H|B|C|N|O|F|P|S|K|V|Y|I|W")
ELEMENT = re.compile(rf"(?:{ELEMENTS})(?![a-z])")
FORMULA = re.compile(rf"^(?:(?:{ELEMENTS})(?:\d+(?:\.\d+)?|\d*-?[xyδ])?(?![a-z]))+$")
HARDWARE_NUM = re.compile(r"\s(\d{3,4}(?:\s?Ti)?)\b")
TITLE_WORDS = re.compile(r"^(?:(?:[A-Z0-9][\w\-'’&+]*|of|for|and|the|with|in|on|to|via|a|an|by|from)\s+)*[A-Z0-9][\w\-'’&+]*$")

FORMULA_VAR = re.compile(r"\d-?[xyδ]")
BASE = re.compile(r"^(.+?)[-_ ](?:[\w.]+)$")
LIST_BEFORE = re.compile(r"(?:,|\band|\bor|\bthe)\s+$")
A_NEW_BEFORE = re.compile(r"\b(?:[Aa]n?)\s+(?:novel\s+|new\s+)?$")
CAP_WORD_AFTER = re.compile(r"\s+[A-Z][A-Za-z]")  # a capitalised word or an acronym: "Ultra-low-power MCUs"
# a title that compares or asks ("Behavior Trees vs Executable Ontologies", "SFT or Contrastive Learning?"): names in it are not the paper's own
COMPARE_TITLE = re.compile(r"\b(?:vs|versus)\b")
OR_AFTER = re.compile(r"\s+or\s", re.I)
# before a name cue: the named thing is someone else's ("than the recent state-of-the-art method, i.e., PhysTwin")
BASELINE_LEFT = re.compile(r"\b(?:than|outperform\w*|surpass\w*|compared|comparisons?|baselines?|existing|previous|prior|"
                            r"state-of-the-art|SOTA|popular|widely[- ]used|recent)\b", re.I)
OWN_LEFT = re.compile(r"\b(?:we|our|this\s+(?:paper|work|study))\b", re.I)
CAP3 = re.compile(r"[A-Z][a-z]{2,}")
TITLE_D = re.compile(r"\b(?:benchmark|dataset|corpus|suite|testbed)s?\b", re.I)
# a subtitle that says the name before it is a benchmark or an environment: "X: Benchmarking LLMs on ...",
# "X: Evaluating Large Language Models on ...", "X: Scaling Training Environments for ...", "X: How Good are LLMs at ...?"
TITLE_BENCH = re.compile(r":?\s*(?:(?:Benchmarking|Evaluating|Assessing|Measuring|Testing)\b|(?:[\w\-]+,?\s+){0,3}(?:[Ee]nvironments?|"
                         r"[Gg]yms?|[Aa]renas?|[Ll]eaderboards?)\b|(?:How|Can|Do|Does|Are|Is)\s[^?]*\?\s*$)")
ING = re.compile(r":?\s*[A-Z][a-z]+ing\b")
SUB_A = re.compile(r":\s*(?:A|An)\s")
TOKENS = re.compile(r"[\w-]+")
MODIFIED = re.compile(r"\b(?:an?|improved|modified|enhanced|extended)\b")
OUR_LEFT = re.compile(r"\bour\s+(?:proposed\s+|new\s+|novel\s+)?(?:\w+\s+){0,1}?$", re.I)
A_NOVEL_AFTER = re.compile(r",?\s+(?:a|an)\s+(?:novel|new)\b")
NEXT_WORD = re.compile(r"[^()\s]{0,3}\)?\s*(?:\([^()]{1,20}\)\s*)?([a-z]+)")
ALPHA_WORDS = re.compile(r"[A-Za-z][A-Za-z\-]*")
AFTER_MARK = re.compile(r"[\s,]*(?:\([^()]*\)[\s,]*)?(?:(?:a|an|the|which|is)\s+)([^.;:()]*)")
CITED = re.compile(r"\s*(?:et al\b|\(\d{4}\)|'s\s+(?:group|lab))")


def wordish(ch: str) -> bool:
    r"""``[\w-]`` of a one-character string (``\w`` is ``str.isalnum`` or ``_``)."""
    return ch.isalnum() or ch == "_" or ch == "-"


def word_spans(name: str, text: str) -> Iterator[tuple[int, int]]:
    r"""Spans of ``re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)``, without compiling a regex per name."""
    if not name:
        yield from (m.span() for m in re.finditer(r"(?<![\w-])(?![\w-])", text))
        return
    n, pos = len(name), 0
    while (i := text.find(name, pos)) >= 0:
        j = i + n
        if (i == 0 or not wordish(text[i - 1])) and (j >= len(text) or not wordish(text[j])):
            yield i, j
            pos = j
        else:
            pos = i + 1


SHAPE_HIT = re.compile(r"[A-Z0-9∞]")  # every WORD match holds one of these


def shape_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the ``WORD`` matches that ``SHAPE`` finds a coined shape in, scanning only space-split chunks with a hit.

    A match holds no space and, at a chunk start, the scan tries every position as the whole-text scan
    does (a space starts no match; look-behinds see the real text), so each chunk's matches are the
    whole-text scan's; a chunk without a capital, digit or ``∞`` holds none.
    """
    out: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while (h := SHAPE_HIT.search(text, pos)) is not None:
        i = h.start()
        e = text.find(" ", i)
        e = n if e < 0 else e
        for m in WORD.finditer(text, text.rfind(" ", 0, i) + 1, e):
            if SHAPE.search(m.group(0)):
                out.append(m.span())
        pos = e
    return out


def weak_spans(text: str) -> list[tuple[int, int]]:
    r"""Spans of ``WEAK.finditer(text)``, found from the hyphens (every match holds one) instead of at every position.

    A match is a whole maximal ``[\w-]`` run (the look-behind and look-ahead forbid ``[\w-]`` on either
    side and the body cannot stop inside a run), not after ``.``, ``+`` or ``/``, that ``WEAK_RUN`` matches.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    while (h := text.find("-", pos)) >= 0:
        a = h
        while a > 0 and wordish(text[a - 1]):
            a -= 1
        b = RUN.match(text, h).end()
        if (a == 0 or text[a - 1] not in ".+/") and WEAK_RUN.fullmatch(text, a, b):
            out.append((a, b))
        pos = b
    return out


def first_end(name: str, text: str, ignore_case: bool) -> int | None:
    """End of the first whole-word ``name`` in ``text`` (case-insensitive: ASCII by lower-casing, else a regex)."""
    if ignore_case:
        if not (name.isascii() and text.isascii()):
            m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I)
            return m.end() if m else None
        name, text = name.lower(), text.lower()
    return next((b for _, b in word_spans(name, text)), None)


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
    nonentity: bool = False  # an acronym the text defines as a task, field, metric or thing, not a name
    live: bool = True  # what the rules alone report; the others are kept as suggestions for the model
