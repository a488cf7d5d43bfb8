"""Plain data passed between the pipeline stages.

Everything here is a frozen dataclass: stages take these in and give new ones back, so a
value seen in a test is the value the next stage gets.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Level = Literal["national", "province", "city", "county"]
LEVELS: tuple[Level, ...] = ("national", "province", "city", "county")


@dataclass(frozen=True)
class Jurisdiction:
    """Where a rule applies: a place of the gazetteer and its level."""

    level: Level
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class SourceSpan:
    """A 1-based, inclusive line span in an original corpus file."""

    file: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Document:
    """One policy document (a notice, or one of its attachments)."""

    id: str
    title: str
    jurisdiction: Jurisdiction
    source: SourceSpan
    number: str | None = None  # 文号, e.g. 鲁政办〔2022〕23号
    issuer: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    attachment: str | None = None  # "附件1" when the document is an attachment
    parent_id: str | None = None
    valid_until: str | None = None  # ISO date when the document states an end
    validity: str | None = None  # the sentence that states the period, verbatim

    @property
    def cited_number(self) -> str | None:
        """文号 as a citation shows it: an attachment names its parent's number and its label."""
        if self.number and self.attachment:
            return f"{self.number} {self.attachment}"
        return self.number or self.attachment


@dataclass(frozen=True)
class Clause:
    """A numbered provision of a document, with the headings above it."""

    id: str
    doc_id: str
    path: tuple[str, ...]  # headings from the top, the clause's own heading last
    label: str  # numbering path, e.g. "三、（二）"
    text: str  # verbatim source text, layout noise removed
    source: SourceSpan
    departments: str | None = None  # 牵头单位/责任单位 as the source words it
    valid_until: str | None = None  # ISO date when the clause states its own end

    @property
    def heading(self) -> str:
        return " › ".join(self.path)


@dataclass(frozen=True)
class Passage:
    """The unit that is embedded and searched: a clause, or a sentence-bounded part of one."""

    id: str
    clause_id: str
    doc_id: str
    text: str  # verbatim part of the clause text
    ordinal: int = 0

    def embed_text(self, clause: Clause, document: Document) -> str:
        """What the models see: the passage in its document and heading context."""
        context = " ".join(p for p in (document.title, *clause.path[:-1]) if p)
        return f"{context}\n{self.text}"


@dataclass(frozen=True)
class Corpus:
    """Documents, clauses and passages of a parsed corpus, with lookups by id."""

    documents: tuple[Document, ...]
    clauses: tuple[Clause, ...]
    passages: tuple[Passage, ...]
    _docs: dict[str, Document] = field(default_factory=dict, compare=False, repr=False)
    _clauses: dict[str, Clause] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._docs.update({d.id: d for d in self.documents})
        self._clauses.update({c.id: c for c in self.clauses})

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def clause(self, clause_id: str) -> Clause:
        return self._clauses[clause_id]

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc_id == doc_id]


def to_plain(value: object) -> object:
    """A dataclass as JSON-ready dicts and lists."""
    return asdict(value)  # type: ignore[arg-type]
