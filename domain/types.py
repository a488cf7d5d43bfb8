"""Plain data passed between the pipeline stages.

Everything here is a frozen dataclass: stages take these in and give new ones back, so a
value seen in a test is the value the next stage gets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from domain.text import clause_reference, without_whitespace

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
    draft: str | None = None  # the draft marker it carries (讨论稿, 征求意见稿): not a rule in force
    trial: bool = False  # 试行: in force, on trial

    @property
    def cited_number(self) -> str | None:
        """文号 as a citation shows it: an attachment names its parent's number and its label. An
        attachment whose notice is not in the library has no 文号: its label alone (附件3) is not one."""
        if self.number and self.attachment:
            return f"{self.number} {self.attachment}"
        return self.number


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

    @property
    def reference(self) -> str:
        """How a citation names the clause, in the document's own numbers: 第三条第（二）项."""
        return clause_reference(self.label)


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
    _passages: dict[str, Passage] = field(default_factory=dict, compare=False, repr=False)
    _wordings: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._docs.update({d.id: d for d in self.documents})
        self._clauses.update({c.id: c for c in self.clauses})
        self._passages.update({p.id: p for p in self.passages})
        self._wordings.update({c.id: without_whitespace(c.text) for c in self.clauses})

    def document(self, doc_id: str) -> Document:
        return self._docs[doc_id]

    def clause(self, clause_id: str) -> Clause:
        return self._clauses[clause_id]

    def passage(self, passage_id: str) -> Passage:
        return self._passages[passage_id]

    def wording(self, clause_id: str) -> str:
        """The clause's text without whitespace: two printings of one measure compare equal."""
        return self._wordings[clause_id]

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc_id == doc_id]


@dataclass(frozen=True)
class Qualifier:
    """The members of a group of alternatives (`lexicon.toml` [[alternatives]]) that a question names: 县级; 商贸
    (each trade and service line); 国家级 and 省级."""

    group: str
    members: frozenset[int]
    said: str  # the question's words for them


@dataclass(frozen=True)
class Query:
    """A question understood: where the asker is, what to search for, what kind of answer is wanted."""

    question: str
    search_text: str  # the question with carried-over topic and bridged policy terms
    place: str | None  # gazetteer name of the asker's place
    place_covered: bool = True  # False: a place whose own policies are not in the corpus
    asks_local: bool = False  # asks what the asker's own county or city government gives ("区里给补贴吗")
    compared: tuple[str, ...] = ()  # places set side by side ("鲁山县和湛河区差多少"); then `place` is None
    wants: str = "rule"  # rule | department | deadline
    asks_figure: bool = False  # asks how much, how many, how long or until when: the quote should state a figure
    asks_when: bool = False  # asks when (from or by what date): the figure to state is a date
    detail: str | None = None  # a kind of detail the question asks for (see `lexicon.toml` [details]): quotes must state it
    terms: tuple[str, ...] = ()  # topic words, colloquial and policy, used by the reranker
    out_of_scope: str | None = None  # why the question is declined whatever the corpus holds
    words: tuple[str, ...] = ()  # search tokens of the question (with a follow-up's carried topic), no bridged terms
    language: Literal["zh", "en"] = "zh"  # the asker's: the lead and any refusal speak it, quotes stay the source's
    place_note: str | None = None  # how the interface's place name was read (鲁山市 → 鲁山县), shown with the answer
    qualifiers: tuple[Qualifier, ...] = ()  # the members of groups of alternatives the question names (县级)


@dataclass(frozen=True)
class Hit:
    """A passage found for a query, with every score it earned on the way."""

    passage_id: str
    clause_id: str
    doc_id: str
    scores: dict[str, float] = field(default_factory=dict)  # bm25, dense, fused, relevance, rerank, reader, order

    def with_score(self, name: str, value: float) -> Hit:
        return Hit(self.passage_id, self.clause_id, self.doc_id, {**self.scores, name: value})


@dataclass(frozen=True)
class Citation:
    quote: str  # verbatim excerpt of the clause
    jurisdiction: Jurisdiction
    document: Document
    clause: Clause
    valid_until: str | None
    expired: bool
    score: float

    @property
    def tag(self) -> str:
        """【鲁山县 · 鲁政办〔2022〕23号 附件1 · 第三条第（二）项】; without a 文号 【河南省 · 第一条】: the
        title is printed beside the tag, never inside it too. A draft says so: 【焦作市 · 讨论稿 · 第一条】."""
        place = "国家层面" if self.jurisdiction.level == "national" else self.jurisdiction.name
        parts = [place, self.document.cited_number, self.document.draft, self.clause.reference]
        return "【" + " · ".join(p for p in parts if p) + "】"

    @property
    def status(self) -> Literal["in_force", "trial", "ended", "draft"]:
        """The force of the quoted rule: a draft is not in force whatever its dates; then an ended period."""
        if self.document.draft:
            return "draft"
        if self.expired:
            return "ended"
        return "trial" if self.document.trial else "in_force"

    @property
    def status_label(self) -> str:
        """The status as the asker reads it: 现行有效, 试行, 已过期, 讨论稿（未正式施行）."""
        return {"in_force": "现行有效", "trial": "试行", "ended": "已过期",
                "draft": f"{self.document.draft}（未正式施行）"}[self.status]

    def to_dict(self) -> dict[str, object]:
        return {
            "quote": self.quote,
            "jurisdiction": {"level": self.jurisdiction.level, "name": self.jurisdiction.name},
            "document": {
                "title": self.document.title,
                "number": self.document.cited_number,
                "issuer": self.document.issuer,
                "date": self.document.date,
                "draft": self.document.draft,
            },
            "clause": self.clause.label,
            "reference": self.clause.reference,
            "status": self.status,
            "clause_path": list(self.clause.path),
            "department": self.clause.departments,
            "valid_until": self.valid_until,
            "expired": self.expired,
            "source": {
                "file": self.clause.source.file,
                "start_line": self.clause.source.start_line,
                "end_line": self.clause.source.end_line,
            },
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # lead plus tagged quotes, as shown to a user
    citations: tuple[Citation, ...]
    refused: bool
    location: Jurisdiction | None
    timings: dict[str, float] = field(default_factory=dict)  # ms per stage
    notice: str | None = None  # e.g. why it declined, or that the rule differs by place
    mode: Literal["extractive", "llm"] = "extractive"  # llm: the lead was written by a chat model and verified

    def to_dict(self) -> dict[str, object]:
        """The one serializer behind --json, batch rows and /api/ask."""
        return {
            "answer": self.text,
            "refused": self.refused,
            "location": {"name": self.location.name, "level": self.location.level} if self.location else None,
            "citations": [c.to_dict() for c in self.citations],
            "notice": self.notice,
            "mode": self.mode,
            "timings": {k: round(v, 2) for k, v in self.timings.items()},
        }
