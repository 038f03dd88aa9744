"""Knowledge-base files: YAML and JSONL, guard list, errors, Papers-with-Code import."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import ExtractionError
from kg.extract.kb import import_pwc, load_kb

DATA = Path(__file__).parent / "data" / "extract"


def test_yaml_and_jsonl_entries_and_stop():
    kb = load_kb([DATA / "kb_tiny.yaml", DATA / "kb_tiny.jsonl"])
    assert kb.lookup("CIFAR100").name == "CIFAR-100"
    assert kb.lookup("cifar 100").kind == "Dataset"
    assert kb.lookup("RoBERTa").kind == "Method"
    assert kb.lookup("Transformers").grey
    assert kb.is_stop("LLM") and kb.is_stop("LLMs") and not kb.is_stop("ImageNet")


def test_case_sensitivity_default(tmp_path):
    kb = load_kb([DATA / "kb_tiny.yaml"])
    cs = dict(kb.lookup("GPT-2").surfaces())
    assert cs["GPT-2"] is True  # 5 characters: case-sensitive by default
    assert dict(kb.lookup("CIFAR-100").surfaces())["CIFAR-100"] is False


@pytest.mark.parametrize("content,needle", [
    ("- {name: X, type: model}\n", "type 'model'"),
    ("- {type: dataset}\n", "needs a non-empty 'name'"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_bad_files_say_where(tmp_path, content, needle):
    p = tmp_path / "bad.yaml"
    p.write_text(content)
    with pytest.raises(ExtractionError, match=needle) as e:
        load_kb([p])
    assert str(p) in str(e.value)


def test_bad_jsonl_line_number(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"name": "A", "type": "method"}\n{oops\n')
    with pytest.raises(ExtractionError, match=r"bad.jsonl:2"):
        load_kb([p])


def test_import_pwc(tmp_path):
    out = tmp_path / "kb.jsonl"
    n = import_pwc(DATA / "pwc_datasets.json", DATA / "pwc_methods.json", out)
    assert n == 4  # the nameless record is skipped
    kb = load_kb([out])
    assert kb.lookup("Stanford Question Answering Dataset").name == "SQuAD"
    assert kb.lookup("CIFAR10").name == "CIFAR-10"
    assert kb.lookup("Low-Rank Adaptation").kind == "Method"
    assert import_pwc(DATA / "pwc_datasets.json", DATA / "pwc_methods.json", tmp_path / "kb.yaml") == 4
    assert load_kb([tmp_path / "kb.yaml"]).lookup("Adam").kind == "Method"
