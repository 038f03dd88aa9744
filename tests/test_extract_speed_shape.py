"""The fast coined-shape span scan of the name rules finds exactly what the whole-text regex scan finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.patterns import SHAPE, WORD, shape_spans

__all__: list[str] = []


def _reference(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(text) if SHAPE.search(m.group(0))]


# characters that decide WORD and SHAPE matches: cases, digits, the run and look-behind classes, spaces
_CHARS = st.sampled_from(list("aZb09 -._+/∞\t\u2009é(),'"))


@settings(max_examples=3000, deadline=None)
@given(st.text(_CHARS, max_size=40))
def test_shape_spans_equal_the_regex_scan(text: str) -> None:
    assert shape_spans(text) == _reference(text)


def test_shape_spans_examples() -> None:
    text = "We train ResNet-50 on CIFAR-10 (FedLoGe), not on data.v2/x∞Y or  GPT4 ."
    assert shape_spans(text) == _reference(text)
    spans = [text[a:b] for a, b in shape_spans(text)]
    assert "ResNet-50" in spans and "CIFAR-10" in spans and "FedLoGe" in spans and "GPT4" in spans
    assert shape_spans("") == [] and shape_spans("all lower case words") == []
