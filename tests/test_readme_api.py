"""The README's Python API example runs as written, and its shell-completion lines work."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from tests.helpers import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _api_example() -> str:
    section = README.split("### Python API", 1)[1]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m, "the README's Python API section has a ```python example"
    return m.group(1)


def test_readme_python_api_example_runs_and_prints_what_it_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               patched: None) -> None:
    monkeypatch.chdir(tmp_path)
    code = _api_example()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102 - our own README
    printed = out.getvalue().splitlines()
    expected = [c.split("# ", 1)[1].rstrip(". ") for c in code.splitlines() if c.startswith("print(") and "# " in c]
    assert len(printed) == len(expected) == 3
    for got, want in zip(printed, expected):
        assert got.startswith(want.removesuffix("...").rstrip(", ")), (got, want)
    assert len(rdflib.Graph().parse(tmp_path / "graph.ttl", format="turtle")) > 50


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_readme_completion_lines_produce_a_completion_script(shell: str) -> None:
    assert f"_KG_COMPLETE={shell}_source kg" in README
    env = {**os.environ, "_KG_COMPLETE": f"{shell}_source", "PYTHONPATH": str(REPO)}
    p = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "_KG_COMPLETE" in p.stdout and ("complete" in p.stdout or "compdef" in p.stdout), p.stdout[:500]
