"""Text clean-up before NLP (LaTeX, HTML, hard wraps) with a map back to original offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cleaned", "clean"]

# Characters whose presence means the slow path (a real rewrite) is needed.
_NEEDS_WORK = re.compile(r"[\\${}<>&~]")
_WS = str.maketrans({"\n": " ", "\r": " ", "\t": " ", "\f": " ", "\v": " ", "\u00a0": " "})

_SYMBOLS = {
    "times": "×", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "leftrightarrow": "↔", "pm": "±", "sim": "~", "approx": "≈", "infty": "∞", "mu": "μ",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "lambda": "λ", "theta": "θ", "sigma": "σ", "pi": "π", "tau": "τ", "ell": "ℓ", "phi": "φ",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "cdot": "·", "%": "%", "&": "&",
    "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": " ", ";": " ", "!": "",
    "textasciitilde": "~", "ldots": "...", "dots": "...", "cdots": "...",
}
_DROP_WITH_ARG = {"cite", "citep", "citet", "ref", "eqref", "label", "footnotemark"}
_HTML_ENT = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " ", "#39": "'"}

_TOKEN = re.compile(
    r"""(?P<anchor><a\s[^<>]{0,2000}+>)|(?P<tag></?[a-zA-Z][^<>]{0,200}>)
    |(?P<ent>&(?:amp|lt|gt|quot|apos|nbsp|\#39);)
    |(?P<href>\\href\s*\{[^{}]*\}\s*\{)
    |(?P<dropcmd>\\(?:cite[pt]?|ref|eqref|label|footnotemark)\s*\{[^{}]*\})
    |(?P<accent>\\['"`^~=.][{]?(?P<acc_ch>[A-Za-z])[}]?)
    |(?P<cmd>\\(?:[A-Za-z]+\*?|[%&_#${}\ ,;!]))\s?(?P<brace>\{)?
    |(?P<dollar>\$)|(?P<lbrace>\{)|(?P<rbrace>\})|(?P<tilde>~)
    |(?P<math>[\^_])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Clean text plus, per clean character, the original span it came from."""

    text: str
    starts: list[int] | None  # None: identity map (same length, same positions)
    ends: list[int] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the clean span [start, end)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            p = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return p, p
        return self.starts[start], self.ends[end - 1]


# spaCy's tokenizer strips prefixes and suffixes one at a time, searching the rest of the token
# each time: quadratic in the length of one space-free run (30 KB of "(((..." took minutes). So
# spaces are inserted (zero-width in the offset map) into long runs: between the characters of
# 8 or more punctuation marks in a row (spaCy splits most of them anyway), and every 256
# characters of any other run (the corpus's longest real run, a URL, is shorter). Normal text
# has neither, so it is unchanged.
_PUNCT_RUN = re.compile(r"[^\w\s]{8,}")
_LONG_RUN = re.compile(r"(?<!\S)\S{257,}")
_RUN_CUT = 256


# 1 for the ASCII bytes in _PUNCT_RUN's class [^\w\s]: an ASCII text is checked for a run of 8 by one
# bytes.translate (C) instead of the regex's try at every position (16x faster; nearly every text has none)
_PUNCT_BYTES = bytes(int(not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace())) for c in range(128)) + bytes(128)


def _short_runs(text: str) -> bool:
    """True when no run of non-space characters is longer than _RUN_CUT (so _LONG_RUN has no match);
    False when that is not shown (a space within every _RUN_CUT + 1 characters, found with rfind)."""
    n, p = len(text), -1
    while n - p - 1 > _RUN_CUT:
        p = text.rfind(" ", p + 1, p + _RUN_CUT + 2)
        if p < 0:
            return False
    return True


def _cuts(text: str) -> list[int]:
    """Clean-text positions before which a space is inserted."""
    if text.isascii() and b"\x01" * 8 not in text.encode("ascii").translate(_PUNCT_BYTES):
        cuts: set[int] = set()  # no 8 punctuation marks in a row
    else:
        cuts = {i for m in _PUNCT_RUN.finditer(text) for i in range(m.start() + 1, m.end())}
    if _short_runs(text):
        return sorted(cuts)
    for m in _LONG_RUN.finditer(text):
        last = m.start()
        for i in range(m.start() + 1, m.end()):
            if i in cuts or i - last >= _RUN_CUT:
                cuts.add(i)
                last = i
    return sorted(cuts)


def _break_runs(c: Cleaned) -> Cleaned:
    """``c`` with spaces inserted into over-long space-free runs (offsets still map back)."""
    cuts = _cuts(c.text)
    if not cuts:
        return c
    text = c.text
    starts = c.starts if c.starts is not None else list(range(len(text)))
    ends = c.ends if c.ends is not None else list(range(1, len(text) + 1))
    out: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    prev = 0
    for i in cuts:
        out.append(text[prev:i])
        new_starts.extend(starts[prev:i])
        new_ends.extend(ends[prev:i])
        out.append(" ")
        new_starts.append(ends[i - 1])
        new_ends.append(ends[i - 1])
        prev = i
    out.append(text[prev:])
    new_starts.extend(starts[prev:])
    new_ends.extend(ends[prev:])
    return Cleaned("".join(out), new_starts, new_ends)


def clean(text: str) -> Cleaned:
    """Unwrap LaTeX and HTML markup and join hard wraps; offsets map back to ``text``."""
    return _break_runs(_clean(text))


def _clean(text: str) -> Cleaned:
    if not _NEEDS_WORK.search(text):
        return Cleaned(text.translate(_WS), None, None)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    in_math = False

    def keep(a: int, b: int) -> None:
        out.append(text[a:b].translate(_WS))
        starts.extend(range(a, b))
        ends.extend(range(a + 1, b + 1))

    def put(s: str, a: int, b: int) -> None:
        out.append(s)
        starts.extend([a] * len(s))
        ends.extend([b] * len(s))

    pos = 0
    for m in _TOKEN.finditer(text):
        a, b = m.span()
        keep(pos, a)
        pos = b
        kind = m.lastgroup if m.group("cmd") is None else "cmd"
        if kind == "ent":
            put(_HTML_ENT[m.group(0)[1:-1]], a, b)
        elif kind == "accent":
            put(m.group("acc_ch"), a, b)
        elif kind == "cmd":
            name = m.group("cmd")[1:].rstrip("*")
            sym = _SYMBOLS.get(name)
            if name in ("url", "footnote") and m.group("brace"):
                if name == "footnote":
                    put(" ", a, b)
            elif sym is not None and (in_math or not name.isalpha() or name in ("infty", "times")):
                put(sym, a, b)
            elif sym is not None:
                put(sym, a, b)
            elif name in _DROP_WITH_ARG:
                pass
            # any other command (\textbf{, \emph{, \mathcal{, \LaTeX ...) is dropped
            if m.group(0)[-1] == " " and not m.group("brace") and not in_math:
                put(" ", b - 1, b)
        elif kind == "dollar":
            in_math = not in_math
        elif kind == "math":
            if not in_math:
                keep(a, b)
        elif kind == "tilde":
            put(" ", a, b)
        elif kind in ("anchor", "tag", "href", "dropcmd", "lbrace", "rbrace"):
            pass
    keep(pos, len(text))
    return Cleaned("".join(out), starts, ends)
