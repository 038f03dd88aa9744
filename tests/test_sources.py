"""Source readers: each format on small fixtures whose expected values were read off the files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.keys import paper_key
from kg.model import Paper, Reject
from kg.sources import FORMATS, SOURCES, detect_format, read

DATA = Path(__file__).parent / "data" / "sources"
from tests.helpers import SEED
from tests.helpers import SEED_GOLD as GOLD


def split(path: Path, fmt: str | None = None) -> tuple[list[Paper], list[Reject]]:
    records = list(read(path, fmt))
    papers = [r for r in records if isinstance(r, Paper)]
    rejects = [r for r in records if isinstance(r, Reject)]
    assert len(papers) + len(rejects) == len(records)
    return papers, rejects


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line of ``path`` containing ``needle``."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in {path}")


def test_registry_names_and_sorted_formats() -> None:
    assert set(SOURCES) == {"daily", "jsonl", "json", "csv", "arxiv-xml"}
    assert FORMATS == tuple(sorted(SOURCES))


@pytest.mark.skipif(not SEED.exists(), reason=f"seed listing not found at {SEED}")
def test_daily_seed_gives_the_41_gold_titles_in_order() -> None:
    papers, rejects = split(SEED)
    gold = [json.loads(line)["title"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rejects == []
    assert len(papers) == 41
    assert [p.title for p in papers] == gold
    first = papers[0]
    assert first.line == line_of(SEED, "G3: An Effective")
    assert first.abstract.startswith("Worldwide geolocalization aims")
    assert first.abstract.endswith("compared to other state-of-the-art methods.")
    assert first.key == paper_key(first.title) and first.key.startswith("title:")
    assert len({p.key for p in papers}) == 41
    text = SEED.read_text(encoding="utf-8")
    assert all(p.abstract in text for p in papers)  # abstracts kept exactly as in the file


def test_daily_skips_page_noise_and_rejects_a_title_without_abstract() -> None:
    path = DATA / "daily-noisy.txt"
    papers, rejects = split(path)
    assert [p.title for p in papers] == [
        "A Title Split Across Two Lines",
        "Short Paper Title",
        "Paper With An Id Line",
    ]
    assert papers[0].line == line_of(path, "A Title Split")
    assert papers[0].abstract.startswith("The abstract follows after a line of page noise.")
    assert papers[1].abstract == "A short abstract."
    assert papers[2].arxiv_id == "2403.04444" and papers[2].key == "arxiv:2403.04444"
    assert [str(r) for r in rejects] == [
        f"{path}:{line_of(path, 'Whose Abstract Went')}: title with no abstract "
        "[A Title Whose Abstract Went Missing]"
    ]


def test_daily_abstract_with_no_title(tmp_path: Path) -> None:
    path = tmp_path / "orphan.txt"
    path.write_text(
        "Subscribe\n\n" + "An abstract with no title above it, long enough to read as one. " * 6
        + "\n\nReal Title\n\nReal abstract sentence one. Sentence two follows here, to be sure.\n",
        encoding="utf-8",
    )
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Real Title"]
    assert len(rejects) == 1 and rejects[0].line == 3
    assert rejects[0].reason == "abstract with no title before it"


def test_jsonl_reads_good_lines_and_rejects_bad_ones() -> None:
    path = DATA / "mixed.jsonl"
    papers, rejects = split(path)
    assert [(p.line, p.title) for p in papers] == [
        (1, "Sparse Probing of ResNet-50 Features"),
        (5, "Wrapped Title Here"),
        (9, "Objects as authors"),
    ]
    first, wrapped, objects = papers
    assert first.key == "arxiv:2403.01234" and first.arxiv_id == "2403.01234"
    assert first.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert first.date == "2024-03-02"
    # title whitespace collapsed, abstract only stripped at its ends
    assert wrapped.abstract == "Kept  exactly:\n  two  spaces."
    assert wrapped.key == "arxiv:1706.03762" and wrapped.url == "https://arxiv.org/abs/1706.03762"
    assert objects.authors == ("Ada Lovelace", "Alan Turing")
    assert objects.url == "https://arxiv.org/abs/2401.00001v1"  # rel=alternate preferred
    assert objects.date == "2024-01-01"
    reasons = {r.line: r.reason for r in rejects}
    assert set(reasons) == {3, 4, 6, 7, 8}
    assert reasons[3].startswith("invalid JSON at column")
    assert reasons[4] == "expected a JSON object, found a list"
    assert reasons[6] == "missing title"
    assert reasons[7] == "missing abstract"
    assert reasons[8] == "missing title and abstract (fields found: name, value)"
    assert str(rejects[3]) == f"{path}:7: missing abstract [No abstract at all]"
    assert rejects[2].record == "An empty title."  # no title: named by its abstract


def test_json_object_holding_papers_with_record_start_lines() -> None:
    path = DATA / "papers.json"
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["First Paper", "Second Paper"]
    assert papers[0].line == line_of(path, '"title": "First Paper"') - 1  # the line of its "{"
    assert papers[1].line == line_of(path, "Second Paper")
    assert papers[0].arxiv_id == "2510.02252" and papers[0].url == "https://arxiv.org/pdf/2510.02252v1"
    assert papers[0].authors == ("Ada Lovelace", "Alan Turing") and papers[0].date == "2025-10-02"
    assert papers[1].key == "arxiv:2510.00002"  # arxivId
    assert [(r.line, r.reason) for r in rejects] == [
        (line_of(path, "a stray string"), "expected a JSON object, found a string"),
        (line_of(path, "Third Paper") - 1, "missing abstract"),
    ]


@pytest.mark.parametrize("key", ["papers", "records", "items", "entries", "data", "results"])
def test_json_list_keys(tmp_path: Path, key: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"meta": {}, key: [{"title": "T", "abstract": "A."}]}, indent=1))
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["T"] and not rejects


def test_json_plain_list_single_object_and_concatenated_objects(tmp_path: Path) -> None:
    plain = tmp_path / "list.json"
    plain.write_text('[\n{"title": "A", "abstract": "x"},\n\n  {"title": "B", "abstract": "y"}\n]')
    assert [(p.line, p.title) for p in split(plain)[0]] == [(2, "A"), (4, "B")]
    single = tmp_path / "one.json"
    single.write_text('{"title": "Only", "summary": "One paper."}')
    assert [p.title for p in split(single)[0]] == ["Only"]
    lines = tmp_path / "lines.json"  # JSON Lines saved with a .json name
    lines.write_text('{"title": "A", "abstract": "x"}\n{"title": "B", "abstract": "y"}\n')
    assert [(p.line, p.title) for p in split(lines)[0]] == [(1, "A"), (2, "B")]


def test_csv_multiline_fields_and_row_start_lines() -> None:
    path = DATA / "papers.csv"
    papers, rejects = split(path)
    assert [(p.line, p.title) for p in papers] == [
        (2, "Neural ODEs for Image Segmentation"),
        (line_of(path, "A Graph-CNN"), "A Graph-CNN for 3D Point Clouds"),
        (line_of(path, "Last Paper"), "Last Paper"),
    ]
    assert papers[0].abstract == (
        'We propose a novel approach\nthat spans several lines, with "quotes", commas\nand a hard wrap.'
    )
    assert [(r.line, r.reason.split(";")[0]) for r in rejects] == [
        (line_of(path, "A row with an empty title"), "missing title"),
        (line_of(path, "A Row With An Empty Summary"), "missing abstract"),
        (line_of(path, "Too many fields"), "row has 5 fields, the header has 4"),
    ]


def test_csv_tab_separated_and_case_insensitive_header(tmp_path: Path) -> None:
    path = tmp_path / "p.tsv"
    path.write_text("Title\tAbstract\tArXiv ID\nT1\tAbstract one, with a comma.\t2101.00001v3\n")
    (paper,) = split(path)[0]
    assert (paper.title, paper.abstract, paper.key) == ("T1", "Abstract one, with a comma.", "arxiv:2101.00001")


def test_arxiv_atom_entries() -> None:
    path = DATA / "arxiv-api.xml"
    papers, rejects = split(path)
    first, old = papers
    assert first.title == "Sparse Probing of ResNet-50 Features"  # wrapped title joined
    assert first.abstract == (
        "We study ResNet-50 trained on ImageNet & evaluate on CIFAR-10.\n"
        "Code: https://github.com/example-lab/sparse-probe."
    )
    assert first.key == "arxiv:2403.01234" and first.url == "http://arxiv.org/abs/2403.01234v2"
    assert first.authors == ("Ada Lovelace", "Alan Turing") and first.date == "2024-03-02T18:00:00Z"
    assert first.line == line_of(path, "<entry>")
    assert old.key == "arxiv:hep-th/9901001" and old.authors == ("Grace Hopper",)
    assert [(r.line, r.reason) for r in rejects] == [
        (line_of(path, "2403.09999") - 1, "missing abstract")
    ]


def test_arxiv_atom_malformed_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text('<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n<title>x</summary>\n</entry></feed>')
    with pytest.raises(SourceError, match=rf"{path}:3:\d+: malformed XML: mismatched tag"):
        list(read(path))


def test_arxiv_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text("<html><body>hello</body></html>")
    with pytest.raises(SourceError, match="expected an arXiv API Atom feed.*found <html>"):
        list(read(path))


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.jsonl", "", "jsonl"),
        ("a.ndjson", "", "jsonl"),
        ("a.JSON", "", "json"),
        ("a.csv", "", "csv"),
        ("a.txt", "", "daily"),
        ("a.atom", "", "arxiv-xml"),
        ("feed", '<?xml version="1.0"?>\n<feed/>', "arxiv-xml"),
        ("list", '[{"title": "t"}]', "json"),
        ("pretty", '{\n  "papers": []\n}', "json"),
        ("lines", '{"title": "t", "abstract": "a"}\n{"title": "u"}\n', "jsonl"),
        ("minified", '{"count": 1, "papers": [{"title": "t", "abstract": "a"}]}', "json"),
        ("table", "titles,summaries\nT,S\n", "csv"),
        ("listing", "new\n\nA Title\n\nAn abstract.\n", "daily"),
    ],
)
def test_detect_format(tmp_path: Path, name: str, content: str, fmt: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    assert detect_format(path) == fmt


def test_detect_format_unknown_says_how_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "mystery.dat"
    path.write_text("just one line of text")
    with pytest.raises(SourceError, match=r"cannot tell the input format.*--input-format \(arxiv-xml, csv"):
        detect_format(path)


def test_forced_format_and_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "papers.txt"
    path.write_text('{"title": "T", "abstract": "A."}\n')
    assert [p.title for p in split(path, "jsonl")[0]] == ["T"]
    with pytest.raises(SourceError, match="unknown input format 'yaml'"):
        read(path, "yaml")


def test_same_paper_in_two_formats_has_one_key() -> None:
    jsonl = {p.title: p.key for p in split(DATA / "mixed.jsonl")[0]}
    atom = {p.title: p.key for p in split(DATA / "arxiv-api.xml")[0]}
    title = "Sparse Probing of ResNet-50 Features"
    assert jsonl[title] == atom[title] == "arxiv:2403.01234"
