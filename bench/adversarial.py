"""Part 11 of the benchmark: extraction time and memory on adversarial fields at two sizes."""

from __future__ import annotations

import time

from bench.context import Bench
from bench.figures import Figure, figure
from bench.rss import _reset_peak, _status_kib

__all__ = ["ADVERSARIAL", "adversarial_text", "adversarial"]

# Fields that were slow before kg made every step linear (issue 14), each the named piece
# repeated to the size: the URL finder's anchor pattern, the acronym definitions, spaCy's
# affix loop on one long space-free run, and repeated names (many candidates per field).
ADVERSARIAL: dict[str, str] = {
    "anchor": '<a href="',
    "acronym-definition": "Big Model (BM) ",
    "open-parens": "(",
    "nested-parens": "((a) ",
    "quotes": "'",
    "latex-url": "\\url{",
    "repeated-name": "ResNet ",
    "acronym-only": "(ABC) ",
    "broken-url": "https://x.com/ -a",
}
_MAX_MICROS_PER_CHAR = 100.0  # the target: a 1,000,000-character field in at most 100 s


def adversarial_text(name: str, size: int) -> str:
    """A ``size``-character abstract of the ``ADVERSARIAL[name]`` piece repeated."""
    unit = ADVERSARIAL[name]
    head = "We study this. "
    return (head + unit * ((size - len(head)) // len(unit) + 1))[:size]


def adversarial(b: Bench) -> list[Figure]:
    """11. Each adversarial field at ``--adversarial-sizes`` (100,000 and 1,000,000 characters)."""
    from kg.model import Paper

    ex = b.extractor()
    sizes = b.args.adversarial_sizes
    out: list[Figure] = []
    for name in ADVERSARIAL:
        per_char = []
        for size in sizes:
            paper = Paper(key="adversarial", title="An Adversarial Field", abstract=adversarial_text(name, size))
            before = _status_kib("VmRSS")
            measured = _reset_peak()
            t0 = time.perf_counter()
            ex.extract(paper)
            seconds = time.perf_counter() - t0
            growth = (_status_kib("VmHWM") - before) / 1024 if measured else None
            per_char.append(seconds / size * 1e6)
            note = f"peak RSS growth {growth:,.0f} MiB" if growth is not None else "peak RSS not measurable here"
            out.append(figure("adversarial", f"{name} x {size:,} chars: seconds", seconds, "s",
                              op="<=", limit=size * _MAX_MICROS_PER_CHAR / 1e6, note=note))
        if len(per_char) > 1:
            out.append(figure("adversarial", f"{name}: time per char, largest / smallest size",
                              per_char[-1] / per_char[0], "x", op="<=", limit=2.0,
                              note="1.0 is linear; a quadratic step gives the size ratio"))
    return out
