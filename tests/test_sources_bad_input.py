"""Source readers on nasty input: good records read, each bad one a Reject, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.model import Notice, Paper, Reject
from kg.sources import FORMATS, MAX_FIELD_CHARS, read

DATA = Path(__file__).parent / "data" / "sources"
EXT = {"daily": "txt", "jsonl": "jsonl", "json": "json", "csv": "csv", "arxiv-xml": "xml"}


def split(path: Path, fmt: str | None = None) -> tuple[list[Paper], list[Reject]]:
    records = list(read(path, fmt))
    return [r for r in records if isinstance(r, Paper)], [r for r in records if isinstance(r, Reject)]


def good_file(fmt: str, tmp_path: Path, title: str = "A Title", abstract: str = "An abstract.") -> Path:
    """One paper in ``fmt`` (helper for tests that vary only the encoding or line ends)."""
    path = tmp_path / f"p.{EXT[fmt]}"
    if fmt == "daily":
        text = f"{title}\n\n{abstract}\n"
    elif fmt == "jsonl":
        text = json.dumps({"title": title, "abstract": abstract}, ensure_ascii=False) + "\n"
    elif fmt == "json":
        text = json.dumps([{"title": title, "abstract": abstract}], ensure_ascii=False, indent=1)
    elif fmt == "csv":
        text = f'title,abstract\n"{title}","{abstract}"\n'
    else:
        text = f"<feed><entry><title>{title}</title><summary>{abstract}</summary></entry></feed>\n"
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_gives_no_records(tmp_path: Path, fmt: str, content: bytes) -> None:
    """Chosen behaviour: an empty (or blank) file is zero records, not an error, in every format."""
    path = tmp_path / f"empty.{EXT[fmt]}"
    path.write_bytes(content)
    assert list(read(path)) == []
    assert list(read(path, fmt)) == []
    odd = tmp_path / "empty.unknown-extension"
    odd.write_bytes(content)
    assert list(read(odd)) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_binary_file_is_not_a_text_file(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"image.{EXT[fmt]}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(SourceError, match=rf"{path}: not a text file"):
        read(path)
    with pytest.raises(SourceError, match="not a text file"):
        list(read(path, fmt))


def test_utf16_file_says_to_resave_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "utf16.jsonl"
    path.write_text('{"title": "T", "abstract": "A."}\n', encoding="utf-16")
    with pytest.raises(SourceError, match="not a text file.*UTF-16; re-save it as UTF-8"):
        read(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(SourceError, match=rf"{missing}: no such file"):
        read(missing)
    with pytest.raises(SourceError, match="no such file"):
        read(tmp_path / "nope.unknown")  # before any attempt to sniff it
    with pytest.raises(SourceError, match="is a directory"):
        read(tmp_path, "jsonl")


@pytest.mark.parametrize("fmt", FORMATS)
def test_utf8_bom_is_dropped(tmp_path: Path, fmt: str) -> None:
    path = good_file(fmt, tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    papers, rejects = split(path)
    assert [(p.title, p.abstract) for p in papers] == [("A Title", "An abstract.")] and not rejects


@pytest.mark.parametrize("fmt", FORMATS)
def test_crlf_line_ends(tmp_path: Path, fmt: str) -> None:
    path = good_file(fmt, tmp_path, abstract="An abstract.")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    papers, rejects = split(path)
    assert [(p.title, p.abstract) for p in papers] == [("A Title", "An abstract.")] and not rejects


def test_crlf_multiline_csv_and_daily_line_numbers(tmp_path: Path) -> None:
    csv_path = tmp_path / "p.csv"
    csv_path.write_bytes(b'title,abstract\r\nT1,"line one\r\nline two"\r\nT2,second\r\n')
    papers, _ = split(csv_path)
    assert [(p.line, p.title) for p in papers] == [(2, "T1"), (4, "T2")]
    assert papers[0].abstract == "line one\r\nline two"  # a quoted field is kept as the file has it
    daily = tmp_path / "d.txt"
    daily.write_bytes(b"new\r\n\r\nTitle One\r\n\r\nAbstract one.\r\n\r\nTitle Two\r\n\r\nAbstract two.\r\n")
    assert [(p.line, p.title, p.abstract) for p in split(daily)[0]] == [
        (3, "Title One", "Abstract one."),
        (7, "Title Two", "Abstract two."),
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "daily"])
def test_invalid_utf8_rejects_that_record_only(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"bad.{EXT[fmt]}"
    if fmt == "jsonl":
        body = b'{"title": "Good", "abstract": "ok"}\n{"title": "Bad \xff", "abstract": "x"}\n{"title": "Also good", "abstract": "ok"}\n'
    elif fmt == "csv":
        body = b'title,abstract\nGood,ok\nBad,"x \xc3\x28\nmore"\nAlso good,ok\n'
    else:
        body = b"Good\n\nok.\n\nBad \xfe\n\nx.\n\nAlso good\n\nok.\n"
    path.write_bytes(body)
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Good", "Also good"]
    (reject,) = rejects
    assert reject.line == (5 if fmt == "daily" else 2 if fmt == "jsonl" else 3)
    assert "invalid UTF-8" in reject.reason and "re-save the file as UTF-8" in reject.reason


def test_invalid_utf8_in_json_rejects_the_record_naming_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'[\n{"title": "Good", "abstract": "ok"},\n{"title": "Bad", "abstract": "\xe9t\xe9"},\n{"title": "Fine", "abstract": "ok"}\n]')
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Good", "Fine"]
    assert [(r.line, r.reason) for r in rejects] == [
        (3, "abstract: invalid UTF-8 (byte 0xe9); re-save the file as UTF-8")
    ]


def test_invalid_utf8_in_xml_is_a_source_error_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(b"<feed>\n<entry><title>T</title>\n<summary>caf\xe9</summary></entry></feed>")
    with pytest.raises(SourceError, match=rf"{path}:3:\d+: malformed XML"):
        list(read(path))


def test_jsonl_broken_line_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    good = [json.dumps({"title": f"T{i}", "abstract": "a"}) for i in range(5)]
    path.write_text("\n".join(good[:2] + ['{"title": "cut off', "}{", "null"] + good[2:]) + "\n")
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["T0", "T1", "T2", "T3", "T4"]
    assert [r.line for r in rejects] == [3, 4, 5]
    assert rejects[0].reason.startswith("invalid JSON at column")
    assert rejects[2].reason == "expected a JSON object, found null"


@pytest.mark.parametrize(
    ("content", "found"),
    [
        ('{"count": 2, "query": "x"}', "found an object with keys: count, query"),
        ('"just a string"', "found a string"),
        ("42", "found a number"),
        ("[1, 2, 3]", "found a list of numbers"),
        ('{"papers": ["a", "b"]}', "found an object with keys: papers"),
    ],
)
def test_json_that_is_not_a_list_of_papers(tmp_path: Path, content: str, found: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(SourceError) as e:
        list(read(path))
    assert "expected a JSON list of paper objects, or an object holding one under 'papers'" in str(e.value)
    assert found in str(e.value)


def test_json_objects_without_paper_fields(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('[{"name": "a", "value": 1}, {"name": "b"}]')
    with pytest.raises(SourceError, match="no record has a title or abstract field.*first record has: name, value"):
        list(read(path))


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('[\n{"title": "A", "abstract": "a"},\n{"title": "B" "abstract": "b"}\n]')
    with pytest.raises(SourceError, match=rf"{path}:3:\d+: invalid JSON: Expecting"):
        list(read(path))


def test_csv_without_title_or_abstract_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,summary_text,year\nfoo,bar,2020\n")
    with pytest.raises(SourceError) as e:
        list(read(path))
    msg = str(e.value)
    assert msg.startswith(f"{path}:1: CSV header has no title or abstract column")
    assert "found columns: 'name', 'summary_text', 'year'" in msg
    assert "title: title, titles" in msg and "abstract: abstract, summary, summaries, description" in msg


def test_csv_unclosed_quote_is_a_reject_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('title,abstract\nGood,fine\nBad,"never closed\nline\n')
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Good"]
    assert [r.line for r in rejects] == [3] and "bad CSV row" in rejects[0].reason


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "", "abstract": "a"}, "missing title"),
        ({"title": "   \n ", "abstract": "a"}, "missing title"),
        ({"abstract": "a"}, "missing title"),
        ({"title": "T", "abstract": ""}, "missing abstract"),
        ({"title": "T", "abstract": None}, "missing abstract"),
        ({"title": "T"}, "missing abstract"),
        ({"title": "T", "abstract": " \t "}, "missing abstract"),
        ({"title": ["T"], "abstract": "a"}, "title holds a list where text was expected"),
        ({"title": "T", "abstract": {"text": "a"}}, "abstract holds an object where text was expected"),
        ({"title": "T", "abstract": "a", "authors": 7}, "authors holds a number where text was expected"),
        ({"title": "...", "abstract": "a"}, "title has no letters or digits"),
    ],
)
def test_missing_or_empty_title_or_abstract(tmp_path: Path, record: dict, reason: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"title": "Good", "abstract": "ok"}) + "\n" + json.dumps(record) + "\n")
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Good"]
    (r,) = rejects
    assert r.line == 2 and r.reason.startswith(reason)
    assert str(r).startswith(f"{path}:2: {reason}")


@pytest.mark.parametrize("field", ["title", "abstract", "url"])
def test_field_longer_than_the_limit(tmp_path: Path, field: str) -> None:
    path = tmp_path / "x.jsonl"
    record = {"title": "T", "abstract": "a", field: "x" * (MAX_FIELD_CHARS + 1)}
    ok = {"title": "Ok", "abstract": "a" * MAX_FIELD_CHARS, "url": "https://example.org/" + "u" * 10_000}
    path.write_text(json.dumps(record) + "\n" + json.dumps(ok) + "\n")
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Ok"] and len(papers[0].abstract) == MAX_FIELD_CHARS
    assert len(papers[0].url) == 10_020
    (r,) = rejects
    assert r.reason == (
        f"{field} is {MAX_FIELD_CHARS + 1:,} characters, over the limit of {MAX_FIELD_CHARS:,}; "
        "shorten it or fix the record"
    )


def test_five_mb_abstract_in_csv_is_one_clear_reject(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f'title,abstract\nHuge,"{"word " * 1_000_000}"\nSmall,fine\n')
    papers, rejects = split(path)
    assert [p.title for p in papers] == ["Small"]
    assert [(r.line, r.reason.split(" is ")[0]) for r in rejects] == [(2, "abstract")]


def test_zero_width_and_right_to_left_kept_hostile_names_kept() -> None:
    path = DATA / "hostile.jsonl"
    papers, rejects = split(path)
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    # a control character is replaced by a space (issue 12: it rejected the paper), with a Notice
    assert [p.title for p in papers] == [raw[0]["title"], raw[1]["title"], "A NUL in the title"]
    assert [p.abstract for p in papers] == [raw[0]["abstract"], raw[1]["abstract"], raw[2]["abstract"]]
    assert "\u200b" in papers[1].title and "\u202e" in papers[1].title
    assert "`" in papers[0].title and "\\" in papers[0].title and '"}' in papers[0].title
    assert [(r.line, r.reason) for r in rejects] == [
        (4, "title: lone surrogate U+D83D (a broken \\u escape); fix the text"),
    ]
    (note,) = [r for r in read(path) if isinstance(r, Notice)]
    assert str(note) == f"{path}:3: title: control character U+0000 at offset 19 replaced by a space"


def test_reject_record_escapes_bidi_overrides(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"title": "evil \u202etxt.exe"}) + "\n")
    (r,) = split(path)[1]
    assert "\u202e" not in str(r) and "\\u202e" in r.record


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_in_every_format(tmp_path: Path, fmt: str) -> None:
    title = "Quotes \"' and `ticks` {braces} [x] \\backslash\\ \u200bzw \u05e9\u05dc\u05d5\u05dd"
    if fmt in ("csv", "arxiv-xml"):
        title = title.replace('"', "").replace("'", "").replace("  ", " ")  # quoting is the format's business
    abstract = "We `DROP` {{ }} \\n \u202eRTL\u202c text."
    path = good_file(fmt, tmp_path, title=title, abstract=abstract)
    papers, rejects = split(path)
    assert [(p.title, p.abstract) for p in papers] == [(title, abstract)] and not rejects
