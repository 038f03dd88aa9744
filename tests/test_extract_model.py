"""The learned scorer: the shipped model loads fast, `kg train` is deterministic and runs as a user runs it."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import api
from kg.errors import ExtractionError
from kg.extract import Extractor
from kg.extract.model import BUILTIN_MODEL, FORMAT, Scorer, load_scorer
from kg.model import Paper
from tests.helpers import DATA, REPO, SEED, SEED_GOLD, need


def _kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=e,
                          timeout=300, check=False)


def test_shipped_model_is_gzipped_json_and_loads_fast() -> None:
    data = json.loads(gzip.decompress(BUILTIN_MODEL.read_bytes()).decode("utf-8"))
    assert data["format"] == FORMAT and len(data["training_set_sha256"]) == 64 and "seed" in data
    t = time.perf_counter()
    s = load_scorer(None)
    assert time.perf_counter() - t < 1.0  # ~0.1 s on an idle machine
    assert isinstance(s, Scorer) and s.type_w
    assert load_scorer("rules") is None


def test_bad_model_files_say_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "m.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ExtractionError, match="cannot read the model file"):
        load_scorer(bad)
    bad.write_text(json.dumps({"format": "other/9"}), encoding="utf-8")
    with pytest.raises(ExtractionError, match="not a kg model file"):
        load_scorer(bad)
    with pytest.raises(ExtractionError, match="cannot read"):
        load_scorer(tmp_path / "missing.json")


def test_scorer_decides_kind_role_and_competing_spans() -> None:
    # hand-made weights: "keep" pushes Method, "data" pushes Dataset, "own" pushes proposed
    model = {"format": FORMAT, "threshold": 0.5,
             "type": {"classes": ["none", "Method", "Dataset"], "intercept": [1.0, 0.0, 0.0],
                      "weights": {"keep": [0.0, 3.0, 0.0], "data": [0.0, 0.0, 5.0]}},
             "role": {"Method": {"intercept": -1.0, "weights": {"own": 3.0}},
                      "Dataset": {"intercept": -5.0, "weights": {}}}}
    s = Scorer(model)
    assert s.kind_probs({})[0] > 0.5
    p = s.kind_probs({"keep": 1.0})
    assert p[1] > p[0] and p[1] > p[2]
    assert s.kind_probs({"keep": 1.0, "data": 1.0})[2] > 0.5
    assert s.role_prob("Method", {"own": 1.0}) > 0.5 > s.role_prob("Method", {})


def test_rules_only_and_model_agree_on_plain_cases() -> None:
    text = "We propose FooNet, a new network. We evaluate it on ImageNet and CIFAR-10 against ResNet-50."
    for model in (None, "rules"):
        ex = Extractor(model=model).extract(Paper("k", "FooNet: a new network", text))
        methods = {e.name: e.role for e in ex.methods}
        assert methods.get("FooNet") == "proposed" and methods.get("ResNet-50") == "mentioned", (model, methods)
        assert {"ImageNet", "CIFAR-10"} <= {e.name for e in ex.datasets}, model


def test_train_is_deterministic_and_writes_a_plain_model(tmp_path: Path) -> None:
    gold, seed = need(SEED_GOLD), need(SEED)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    ra = api.train([gold], [seed], a)
    api.train([gold], [seed], b)
    assert a.read_bytes() == b.read_bytes()
    assert ra.matched == ra.gold_papers == 41 and ra.candidates > 100 and not ra.unmatched
    data = json.loads(a.read_text(encoding="utf-8"))
    assert data["training_set_sha256"] == ra.digest and data["papers"] == 41 and data["seed"] == 0
    # another seed is recorded; the model scores papers in worker processes too
    api.train([gold], [seed], b, seed=1)
    assert json.loads(b.read_text(encoding="utf-8"))["seed"] == 1
    papers = [p for p in api.iter_papers([DATA / "cli" / "two-papers.jsonl"])]
    ex = Extractor(model=a)
    assert list(ex.extract_all(papers, workers=2)) == list(ex.extract_all(papers))


def test_train_without_gold_papers_in_the_inputs_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="none of the gold papers is in the inputs"):
        api.train([need(SEED_GOLD)], [DATA / "cli" / "two-papers.jsonl"], tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def test_kg_train_then_eval_with_model_and_kg_model(tmp_path: Path) -> None:
    gold, seed = need(SEED_GOLD), need(SEED)
    out = tmp_path / "my-model.json"
    done = _kg("train", str(gold), "--inputs", str(seed), str(DATA / "cli" / "two-papers.jsonl"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "found in the inputs: 41" in done.stdout and out.exists()
    by_flag = _kg("eval", str(gold), str(seed), "--model", str(out))
    by_env = _kg("eval", str(gold), str(seed), env={"KG_MODEL": str(out)})
    assert by_flag.returncode == 0 and "introduced accuracy" in by_flag.stdout, by_flag.stderr
    assert by_flag.stdout == by_env.stdout
    missing = _kg("eval", str(gold), str(seed), "--model", str(tmp_path / "nope.json"))
    assert missing.returncode == 1 and "cannot read the model file" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("model", [None, "rules"])
def test_the_papers_text_wins_over_the_knowledge_base(model: str | None) -> None:
    text = ("We define Stacked GAN (SGAN) and add a Softmax layer. SGAN beats Claude 3 Sonnet, "
            "Gemini 1.5 Flash and E5-Mistral on PRID2011 and iLIDS-VID.")
    ex = Extractor(model=model).extract(Paper("k", "A study", text))
    methods, datasets = {e.name for e in ex.methods}, {e.name for e in ex.datasets}
    assert {"SGAN", "Claude 3 Sonnet", "Gemini 1.5 Flash", "E5-Mistral"} <= methods, (model, methods)
    assert not {"Social GAN", "SphereFace", "Claude 3", "E5"} & methods, (model, methods)
    assert {"PRID2011", "iLIDS-VID"} <= datasets, (model, datasets)


@pytest.mark.parametrize("model", [None, "rules"])
def test_fragments_are_not_names(model: str | None) -> None:
    text = ("We propose FooNet. Models from 0.5B-7B reach Top-20 accuracy at a 64-to-1 ratio on ImageNet. "
            "Scaling FooNet from 0.6B--14B helps.")
    ex = Extractor(model=model).extract(Paper("k", "A study", text))
    names = {e.name for e in ex.methods + ex.datasets}
    assert "FooNet" in names and "ImageNet" in names
    assert not {"0.5B-7B", "Top-20", "64-to-1", "0.6B--14B", "0.6B", "14B"} & names, (model, names)


def test_a_gzipped_model_file_loads_as_its_json(tmp_path) -> None:
    # `bench/learning.py --write-model X.gz` writes the shipped model so; any model file may be gzipped
    raw = gzip.decompress(BUILTIN_MODEL.read_bytes())
    plain, packed, broken = tmp_path / "m.json", tmp_path / "m.json.gz", tmp_path / "cut.json.gz"
    plain.write_bytes(raw)
    packed.write_bytes(gzip.compress(raw, mtime=0))
    broken.write_bytes(packed.read_bytes()[:1000])
    assert load_scorer(packed).type_w == load_scorer(plain).type_w == load_scorer(None).type_w
    with pytest.raises(ExtractionError, match="cut.json.gz: cannot read the model file"):
        load_scorer(broken)
