"""Code URLs: find, clean, join broken ones, type by host, parse owner and repository."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from kg.keys import url_key

__all__ = ["FoundUrl", "find_urls", "classify"]

# An HTML anchor, a LaTeX \url / \href, or a bare URL (with or without scheme for known hosts).
_URL_CHARS = r"[^\s<>\"'{}\\|^`\[\]]"
_FIND = re.compile(
    r"<a\s(?=[^<>]{0,2000}?href\s*+=\s*+[\"'][^\"'<>]++[\"'])(?P<attrs>[^<>]{0,2000}+)>(?P<atext>[^<]{0,2000}+)</a>"
    r"|\\url\s*+\{(?P<url>[^{}]*+)\}"
    r"|\\href\s*+\{(?P<href>[^{}]*+)\}\s*+\{(?P<htext>[^{}]*+)\}"
    rf"|(?P<bare>(?:https?://|ftp://|www\.)(?:{_URL_CHARS})+"
    rf"|(?<![\w@/.-])(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org)/(?:{_URL_CHARS})+"
    # a project page without a scheme: "opencity3d.github.io", "royyang0714.github.io/3D-MOOD"
    rf"|(?<![\w@/.-])(?:[\w-]++\.)+(?:github|gitlab)\.io(?![\w-])(?:/(?:{_URL_CHARS})*+)?+)",
    re.IGNORECASE | re.DOTALL,
)
# Every pattern is linear: possessive (no backtracking) or bounded, and an anchor's tag and text
# may not hold a "<" (30 KB of repeated '<a href="' took 30 s with the lazy, unbounded form).
_HREF = re.compile(r"""href\s*+=\s*+["'](?P<anchor>[^"'<>]++)["']""", re.IGNORECASE)
# A piece after a space that continues a URL broken by the abstract's line wrapping.
_CONT = re.compile(rf"[ \t\r\n]{{1,2}}(?P<c>(?:{_URL_CHARS})+)")
_TRAIL = ".,;:!?)]}>*'\"`"
_PLACEHOLDER = re.compile(r"^this\s+(?:https?|ftp)\s+url$", re.I)
_NOT_CODE = re.compile(
    r"^(?:[\w-]+\.)*(?:arxiv\.org|doi\.org|dx\.doi\.org|youtube\.com|youtu\.be|vimeo\.com"
    r"|bilibili\.com|openreview\.net|aclweb\.org|aclanthology\.org|ieeexplore\.ieee\.org"
    r"|dl\.acm\.org|link\.springer\.com|sciencedirect\.com|creativecommons\.org|twitter\.com|x\.com)$",
    re.I,
)
_HOSTS = {
    "github.com": "github",
    "gitlab.com": "gitlab",
    "huggingface.co": "huggingface",
    "hf.co": "huggingface",
    "bitbucket.org": "bitbucket",
}
# Every alternative of _FIND needs one of these (case-insensitively): a cheap test skips the regex
# for the ~93% of abstracts without a link. _FOLDS are the non-ASCII letters IGNORECASE equates
# with i, s and k, which str.lower() does not map; a text with one of them takes the regex path.
_HINTS = ("http", "www.", "ftp://", "github.com", "gitlab.com", "huggingface.co", "hf.co/", "bitbucket.org", "github.io",
          "gitlab.io", "<a", "\\url", "\\href")
_FOLDS = ("\u0131", "\u0130", "\u017f", "\u212a")
# what a URL written without a scheme starts with: "www.", a code host, a project-page host
_SCHEMELESS = re.compile(r"www\.|(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org)(?![\w-])|(?:[\w-]++\.)+(?:github|gitlab)\.io(?![\w-])",
                         re.IGNORECASE)
# English words that follow a URL in a sentence, never the rest of a broken one
_NOT_PATH = frozenset({"to", "and", "or", "for", "the", "a", "an", "in", "on", "at", "with", "of", "is", "are", "which",
                       "that", "as", "we", "our", "code", "data", "project", "page", "website", "demo", "models"})
_GITHUB_NON_OWNERS = {"orgs", "topics", "features", "about", "collections", "sponsors", "marketplace"}


@dataclass(frozen=True, slots=True)
class FoundUrl:
    """A cleaned code URL and its span in the original text."""

    url: str
    start: int
    end: int


def _trailing(url: str) -> int:
    """How many characters at the end of ``url`` are punctuation around it, not part of it."""
    opened, closed = url.count("("), url.count(")")
    end = len(url)
    while end and url[end - 1] in _TRAIL:
        if url[end - 1] == ")":
            if opened >= closed:
                break
            closed -= 1
        end -= 1
    return len(url) - end


def _strip(url: str) -> str:
    url = url.strip()
    url = url[:len(url) - _trailing(url)]
    if url.lower().endswith(".git"):
        url = url[:-4]
    return url


def _continues(url: str, piece: str) -> bool:
    """Whether ``piece`` (after a space) is the rest of a URL the abstract broke."""
    if not re.match(r"^[\w./~%?=&#+-]+$", _strip(piece) or "!"):
        return False
    if url.endswith(("/", "-", "_", "~")) and re.match(r"^[\w~.-]", piece):
        # not the words after a URL ending in "/": "...github.io/Space-Time-Pilot/ Code: https://...", ".../ to facilitate"
        return not (piece.endswith(":") or _strip(piece).lower() in _NOT_PATH)
    if piece.startswith(("/", "-", "_")) and len(_strip(piece)) > 1:
        return True
    # "github. com/x" or "https://github.com/owner/ repo" broken after a dot
    return url.endswith(".") and bool(re.match(r"^(?:com|org|io|co|net|ai)(?:/|$)", piece))


def _may_have_url(text: str) -> bool:
    low = text.lower()
    return any(h in low for h in _HINTS) or (not text.isascii() and any(c in text for c in _FOLDS))


def find_urls(text: str) -> list[FoundUrl]:
    """Every code/model/data/project URL in ``text`` (original field text), cleaned, in order."""
    found: list[FoundUrl] = []
    if not _may_have_url(text):
        return found
    seen: set[str] = set()
    for m in _FIND.finditer(text):
        start, end = m.span()
        if m.group("attrs") is not None:
            href = _HREF.search(m.group("attrs"))
            if href is None:
                continue
            raw = href.group("anchor")
            if not _PLACEHOLDER.match(m.group("atext").strip()) and re.match(r"^(?:https?://|www\.)", m.group("atext").strip(), re.I):
                raw = m.group("atext").strip()
        elif m.group("url") is not None:
            raw = m.group("url")
        elif m.group("href") is not None:
            raw = m.group("href")
        else:
            raw = m.group("bare")
            start, end = m.span("bare")
            pieces = [raw]
            while True:
                c = _CONT.match(text, end)
                if not c or not _continues(pieces[-1], c.group("c")):
                    break
                pieces.append(c.group("c"))
                end = c.end()
            raw = "".join(pieces)
            # the bare match may swallow a LaTeX wrapper's closing brace or a sentence end: the
            # mention ends where the URL does ("github.com/a/b." -> the span without the ".")
            end -= _trailing(raw)
        raw = raw.strip()
        if _PLACEHOLDER.match(raw) or "://" not in raw and not _SCHEMELESS.match(raw):
            continue
        url = _strip(raw)
        if not url.lower().startswith(("http://", "https://", "ftp://")):
            url = "https://" + url
        try:  # a host that changes under NFKC ("\u2100"), a broken IPv6 literal: not a URL
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            continue
        if not host or "." not in host or _NOT_CODE.match(host):
            continue
        key = url_key(url)
        if key in seen:
            continue
        seen.add(key)
        found.append(FoundUrl(url, start, end))
    return found


def classify(url: str) -> tuple[str, str | None, str | None]:
    """(host type, owner, repo) of a cleaned URL: github, huggingface, gitlab, bitbucket, project-page or other."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = [p for p in parts.path.split("/") if p]
    kind = _HOSTS.get(host)
    if kind is None:
        if host.endswith((".github.io", ".gitlab.io")) or host in ("sites.google.com",):
            return "project-page", host.split(".")[0] if host.endswith(".io") else None, None
        return ("project-page" if not path or len(path) <= 3 else "other"), None, None
    if kind == "huggingface":
        if path and path[0] in ("datasets", "spaces", "collections", "papers"):
            path = path[1:]
    if not path or (kind == "github" and path[0].lower() in _GITHUB_NON_OWNERS):
        return kind, None, None
    owner = path[0]
    repo = path[1] if len(path) > 1 else None
    if repo and repo.lower().endswith(".git"):
        repo = repo[:-4]
    return kind, owner, repo
