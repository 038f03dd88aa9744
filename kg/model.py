"""Typed records that pass between the stages: Paper -> Extraction -> graph -> WriteStats."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Paper",
    "Reject",
    "Notice",
    "Mention",
    "Entity",
    "CodeUrl",
    "Extraction",
    "WriteStats",
    "METHOD_ROLES",
    "DATASET_ROLES",
]

METHOD_ROLES = ("proposed", "mentioned")
DATASET_ROLES = ("introduced", "used")


def _escape(ch: str) -> str:
    """A control character (C0, DEL, C1) as ``\\xNN``, anything else as itself."""
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F else ch


def _escaped(text: str) -> str:
    return "".join(map(_escape, text))


def _where(source: str, line: int) -> str:
    # a newline or escape in a file name would split the line or drive the terminal
    return f"{_escaped(source)}:{line}"


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from a source file.

    ``key`` is the stable identity (``arxiv:2403.01234`` or ``title:<hash>``, see ``kg.keys``);
    ``source`` and ``line`` say where the record started (1-based line); ``categories`` are the
    listing's subject tags (``cs.CL``) as read, not used by extraction.
    """

    key: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    url: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    source: str = ""
    line: int = 0
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reject:
    """A record a source could not turn into a Paper: reported as ``source:line: reason``."""

    source: str
    line: int
    reason: str
    record: str = ""  # an id or the start of the title, to help the user find it

    def __str__(self) -> str:
        what = f" [{self.record}]" if self.record else ""
        if not self.line:  # about the whole file: "no papers found in FILE"
            return f"{_escaped(self.reason)}{what}"
        return f"{_where(self.source, self.line)}: {self.reason}{what}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a source changed or skipped that the user should know (a record still loads):
    reported as ``source:line: message`` (``source: message`` when ``line`` is 0)."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return f"{''.join(map(_escape, self.source))}: {self.message}"
        return f"{_where(self.source, self.line)}: {self.message}"


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an entity was found: offsets index the *original* field text (title or abstract)."""

    field: str  # "title" | "abstract"
    start: int
    end: int
    sentence: str
    rule: str


@dataclass(frozen=True, slots=True)
class Entity:
    """A method or dataset found in one paper, under one name, with every mention of it."""

    kind: str  # "Method" | "Dataset"
    key: str  # canonical key, the node identity across papers (see kg.keys.entity_key)
    name: str  # preferred name (the knowledge base's when known)
    role: str  # proposed|mentioned for methods, introduced|used for datasets
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    kb_id: str | None = None  # the knowledge-base entry it resolved to (kg.keys.kb_id), None if unknown
    long_form: str | None = None  # the long form the paper's text defines for the name, if any
    same_as: tuple[str, ...] = ()  # public IRIs of a known entity (introducing paper, Hugging Face, GitHub)


@dataclass(frozen=True, slots=True)
class CodeUrl:
    """A URL where a paper releases code, models, data or a project page."""

    url: str  # cleaned, usual form
    key: str  # normalised for identity (kg.keys.url_key)
    host: str  # "github" | "huggingface" | "gitlab" | "bitbucket" | "project-page" | "other"
    owner: str | None = None
    repo: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything the extractor found in one paper."""

    paper: Paper
    methods: tuple[Entity, ...] = ()
    datasets: tuple[Entity, ...] = ()
    code_urls: tuple[CodeUrl, ...] = ()


@dataclass(slots=True)
class WriteStats:
    """What a sink wrote: counts are of items written in this call (re-writes included)."""

    papers: int = 0
    nodes: int = 0
    relationships: int = 0
    triples: int = 0
    seconds: float = 0.0
    extra: dict[str, int] = field(default_factory=dict)

    def add(self, other: "WriteStats") -> None:
        self.papers += other.papers
        self.nodes += other.nodes
        self.relationships += other.relationships
        self.triples += other.triples
        self.seconds += other.seconds
        for k, v in other.extra.items():
            self.extra[k] = self.extra.get(k, 0) + v
