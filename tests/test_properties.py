"""Properties (hypothesis) of the real extractor and of `kg.api.ingest` into the embedded store:
the extractor never raises and its offsets slice the original field; ingesting A twice equals once;
A then B equals B then A, compared on every quad of the store."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from kg.api import ingest, open_store
from kg.extract import Extractor
from kg.extract.clean import clean
from kg.keys import entity_key
from kg.model import Paper

# names the shipped knowledge base knows, spelled several ways, plus shapes the rules look for
NAMES = ["ImageNet", "CIFAR-10", "CIFAR10", "cifar 10", "ResNet-50", "ResNet50", "BERT", "GPT-3",
         "COCO", "MS COCO", "Transformer", "LSTM", "MNIST", "SQuAD", "GraphSAGE", "Cora", "PubMed"]
SNIPPETS = [
    " We propose FooNet (FN), a new method. ", " We introduce ZebraBench, a new dataset. ",
    " Code: https://github.com/acme/zebra-net. ", " $\\mathcal{O}(n^2)$ \\textbf{Bold}Net ",
    " <a href=\"https://github.com/x/y\">y</a> ", " (e.g., ", " et al. ", " vs. ", "\n\n", "\u200b",
    "\u202e", " \"quoted\" 'single' `tick` {brace} \\back ", " ImageNet-1k/ImageNet-21k ",
]
NO_SURROGATES = st.characters(blacklist_categories=("Cs",))  # sources reject lone surrogates first
piece = st.one_of(st.sampled_from(NAMES), st.sampled_from(SNIPPETS), st.text(NO_SURROGATES, max_size=30))
field_text = st.lists(piece, max_size=14).map(" ".join)




def _surface_matches(text: str, name: str, aliases: tuple[str, ...], rule: str) -> bool:
    got = entity_key(clean(text).text)
    return got in {entity_key(s) for s in (name, *aliases)} or rule == "compound"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=field_text, abstract=field_text)
def test_extractor_never_raises_and_offsets_slice_the_original_field(extractor: Extractor, title: str, abstract: str) -> None:
    paper = Paper(key="title:x", title=title, abstract=abstract)
    ex = extractor.extract(paper)
    fields = {"title": title, "abstract": abstract}
    for ent in (*ex.methods, *ex.datasets):
        assert ent.mentions, ent
        for m in ent.mentions:
            text = fields[m.field]
            assert 0 <= m.start < m.end <= len(text), (m, len(text))
            surface = text[m.start:m.end]
            assert surface.strip() == surface and surface, (surface, m)
            assert _surface_matches(surface, ent.name, ent.aliases, m.rule), (surface, ent.name, ent.aliases, m.rule)
    for code in ex.code_urls:
        for m in code.mentions:
            text = fields[m.field]
            assert 0 <= m.start < m.end <= len(text)
            surface = text[m.start:m.end]
            assert code.owner.casefold() in surface.casefold() and code.host in surface.casefold(), (surface, code)


# ---- store: A twice == A once; A then B == B then A (disjoint papers, shared entities) ----------

def _records(draw_titles: list[str], abstracts: list[str], tag: str, first_id: int | None = None) -> list[dict]:
    """Papers as records; with ``first_id`` they carry arXiv ids from it, so two lists can hold
    records of the same paper that disagree (title, abstract, the spelling of a name)."""
    out = [{"title": f"{tag} {i} {t}", "abstract": a or "We use ImageNet."}
           for i, (t, a) in enumerate(zip(draw_titles, abstracts))]
    if first_id is not None:
        for i, r in enumerate(out):
            r["id"] = f"2501.{first_id + i:05d}"
    return out


def _respelled(r: dict) -> dict:
    """A second record of the same paper spelling its names differently (issue 14)."""
    return {**r, "abstract": r["abstract"].replace("-", "").replace("CIFAR100", "CIFAR-100") + " We use CIFAR100."}


papers_of = st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.text(NO_SURROGATES.filter(lambda c: c.isprintable()), max_size=20), min_size=n, max_size=n),
    st.lists(field_text, min_size=n, max_size=n)))


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _quads(store: Path) -> set:
    with open_store(store, read_only=True) as st_:
        return set(st_.store.quads_for_pattern(None, None, None, None))


def _ingest(store: Path, *files: Path) -> None:
    for f in files:
        ingest([f], store=store, batch_size=2)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=papers_of, b=papers_of)
def test_ingest_is_idempotent_and_order_free_on_every_quad(patched: None, a: tuple, b: tuple) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        fa = _write(d / "a.jsonl", _records(*a, tag="A"))
        fb = _write(d / "b.jsonl", _records(*b, tag="B"))
        _ingest(d / "once", fa)
        _ingest(d / "twice", fa, fa)
        assert _quads(d / "twice") == _quads(d / "once")
        _ingest(d / "ab", fa, fb)
        _ingest(d / "ba", fb, fa)
        ab, ba = _quads(d / "ab"), _quads(d / "ba")
        assert ab == ba
        _ingest(d / "both", fa, fb, fa, fb)  # and re-running both changes nothing
        assert _quads(d / "both") == ab


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=papers_of, b=papers_of)
def test_duplicate_records_that_disagree_give_the_same_quads_in_any_order(patched: None, a: tuple, b: tuple) -> None:
    """Records of one paper that disagree (in one file or two, spelling a name differently):
    A+A = A, A+B = B+A and a file read backwards all hold quad for quad."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        ra = _records(*a, tag="A", first_id=1)
        ra = ra + [_respelled(ra[0])]  # the same paper again in the same file, spelled otherwise
        rb = _records(*b, tag="B", first_id=1)  # B's papers are A's first ones, told differently
        fa, fb = _write(d / "a.jsonl", ra), _write(d / "b.jsonl", rb)
        (d / "rev").mkdir()
        _write(d / "rev" / "a.jsonl", ra[::-1])
        _ingest(d / "once", fa)
        _ingest(d / "twice", fa, fa)
        once = _quads(d / "once")
        assert _quads(d / "twice") == once
        cwd = os.getcwd()
        try:  # the same file name, records backwards: the source file names match
            os.chdir(d)
            _ingest(d / "forwards", Path("a.jsonl"))
            os.chdir(d / "rev")
            _ingest(d / "backwards", Path("a.jsonl"))
        finally:
            os.chdir(cwd)
        assert _quads(d / "backwards") == _quads(d / "forwards")
        _ingest(d / "ab", fa, fb)
        _ingest(d / "ba", fb, fa)
        ab = _quads(d / "ab")
        assert ab == _quads(d / "ba")
        _ingest(d / "abab", fa, fb, fa, fb)
        assert _quads(d / "abab") == ab
