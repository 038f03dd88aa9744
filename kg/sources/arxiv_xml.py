"""Reader for arXiv API Atom output (``<feed><entry>...``), streamed with ElementTree.iterparse."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from kg.errors import SourceError
from kg.model import Paper, Reject
from kg.sources.inputs import Input, as_input
from kg.sources._common import check_file, paper_records

__all__ = ["read_arxiv_xml"]


class _LineFeeder:
    """A binary file handed to iterparse one line per read, so ``line`` is where events occur."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.line = 0

    def read(self, size: int = -1) -> bytes:
        data = self._f.readline()
        if data:
            self.line += 1
        return data


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(elem: ET.Element | None) -> str | None:
    return "".join(elem.itertext()) if elem is not None else None


def _record(entry: ET.Element) -> dict[str, object]:
    """The fields of one Atom entry under the names ``to_paper`` knows."""
    record: dict[str, object] = {}
    authors: list[str] = []
    for child in entry:
        name = _local(child.tag)
        if name == "author":
            for sub in child:
                if _local(sub.tag) == "name":
                    authors.append(_text(sub) or "")
        elif name == "link":
            href = child.get("href")
            if href and child.get("title") == "pdf":
                record.setdefault("pdf_url", href)
            elif href and child.get("rel", "alternate") == "alternate":
                record.setdefault("abs_url", href)
        elif name in ("title", "summary", "id", "published", "updated"):
            record.setdefault(name, _text(child))
    if authors:
        record["authors"] = authors
    return record


def read_arxiv_xml(path: Input) -> Iterator[Paper | Reject]:
    """Papers from an Atom feed, one per ``<entry>``; malformed XML is a SourceError naming the line.

    Entries before a syntax error have already been yielded when the error is raised. expat does
    not fetch external entities and limits entity expansion, so a hostile feed cannot read files.
    """
    path = as_input(path)
    if check_file(path):
        return
    source = str(path)
    entries = 0
    root_tag = ""
    starts: list[int] = []
    try:
        with path.open("rb") as f:
            feeder = _LineFeeder(f)
            depth = 0
            root: ET.Element | None = None
            for event, elem in ET.iterparse(feeder, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if root is None:
                        root, root_tag = elem, _local(elem.tag)
                    elif _local(elem.tag) == "entry":
                        starts.append(feeder.line)
                    continue
                depth -= 1
                if _local(elem.tag) != "entry" or not starts:
                    continue
                entries += 1
                yield from paper_records(_record(elem), source, starts.pop())
                # Free what has been read: entries sit directly under the feed's root.
                if depth == 1 and root is not None:
                    root.clear()
                else:
                    elem.clear()
    except ET.ParseError as e:
        line, col = e.position
        what = str(e).split(": line ")[0]
        raise SourceError(
            f"{source}:{line}:{col + 1}: malformed XML: {what}; "
            "fix the file (arXiv API output is an Atom <feed> of <entry> elements)"
        ) from e
    except OSError as e:
        raise SourceError(f"{source}: cannot read the file: {e.strerror or e}") from e
    if entries == 0 and root_tag != "feed":
        raise SourceError(
            f"{source}: expected an arXiv API Atom feed (<feed> of <entry> elements); found <{root_tag}>"
        )
