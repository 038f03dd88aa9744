"""One bad paper never sinks a run: an exception while extracting it is a reject of that paper,
in one process and with worker processes; URLs Python's parser refuses are no crash."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from spacy.language import Language

import kg.api
from kg.api import open_store
from kg.cli import cli
from kg.errors import ExtractionError
from kg.extract import Extractor
from kg.model import Paper, Reject
from tests.helpers import REPO

GOOD = [{"title": f"Good Paper {i}", "abstract": "We train ResNet-50 on ImageNet."} for i in range(3)]
BOOM = {"title": "The BOOM Paper", "abstract": "This abstract makes the injected rule raise."}

# A rule that raises on one paper, added through spaCy's own API: in this process directly, in
# worker processes (spawned: they import kg afresh) through a sitecustomize on their PYTHONPATH.
INJECT = textwrap.dedent('''
    from spacy.language import Language
    import kg.extract

    @Language.component("kg_test_boom")
    def kg_test_boom(doc):
        if "BOOM" in doc.text:
            raise RuntimeError("injected failure\\nsecond line")
        return doc

    _init = kg.extract.Extractor.__init__

    def __init__(self, *args, **kwargs):
        _init(self, *args, **kwargs)
        self.nlp.add_pipe("kg_test_boom")

    kg.extract.Extractor.__init__ = __init__
''')


@Language.component("kg_test_boom_here")
def _boom(doc):  # type: ignore[no-untyped-def]
    if "BOOM" in doc.text:
        raise RuntimeError("injected failure")
    return doc


@pytest.fixture(scope="module")
def failing() -> Extractor:
    ex = Extractor()
    ex.nlp.add_pipe("kg_test_boom_here")
    return ex


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def titles(store: Path) -> list[str]:
    with open_store(store, read_only=True) as st:
        _, rows = st.query("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t")
    return [r[0] for r in rows]


def test_extract_all_hands_the_failing_paper_to_on_error(failing: Extractor) -> None:
    papers = [Paper(key=f"k{i}", title=r["title"], abstract=r["abstract"], source="f.jsonl", line=i + 1)
              for i, r in enumerate([GOOD[0], BOOM, GOOD[1]])]
    rejects: list[Reject] = []
    out = list(failing.extract_all(papers, on_error=rejects.append))
    assert [e.paper.key for e in out] == ["k0", "k2"]
    assert [str(r) for r in rejects] == [
        "f.jsonl:2: extraction failed (RuntimeError: injected failure); the other papers are kept [The BOOM Paper]"]
    assert out[0].datasets  # the good papers of the failing batch are extracted as usual
    with pytest.raises(ExtractionError, match="f.jsonl:2: extraction failed"):
        failing.extract(papers[1])


def test_cli_ingest_keeps_the_good_papers(tmp_path: Path, failing: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kg.api, "_extractor", lambda kb_files, model=None: failing)
    src = jsonl(tmp_path / "p.jsonl", [GOOD[0], BOOM, GOOD[1], GOOD[2]])
    store = tmp_path / "st"
    r = CliRunner().invoke(cli, ["ingest", str(src), "--store", str(store), "--rejects", str(tmp_path / "rej.txt")])
    assert r.exit_code == 3, r.output
    assert "Traceback" not in r.output
    assert f"rejected: {src}:2: extraction failed (RuntimeError: injected failure)" in r.stderr
    assert (tmp_path / "rej.txt").read_text().startswith(f"{src}:2: extraction failed")
    assert titles(store) == ["Good Paper 0", "Good Paper 1", "Good Paper 2"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_installed_kg_with_worker_processes_keeps_the_good_papers(tmp_path: Path, workers: str) -> None:
    inject = tmp_path / "inject"
    inject.mkdir()
    (inject / "sitecustomize.py").write_text(INJECT)
    src = jsonl(tmp_path / "p.jsonl", [GOOD[0], BOOM, GOOD[1], GOOD[2]])
    store = tmp_path / "st"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(inject), str(REPO)])}
    p = subprocess.run(["kg", "ingest", str(src), "--store", str(store), "--workers", workers, "--batch-size", "2"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr
    lines = [ln for ln in p.stderr.splitlines() if "extraction failed" in ln]
    assert lines == [f"rejected: {src}:2: extraction failed (RuntimeError: injected failure second line); "
                     "the other papers are kept [The BOOM Paper]"]
    assert titles(store) == ["Good Paper 0", "Good Paper 1", "Good Paper 2"]


@pytest.mark.parametrize("url", ["https://\u2100.com/x", "\\url{https://[::1/x}", '<a href="http://[::1/x">code</a>',
                                 "\\href{https://[v1.fe/x}{code}", "github.com/\u2100/x"])
def test_urls_the_parser_refuses_are_no_crash(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch,
                                               extractor: Extractor) -> None:
    ex = extractor
    paper = Paper(key="k", title="T", abstract=f"Code: {url} and https://github.com/o/r.")
    assert [u.url for u in ex.extract(paper).code_urls][-1] == "https://github.com/o/r"
    monkeypatch.setattr(kg.api, "_extractor", lambda kb_files, model=None: ex)
    src = jsonl(tmp_path / "p.jsonl", [GOOD[0], {"title": "U", "abstract": paper.abstract}])
    r = CliRunner().invoke(cli, ["ingest", str(src), "--store", str(tmp_path / "st")])
    assert r.exit_code == 0, r.output
    assert titles(tmp_path / "st") == ["Good Paper 0", "U"]
