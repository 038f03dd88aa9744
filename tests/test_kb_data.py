"""Checks on the shipped knowledge-base data files (read with PyYAML, not the extractor)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parent.parent / "kg" / "extract" / "data"
KB_FILES = {"dataset": DATA / "kb_datasets.yaml", "method": DATA / "kb_methods.yaml"}
STOPLIST = DATA / "stoplist.yaml"

# Floors: the sizes the data reached when written; raise them as the files grow.
MIN_ENTRIES = {"dataset": 2500, "method": 4200}
MIN_STOP = 700

ENTRY_KEYS = {"name", "type", "aliases", "grey", "context", "case_sensitive"}
STOP_REASONS = {"generic", "metric", "hardware", "company", "task", "protocol", "other"}


def _key(name: str) -> str:
    """The scoring key of ANNOTATION.md: NFKC, lower case, keep a-z 0-9 + . and the infinity sign."""
    text = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[^a-z0-9+.∞]", "", text).rstrip(".")


def _load(path: Path) -> list:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{path.name}: top level must be a list of entries"
    return data


@pytest.fixture(scope="module")
def kb() -> dict[str, list[dict]]:
    return {typ: _load(path) for typ, path in KB_FILES.items()}


@pytest.fixture(scope="module")
def stop() -> list[dict]:
    return _load(STOPLIST)


def _spellings(entry: dict) -> list[str]:
    return [entry["name"], *entry.get("aliases", [])]


@pytest.mark.parametrize("typ", sorted(KB_FILES))
def test_entries_are_well_formed(kb, typ):
    for i, e in enumerate(kb[typ]):
        where = f"{KB_FILES[typ].name} entry {i} ({e!r:.80})"
        assert isinstance(e, dict), where
        assert set(e) <= ENTRY_KEYS, f"{where}: unknown fields {set(e) - ENTRY_KEYS}"
        assert isinstance(e.get("name"), str) and e["name"].strip() == e["name"] != "", where
        assert e.get("type") == typ, f"{where}: type must be {typ!r}"
        aliases = e.get("aliases", [])
        assert isinstance(aliases, list), where
        for a in aliases:
            assert isinstance(a, str) and a.strip() == a != "", f"{where}: bad alias {a!r}"
        assert len(set(aliases)) == len(aliases), f"{where}: repeated alias"
        assert e["name"] not in aliases, f"{where}: alias repeats the name"
        for flag in ("grey", "context", "case_sensitive"):
            assert isinstance(e.get(flag, False), bool), f"{where}: {flag} must be a boolean"
        for s in _spellings(e):
            assert _key(s), f"{where}: spelling {s!r} has an empty scoring key"
            assert "|" not in s and "\n" not in s, f"{where}: spelling {s!r}"


@pytest.mark.parametrize("typ", sorted(KB_FILES))
def test_no_name_or_alias_collides_within_a_type(kb, typ):
    owners: dict[str, set[str]] = defaultdict(set)
    for e in kb[typ]:
        for s in _spellings(e):
            owners[_key(s)].add(e["name"])
    clashes = {k: sorted(v) for k, v in owners.items() if len(v) > 1}
    assert not clashes, f"{typ}: spellings shared by several entries: {dict(list(clashes.items())[:20])}"


@pytest.mark.parametrize("typ", sorted(KB_FILES))
def test_no_duplicate_names(kb, typ):
    names = [e["name"] for e in kb[typ]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("typ", sorted(KB_FILES))
def test_spellings_keep_a_meaningful_key(kb, typ):
    """The canonical key drops non-Latin letters, so `π0` would become `0` and `Π-model` `model`:
    such spellings would match numbers and common words. Keys must keep a Latin letter."""
    for e in kb[typ]:
        for s in _spellings(e):
            assert not re.search(r"[\u0370-\u03ff]", s), f"{e['name']}: Greek letter in {s!r}; write it in Latin (pi0, alpha)"
            assert re.search(r"[a-z]", _key(s)), f"{e['name']}: spelling {s!r} has key {_key(s)!r} with no letter"


@pytest.mark.parametrize("typ", sorted(KB_FILES))
def test_sizes_reach_the_floor(kb, typ):
    assert len(kb[typ]) >= MIN_ENTRIES[typ]


def test_stoplist_is_well_formed(stop):
    assert len(stop) >= MIN_STOP
    seen: set[str] = set()
    for i, e in enumerate(stop):
        where = f"stoplist.yaml entry {i} ({e!r:.80})"
        assert isinstance(e, dict) and set(e) <= {"name", "reason"}, where
        assert isinstance(e.get("name"), str) and e["name"].strip() == e["name"] != "", where
        assert e.get("reason") in STOP_REASONS, f"{where}: reason must be one of {sorted(STOP_REASONS)}"
        assert e["name"] not in seen, f"{where}: duplicate"
        seen.add(e["name"])


def test_stoplist_does_not_shadow_the_kb(kb, stop):
    kb_keys = {_key(s): e["name"] for typ in kb for e in kb[typ] for s in _spellings(e)}
    shadowed = {e["name"]: kb_keys[_key(e["name"])] for e in stop if _key(e["name"]) in kb_keys}
    assert not shadowed, f"stoplist names that are KB spellings: {shadowed}"


def _find(kb, typ, spelling):
    k = _key(spelling)
    return [e for e in kb[typ] if any(_key(s) == k for s in _spellings(e))]


@pytest.mark.parametrize(
    ("typ", "spelling", "name"),
    [
        # ANNOTATION.md: variants are distinct datasets, compounds split into separate entities
        ("dataset", "ImageNet", "ImageNet"),
        ("dataset", "ImageNet-R", "ImageNet-R"),
        ("dataset", "CIFAR100", "CIFAR-100"),
        ("dataset", "CIFAR-100-LT", "CIFAR-100-LT"),
        ("dataset", "CIFAR-10-LT", "CIFAR-10-LT"),
        ("dataset", "ogbn-papers100M", "ogbn-papers100M"),
        ("dataset", "ogbn-products", "ogbn-products"),
        ("dataset", "Colossal Clean Crawled Corpus", "C4"),
        ("dataset", "MOT17", "MOT17"),
        ("method", "Federated Averaging", "FedAvg"),
        ("method", "GPT2", "GPT-2"),
        ("method", "ResNet50", "ResNet-50"),
        ("method", "WRN-28-10", "WRN-28-10"),
    ],
)
def test_known_names_resolve_to_one_entry(kb, typ, spelling, name):
    found = _find(kb, typ, spelling)
    assert [e["name"] for e in found] == [name]


def test_variants_are_not_merged_into_their_parent(kb):
    for parent, variant in [("ImageNet", "ImageNet-R"), ("CIFAR-10", "CIFAR-10-C"), ("ResNet", "ResNet-50")]:
        typ = "method" if parent == "ResNet" else "dataset"
        (p,) = _find(kb, typ, parent)
        assert _key(variant) not in {_key(s) for s in _spellings(p)}


def test_metrics_and_hardware_are_stopped_not_known(kb, stop):
    stopped = {_key(e["name"]) for e in stop}
    for word in ["SOTA", "FLOPs", "A100", "BLEU", "mIoU", "GPU", "RDMA"]:
        assert _key(word) in stopped, word
        assert not _find(kb, "method", word) and not _find(kb, "dataset", word), word
