"""Extraction output does not depend on Python's string-hash seed (ties are broken by sorting)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.helpers import DATA, SEED, need

_SCRIPT = """
import json, sys
from pathlib import Path
from kg.api import iter_papers
from kg.extract import Extractor, extraction_to_json
ex = Extractor()
for path in sys.argv[1:]:
    for e in ex.extract_all(iter_papers([Path(path)])):
        print(json.dumps(extraction_to_json(e), sort_keys=True))
"""


def _run(seed: str, *paths: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *paths], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_same_output_under_different_hash_seeds() -> None:
    paths = (str(need(SEED)), str(DATA / "cli" / "two-papers.jsonl"))
    a, b = _run("1", *paths), _run("2", *paths)
    assert a.count("\n") == 43
    assert a == b
