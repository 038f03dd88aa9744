"""Dask is optional: the single-machine commands never import it, and --scheduler without it says
how to install it (one line, exit 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, SEED, need

# run kg with dask, distributed and pyarrow made unimportable (as in an install without kg[dask])
_NO_DASK = ("import sys; sys.modules.update(dask=None, distributed=None, pyarrow=None); "
            "from kg.cli import main; sys.argv[0] = 'kg'; main()")


def _kg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", _NO_DASK, *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


def test_single_machine_extract_needs_no_dask(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    r = _kg("extract", str(need(SEED)), "-o", str(out))
    assert r.returncode == 0, r.stderr[-2000:]
    assert len(out.read_text().splitlines()) > 30


def test_scheduler_without_dask_says_how_to_install(tmp_path: Path) -> None:
    r = _kg("extract", str(need(SEED)), "--scheduler", "local:2", "-o", str(tmp_path / "shards"))
    assert r.returncode == 1
    assert "pip install 'kg[dask]'" in r.stderr and "Traceback" not in r.stderr


def test_parquet_or_a_folder_without_scheduler_is_a_usage_error(tmp_path: Path) -> None:
    r = _kg("extract", str(need(SEED)), "--format", "parquet", "-o", str(tmp_path / "x"))
    assert r.returncode == 2 and "--scheduler" in r.stderr
    r = _kg("extract", str(need(SEED)), "-o", str(tmp_path))
    assert r.returncode == 2 and "is a folder" in r.stderr
