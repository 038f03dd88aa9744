"""Name rules by error class: guards against non-names, typing by context, proposal cues (sentences written here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract import Extractor
from kg.model import Paper

DATA = Path(__file__).parent / "data" / "extract"
_KB = """
- {name: Sinkhorn, type: method, aliases: [Sinkhorn algorithm]}
- {name: Meta-World, type: dataset, aliases: [MetaWorld]}
- {name: ML10, type: dataset}
- {name: 3D Gaussian Splatting, type: method, aliases: [3DGS, Gaussian Splatting]}
- {name: InfoNCE, type: method}
- {name: GRID corpus, type: dataset, aliases: [GRID]}
- {name: RTX 3090, reason: hardware}
"""


@pytest.fixture(scope="module")
def ex(tmp_path_factory) -> Extractor:
    kb = tmp_path_factory.mktemp("kb") / "kb_rules.yaml"
    kb.write_text(_KB, encoding="utf-8")
    # the rules alone: the shipped model is fitted with the built-in KB, not this tiny one
    return Extractor([DATA / "kb_tiny.yaml", kb], use_builtin_kb=False, model="rules")


def _run(ex: Extractor, abstract: str, title: str = "A study of things"):
    e = ex.extract(Paper(key="title:x", title=title, abstract=abstract))
    return {m.name: m for m in e.methods}, {d.name: d for d in e.datasets}


@pytest.mark.parametrize("text", [
    "Code is at https://www.cs.example.edu/~jdoe42/toolkit and mail qz7user@lab.example.org for data.",
    "Jobs run on an RTX 3090 and a GTX 1080 in our HPC cluster.",
    "The IMU-measured accelerations and GPU-friendly kernels are noisy.",
    "Researchers at the University of Nowhere (UNW) collected it.",
    "Films of polyvinylidene fluoride (PVDF) and a Ga1-xZnx alloy give 20 mN of force at 500 kHz.",
    "The regret is $O(M\\sqrt{dkT} + d\\sqrt{kMT})$ with $T$ steps.",
    "We predict bounding boxes (BBOX) around every object.",
    "We train several Machine Learning (ML) algorithms and an active learning (AL) framework.",
    "AlGaN and GaAs layers emit at 3 GeV; H_0 is fixed and 400K-image sets take 2-3.5s each.",
])
def test_non_names_give_nothing(ex, text):
    ms, ds = _run(ex, text)
    assert ms == {} and ds == {}, (ms, ds)


def test_title_modifier_is_not_the_contribution(ex):
    ms, _ = _run(ex, "We estimate facial motion pattern (FMP) intensity from one image.",
                 title="Unsupervised Facial Motion Pattern Intensity Estimation")
    assert all(m.role != "proposed" for m in ms.values())


def test_passive_and_indefinite_proposals(ex):
    ms, _ = _run(ex, "A relaxed sparse coding network (RSCNet) approach is proposed for denoising. "
                     "It contains a Spatial Foreground Predictor (SFP) module.")
    assert ms["RSCNet"].role == "proposed"
    assert ms["SFP"].role == "proposed"


def test_multiword_name_after_proposal_verb(ex):
    ms, _ = _run(ex, "We propose Flow Router, which routes tokens between experts.")
    assert ms["Flow Router"].role == "proposed"


def test_lowercase_name_after_naming_verb(ex):
    ms, _ = _run(ex, "We extend the margin loss into a variant, named margin distillation, which adapts per pair.")
    assert ms["margin distillation"].role == "proposed"


def test_dataset_names_by_head_noun_and_cue_phrase(ex):
    _, ds = _run(ex, "We introduce the Lisbon Street Scenes dataset. Our benchmark suite, LogiGraph, tests rules. "
                     "We also build a video dataset named VidQuux. Results on CIFAR-10, SVHN2 and Zorblat datasets.")
    assert {"Lisbon Street Scenes", "LogiGraph", "VidQuux", "Zorblat"} <= set(ds)
    assert ds["LogiGraph"].role == "introduced" and ds["VidQuux"].role == "introduced"


def test_appositive_dataset_after_coined_name(ex):
    _, ds = _run(ex, "At its core is SAvanti, the largest multimodal dataset of sketches.")
    assert "SAvanti" in ds


def test_suite_and_split_are_one_dataset(ex):
    _, ds = _run(ex, "We evaluate on the MetaWorld ML10 benchmark.")
    assert set(ds) == {"ML10"}


def test_metric_named_after_a_method(ex):
    ms, _ = _run(ex, "We score outputs with the Sinkhorn distance.")
    assert "Sinkhorn" not in ms


def test_acronym_mentions_share_the_kb_entry(ex):
    ms, _ = _run(ex, "Gaussian Splatting (GS) renders fast. GS-based methods and GS variants still blur.")
    assert list(ms) == ["3D Gaussian Splatting"]


def test_improved_known_method_is_not_proposed_and_lowercase_word_is_not_a_name(ex):
    ms, ds = _run(ex, "We introduce an improved InfoNCE loss with a grid-based sampler.")
    assert ms["InfoNCE"].role == "mentioned" and ds == {}


def test_analogy_suffix_and_coordinated_benchmarks(ex):
    ms, ds = _run(ex, "This paper introduces two GPT-2-like models. We test on the Foo Transformer and XB benchmarks.")
    assert "GPT-2" not in ms
    ms2, ds2 = _run(ex, "When evaluated on the ResNet and ZetaSet benchmarks, it wins.")
    assert {"ResNet", "ZetaSet"} <= set(ds2) and "ResNet" not in ms2


def test_metric_and_number_shapes_are_not_names(ex):
    ms, ds = _run(ex, "Our 2D-to-3D lifting reaches an F1-score 0.91 and a C2-Score gain with 0.46-0.62M parameters.")
    assert ms == {} and ds == {}


def test_plain_title_names(ex):
    ms, _ = _run(ex, "We present a scalable method for detecting objects.",
                 title="Hashmod: A Hashing Method for Object Detection")
    assert ms["Hashmod"].role == "proposed"
    ms, _ = _run(ex, "We propose Vgent, a graph-based framework. Vgent wins.", title="Vgent: Graph-based Generation")
    assert ms["Vgent"].role == "proposed"
    ms, ds = _run(ex, "We review how attention works.", title="Attention: A Survey of Mechanisms")
    assert ms == {} and ds == {}


def test_opening_is_a_sentence_presents_the_name(ex):
    ms, _ = _run(ex, "QuillNet is a lightweight network for handwriting recognition. It runs fast.")
    assert ms["QuillNet"].role == "proposed"
    ms, _ = _run(ex, "Handwriting is hard. Prior work is slow. Even then, more work follows. QuillNet is a baseline model.")
    assert ms["QuillNet"].role == "mentioned"


@pytest.mark.parametrize("text", [
    "We measure the field of view (FoV) of each camera; wide FoVs help.",
    "Samples were grown by molecular beam epitaxy (MBE) and probed by photoluminescence (PL).",
    "Ground Penetrating Radar (GPR) is widely used to find rebar in concrete.",
    "We improve single image super-resolution (SISR) and grammatical error correction (GEC).",
])
def test_acronyms_of_things_tasks_and_techniques_are_not_methods(ex, text):
    ms, ds = _run(ex, text)
    assert ms == {} and ds == {}, (ms, ds)


def test_title_use_of_an_acronym_the_abstract_defines_as_a_thing(ex):
    ms, ds = _run(ex, "Ground Penetrating Radar (GPR) is widely used to find rebar in concrete. We train AlexNet on it.",
                  title="Detecting Rebar in GPR Data")
    assert "GPR" not in ms and "GPR" not in ds


def test_data_set_named_after_a_task_acronym(ex):
    _, ds = _run(ex, "Tests use the public invasive ductal carcinoma (IDC) data set.")
    assert ds["IDC"].role == "used"


def test_a_named_baseline_is_not_proposed(ex):
    ms, _ = _run(ex, "We propose FooNet for this task. FooNet is 47 times faster than the recent "
                     "state-of-the-art method, i.e., BarTwin, and than an existing model called QuxNet.")
    assert ms["FooNet"].role == "proposed"
    assert ms["BarTwin"].role == "mentioned" and ms["QuxNet"].role == "mentioned"


@pytest.mark.parametrize("title", ["Trees vs Graph Ontologies: a comparison",
                                   "Graph Ontologies or Tree Kernels? Towards better parsers"])
def test_a_comparison_title_does_not_make_its_names_proposed(ex, title):
    ms, _ = _run(ex, "We compare Graph Ontologies (GO) with Tree Kernels (TK) on ten tasks.", title=title)
    assert all(m.role == "mentioned" for m in ms.values()), ms


def test_our_before_a_known_name_used_as_a_modifier(ex):
    ms, _ = _run(ex, "Our InfoNCE-based pipeline trains fast, and our InfoNCE loss is stable.")
    assert ms["InfoNCE"].role == "mentioned"


def test_participles_give_nothing(ex):
    ms, ds = _run(ex, "Parts are 3D-printed and fine-tuned; a gradient-boosted tree ranks them.")
    assert ms == {} and ds == {}, (ms, ds)


def test_a_year_between_a_name_and_its_dataset_noun(ex):
    _, ds = _run(ex, "We focus on the eRisk 2018 dataset of user posts.")
    assert "eRisk" in ds


def test_variants_of_the_titles_benchmark_are_datasets(ex):
    ms, ds = _run(ex, "GIR-Bench has three parts: GIR-Bench-UGC and GIR-Bench-Edit test editing.",
                  title="GIR-Bench: Versatile Benchmark for Generating Images with Reasoning")
    assert {"GIR-Bench-UGC", "GIR-Bench-Edit"} <= set(ds) and not ms, (ms, ds)


def test_a_proposal_cue_stops_at_within(ex):
    ms, _ = _run(ex, "We first construct a digital twin within MPM simulator and then train FooNet.")
    assert "MPM" not in ms or ms["MPM"].role == "mentioned"


@pytest.mark.parametrize("text, short, long", [
    ("We use the Densely Segmented Supermarket Amodal dataset (D2SA) for tests.", "D2SA",
     "Densely Segmented Supermarket Amodal dataset"),
    ("We propose the Deep Koopman-boosted Dual-branch Diffusion Policy (D3P) algorithm.", "D3P",
     "Deep Koopman-boosted Dual-branch Diffusion Policy"),
    ("A sequence-to-sequence (Seq2Seq) model maps them.", "Seq2Seq", "sequence-to-sequence"),
])
def test_acronyms_whose_digits_repeat_a_letter_or_stand_for_a_word(text, short, long):
    from kg.extract.acronyms import find_definitions
    assert [(d.short, d.long) for d in find_definitions(text)] == [(short, long)]


def test_a_new_dataset_named_by_an_appositive_long_form(ex):
    ms, ds = _run(ex, "To evaluate it, we introduce a new dataset of diverse traffic accidents, "
                      "AnAn Accident Detection (A3D), as well as another public dataset.")
    assert ds["A3D"].role == "introduced" and not ms, (ms, ds)


def test_an_undefined_acronym_of_a_known_name_in_the_paper_is_that_name(ex):
    ms, _ = _run(ex, "We build on Gaussian Splatting for scans and surpass existing GS methods.")
    assert list(ms) == ["3D Gaussian Splatting"] and "GS" in ms["3D Gaussian Splatting"].aliases, ms


@pytest.mark.parametrize("text", [
    "We collect 244K pick-and-place episodes, and in real-world clustered pick-and-place, FooNet improves by 7%.",
    "We extend FooNet with reward shaping, domain randomization, and history-dependent asymmetric learning.",
    "Unlike ResNet-50 and self-attention, it is cheap.",
])
def test_lower_case_hyphenated_words_are_not_typed_by_a_list(ex, text):
    ms, ds = _run(ex, text)
    assert not any(n.islower() and "-" in n for n in (*ms, *ds)), (ms, ds)


@pytest.mark.parametrize("text", [
    "We validate FooNet on a Unitree Go2 robot and on two WidowX arms.",
    "Training takes a day on 8 AMD MI300X GPUs and runs on an Arduino Mega2560 board.",
])
def test_an_unknown_name_before_a_machine_noun_is_hardware(ex, text):
    ms, ds = _run(ex, text)
    assert not ({"Go2", "WidowX", "MI300X", "Mega2560"} & {*ms, *ds}), (ms, ds)


def test_a_parameter_count_suffix_is_the_same_model(ex):
    ms, _ = _run(ex, "Leveraging it, we train EmboBrainX, an LLM agent. EmboBrainX-7B surpasses the 671B baseline.")
    assert [n for n in ms if n.startswith("EmboBrainX")] == ["EmboBrainX"], ms
    assert "EmboBrainX-7B" in ms["EmboBrainX"].aliases


def test_a_hyphenated_variant_of_the_proposed_name_is_proposed(ex):
    ms, _ = _run(ex, "We introduce FailSafeX, a novel recovery system. We fine-tune ResNet-50 to build FailSafeX-VLM. "
                     "FailSafeX-VLM helps robots recover.", title="FailSafeX: Reasoning and Recovery from Failures")
    assert ms["FailSafeX-VLM"].role == "proposed" and ms["ResNet-50"].role == "mentioned", ms


def test_acronyms_in_the_list_of_parts_the_paper_announces_are_proposed(ex):
    ms, _ = _run(ex, "We introduce FooNet, a diffusion framework. We further develop two complementary strategies: "
                     "Frequency-Guided Supervision (FGS) for global structure and Discrepancy-Guided Optimization (DGO) "
                     "for local refinement. FooNet enables two applications.")
    assert ms["FGS"].role == "proposed" and ms["DGO"].role == "proposed", ms
    ms, _ = _run(ex, "We propose BarNet. BarNet introduces two key components. The Semantic Frame Selection (SFS) "
                     "module selects frames. The Answer Consensus Refinement (ACR) module resolves conflicts.")
    assert ms["SFS"].role == "proposed" and ms["ACR"].role == "proposed", ms


def test_a_list_of_parts_that_is_not_the_papers_own_proposes_nothing(ex):
    ms, _ = _run(ex, "These models typically rely on two key components: the Visual Token Encoder (VTE) and the "
                     "Language Token Decoder (LTD). We study where they fail.")
    assert all(m.role == "mentioned" for m in ms.values()), ms
    ms, _ = _run(ex, "Our framework features two control modules. The spine module uses spike encoding and "
                     "Leaky Integrate-and-Fire (LIF) neurons for feedback control.")
    assert "LIF" not in ms or ms["LIF"].role == "mentioned", ms


def test_an_a_to_b_mapping_is_a_task_not_a_method(ex):
    ms, _ = _run(ex, "We propose FooNet, a novel structure-aware text-to-3D framework, and compare Image-to-SVG and "
                     "Question-to-SQL systems with ResNet-50.", title="FooNet: Structure-Aware Text-to-3D Font Generation")
    assert set(ms) == {"FooNet", "ResNet-50"}, ms


@pytest.mark.parametrize("text", [
    "Finally, we incorporate the camera-GPU extrinsic parameters into FooNet for online calibration.",
    "FooNet runs on monocular-GPU sequences and keeps SOTA-consistent edits.",
])
def test_a_generic_acronym_joined_to_a_lower_case_word_is_not_a_name(ex, text):
    ms, ds = _run(ex, text)
    assert not [n for n in (*ms, *ds) if "-" in n], (ms, ds)


def test_a_capitalised_hyphenated_title_name_used_again_is_the_papers(ex):
    ms, _ = _run(ex, "We present Wave-Former, a novel method for 3D shape reconstruction. Wave-Former beats ResNet-50.",
                 title="Wave-Former: Through-Occlusion 3D Reconstruction via Wireless Shape Completion")
    assert ms["Wave-Former"].role == "proposed", ms
    ms, _ = _run(ex, "We build models of many things and evaluate ResNet-50.",
                 title="Self-Supervised: Learning Many Things")
    assert set(ms) == {"ResNet-50"}, ms  # not used again in the abstract: not a name


def test_names_in_a_parenthesis_after_datasets_and_a_cue_word_are_datasets(ex):
    ms, ds = _run(ex, "FooNet is evaluated on two datasets (e.g., RealScene10K and ACIDX), where it wins.")
    assert {"RealScene10K", "ACIDX"} <= set(ds) and not ({"RealScene10K", "ACIDX"} & set(ms)), (ms, ds)


@pytest.mark.parametrize("text, name, kind, role", [
    ("To evaluate it, we release the CattleSet6 dataset of indoor behaviours.", "CattleSet6", "Dataset", "introduced"),
    ("We develop a PyQt5-based interactive software for labelling.", "PyQt5", "Method", "mentioned"),
    ("We present JHUX's system submission to the challenge.", "JHUX", "Method", "mentioned"),
])
def test_what_a_proposal_cue_reaches_first(ex, text, name, kind, role):
    ms, ds = _run(ex, text)
    found = {**ms, **ds}
    assert name not in found or (found[name].kind, found[name].role) == (kind, role), found
    assert kind == "Method" or name in found, found


def test_one_capitalised_word_after_a_proposal_cue_and_before_an_appositive_is_proposed(ex):
    ms, _ = _run(ex, "In this paper, we present Difflog, a technique to extend logic programs to continuous values.")
    assert ms["Difflog"].role == "proposed", ms
    ms, _ = _run(ex, "We introduce H-Zero, a cross-humanoid pretraining pipeline. H-Zero transfers.",
                 title="H-Zero: Cross-Humanoid Locomotion Pretraining")
    assert ms["H-Zero"].role == "proposed", ms
