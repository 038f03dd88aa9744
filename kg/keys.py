"""Identity keys: papers, entities and URLs, stable across runs, files and spellings."""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["normalise_name", "entity_key", "kb_id", "long_form_key", "defined_key", "owned_key", "name_key_of",
           "arxiv_iri", "paper_key", "arxiv_id_from", "url_key", "title_key"]

_DROP = re.compile(r"[^a-z0-9+.∞]")
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")


def normalise_name(name: str) -> str:
    """The scoring normalisation of ANNOTATION.md: NFKC, lower case, keep a-z 0-9 + . ∞, no trailing '.'."""
    s = _DROP.sub("", unicodedata.normalize("NFKC", name).lower())
    return s[:-1] if s.endswith(".") else s


def entity_key(name: str) -> str:
    """Canonical key of a method or dataset name (``CIFAR100`` and ``CIFAR-100`` share one).

    Falls back to a hash of the casefolded name when normalisation leaves nothing
    (a name written only in non-Latin script), so different names never share a key.
    """
    key = normalise_name(name)
    if key.strip("."):
        return key
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    return "u" + hashlib.sha1(folded.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def kb_id(kind: str, name: str) -> str:
    """Stable id of a knowledge-base entry: ``method:<key of its preferred name>`` (or ``dataset:``).

    It depends on the kind and the preferred name only, so adding aliases never changes it.
    """
    return f"{kind.lower()}:{entity_key(name)}"


def long_form_key(long_form: str) -> str:
    """A defined long form, normalised: lower-case words joined by ``-``, a plural ``s`` dropped
    (``Stacked Generative Adversarial Networks`` -> ``stacked-generative-adversarial-network``)."""
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", long_form).casefold())
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]
    return "-".join(words) or title_key(long_form)


def defined_key(name_key: str, long_form: str) -> str:
    """Node key of a name the text defines with a long form: ``sgan~stacked-gan`` (a sense)."""
    return f"{name_key}~{long_form_key(long_form)}"


def owned_key(name_key: str, paper: str) -> str:
    """Node key of a new method or dataset a paper proposes without a long form: ``prism@arxiv:2501.00001``."""
    return f"{name_key}@{paper}"


def name_key_of(key: str) -> str:
    """The name part of an entity node key (``prism`` of ``prism@arxiv:...`` and ``prism~...``);
    entity keys hold neither ``~`` nor ``@``, so the name part is unambiguous."""
    return re.split(r"[~@]", key, maxsplit=1)[0]


def arxiv_iri(arxiv_id: str) -> str:
    """The public IRI of an arXiv paper: ``https://arxiv.org/abs/ID``."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def title_key(title: str) -> str:
    """Key of a paper from its title alone: a hash of the casefolded words."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold())
    return hashlib.sha1(" ".join(words).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def arxiv_id_from(*values: str | None) -> str | None:
    """The arXiv identifier (no version) in any of ``values`` (an id, an abs/pdf URL), or None."""
    for v in values:
        if not v:
            continue
        m = _ARXIV_NEW.search(v)
        if m:
            return m.group(1)
        m = _ARXIV_OLD.search(v)
        if m:
            return m.group(1)
    return None


def paper_key(title: str, arxiv_id: str | None = None) -> str:
    """Stable identity of a paper: ``arxiv:<id>`` when known, else ``title:<hash of normalised title>``."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return f"title:{title_key(title)}"


def url_key(url: str) -> str:
    """URL compared as ANNOTATION.md says: lower case, no scheme, no ``www.``, ``.git`` or trailing ``/``."""
    u = url.strip().lower()
    u = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", u)
    if u.startswith("www."):
        u = u[4:]
    u = u.rstrip("/")
    if u.endswith(".git"):
        u = u[:-4]
    return u.rstrip("/")
