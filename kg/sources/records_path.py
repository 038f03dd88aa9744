"""``--records PATH`` (``days[].papers``): where the paper objects sit inside nested JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kg.errors import SourceError

__all__ = ["Segment", "parse_records_path", "records_at"]

_SEGMENT = re.compile(r"\.?(?P<key>[^.\[\]]+)?(?P<each>\[\s*\*?\s*\])?")

Segment = tuple[str | None, bool]  # (object key or None, then every item of a list)


def parse_records_path(path: str) -> tuple[Segment, ...]:
    """``days[].papers`` as ((days, each), (papers, no)); a leading ``$`` is allowed."""
    text = path.strip().removeprefix("$")
    segs: list[Segment] = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if not m or m.end() == pos or (m.group("key") is None and m.group("each") is None):
            raise SourceError(f"--records {path!r}: expected keys joined by '.' with '[]' after a list, "
                              "such as days[].papers")
        key = m.group("key").strip() if m.group("key") else None
        segs.append((key or None, m.group("each") is not None))
        pos = m.end()
    if not segs:
        raise SourceError(f"--records {path!r} is empty; give a path such as days[].papers")
    return tuple(segs)


def records_at(value: Any, segs: tuple[Segment, ...]) -> Iterator[Any]:
    """The records at ``segs`` inside an already parsed value (for JSON Lines); KeyError naming a key missing."""
    if not segs:
        yield from value if isinstance(value, list) else [value]
        return
    (key, each), rest = segs[0], segs[1:]
    if key is not None:
        if not isinstance(value, dict) or key not in value:
            raise KeyError(key)
        value = value[key]
    if each:
        if not isinstance(value, list):
            raise KeyError(f"{key or ''}[]")
        for item in value:
            yield from records_at(item, rest)
    else:
        yield from records_at(value, rest)
