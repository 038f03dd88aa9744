"""Knowledge base of named datasets and methods (YAML/JSONL files) and the guard list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from kg.errors import ExtractionError
from kg.files import atomic_write
from kg.keys import entity_key

__all__ = ["KBEntry", "KnowledgeBase", "load_kb", "import_pwc", "BUILTIN_KB_FILES", "name_key", "YAML_LOADER", "yaml_data"]

_DATA = Path(__file__).parent / "data"
BUILTIN_KB_FILES = (_DATA / "kb_datasets.yaml", _DATA / "kb_methods.yaml", _DATA / "stoplist.yaml")
_TYPES = {"dataset": "Dataset", "method": "Method"}
# libyaml's safe loader when PyYAML has it (2.5x faster on the built-in KB, same data); else pure Python
# libyaml's safe loader when PyYAML has it (same data, ~5x faster); every YAML file of kg/extract is read with it
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_data(text: str) -> object:
    """``text`` parsed by the safe loader above (yaml.YAMLError on bad YAML): the one YAML reader of kg/extract."""
    return yaml.load(text, Loader=YAML_LOADER)


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """``entity_key``, memoised: the rules look the same few thousand names up again and again."""
    return entity_key(name)


@dataclass(frozen=True, slots=True)
class KBEntry:
    """One known entity: preferred name, kind (``Method``/``Dataset``), aliases."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    case_sensitive: bool | None = None
    grey: bool = False  # ANNOTATION.md grey zone: matched (it blocks other rules) but not reported
    context: bool = False  # reported only when a cue in the sentence supports it

    def surfaces(self) -> Iterable[tuple[str, bool]]:
        """(spelling, case-sensitive?) for the name and every alias."""
        for s in (self.name, *self.aliases):
            cs = self.case_sensitive if self.case_sensitive is not None else len(s) <= 5
            yield s, cs


@dataclass(slots=True)
class KnowledgeBase:
    """Entries plus indexes by canonical key; ``stop`` holds keys of names never to report."""

    entries: list[KBEntry] = field(default_factory=list)
    by_key: dict[str, int] = field(default_factory=dict)
    stop: set[str] = field(default_factory=set)

    def add(self, entry: KBEntry) -> None:
        """Add an entry; a key already taken keeps its first entry (earlier files win)."""
        idx = len(self.entries)
        self.entries.append(entry)
        for s, _ in entry.surfaces():
            k = entity_key(s)
            self.by_key.setdefault(k, idx)

    def lookup(self, name: str) -> KBEntry | None:
        """The entry whose name or alias has the same canonical key as ``name``."""
        i = self.by_key.get(name_key(name))
        return None if i is None else self.entries[i]

    def is_stop(self, name: str) -> bool:
        """Whether ``name`` (or its plural-stripped form) is on the guard list."""
        k = name_key(name)
        return k in self.stop or (k.endswith("s") and k[:-1] in self.stop)


def _records(path: Path) -> list[tuple[int, object]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ExtractionError(f"{path}: cannot read knowledge-base file ({e}); check the path") from e
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    out.append((n, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise ExtractionError(f"{path}:{n}: not valid JSON ({e.msg}); one object per line") from e
        return out
    try:
        data = yaml_data(text)
    except yaml.YAMLError as e:
        raise ExtractionError(f"{path}: not valid YAML ({e}); see the knowledge-base format in docs/DESIGN.md") from e
    if data is None:
        return []
    if isinstance(data, dict):  # tolerate {entries: [...]} / {datasets: [...], methods: [...]}
        data = [x for v in data.values() if isinstance(v, list) for x in v]
    if not isinstance(data, list):
        raise ExtractionError(f"{path}: expected a list of entries, got {type(data).__name__}")
    return [(i, r) for i, r in enumerate(data, 1)]


def _parse(path: Path, n: int, rec: object, kb: KnowledgeBase) -> None:
    where = f"{path}:{n}"
    if not isinstance(rec, dict) or not isinstance(rec.get("name"), str) or not rec["name"].strip():
        raise ExtractionError(f"{where}: entry needs a non-empty 'name' string, got {rec!r:.80}")
    name = rec["name"].strip()
    typ = str(rec.get("type", "stop" if "reason" in rec else "")).strip().lower()
    if typ == "stop":
        kb.stop.add(entity_key(name))
        return
    if typ not in _TYPES:
        raise ExtractionError(f"{where}: entry {name!r} has type {typ!r}; use dataset, method or stop")
    aliases = rec.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list):
        raise ExtractionError(f"{where}: 'aliases' of {name!r} must be a list of strings")
    cs = rec.get("case_sensitive")
    kb.add(KBEntry(name, _TYPES[typ], tuple(str(a).strip() for a in aliases if str(a).strip()),
                   None if cs is None else bool(cs), bool(rec.get("grey")), bool(rec.get("context"))))


def load_kb(paths: Iterable[Path | str]) -> KnowledgeBase:
    """Load knowledge-base and guard-list files (YAML or JSONL); missing built-in files are skipped by the caller."""
    kb = KnowledgeBase()
    for p in paths:
        path = Path(p)
        for n, rec in _records(path):
            _parse(path, n, rec, kb)
    return kb


def _pwc_entries(path: Path, typ: str) -> Iterable[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ExtractionError(f"{path}: cannot read Papers-with-Code JSON ({e}); pass the archive's datasets/methods file") from e
    if isinstance(data, dict):
        data = data.get("results") or data.get("data") or []
    for n, rec in enumerate(data if isinstance(data, list) else [], 1):
        if not isinstance(rec, dict) or not str(rec.get("name") or "").strip():
            continue
        name = str(rec["name"]).strip()
        aliases: list[str] = []
        for a in [rec.get("full_name"), *(rec.get("variants") or [])]:
            if isinstance(a, str) and a.strip() and a.strip() != name and a.strip() not in aliases:
                aliases.append(a.strip())
        yield {"name": name, "type": typ, "aliases": aliases}


def import_pwc(datasets_json: Path, methods_json: Path, out: Path) -> int:
    """Build a knowledge-base file (JSONL, or YAML by extension) from a Papers-with-Code dump; returns entries written."""
    entries = [*_pwc_entries(datasets_json, "dataset"), *_pwc_entries(methods_json, "method")]
    out = Path(out)
    try:
        with atomic_write(out, "w", encoding="utf-8") as f:  # all or nothing: an old file stays on failure
            if out.suffix.lower() in (".yaml", ".yml"):
                f.write(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))
            else:
                for e in entries:
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")
    except OSError as e:
        raise ExtractionError(f"{out}: cannot write knowledge-base file ({e})") from e
    return len(entries)
