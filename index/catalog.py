"""From corpus files to a `Corpus`: documents with settled jurisdictions, clauses, passages.

Jurisdiction is decided, in order, by a reviewed override, the place named by the issuer or the
title, the parent notice (for an attachment), and the level marker of a compilation. A document
none of these place is an ingest error: a rule without a place cannot be offered to anyone.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from domain import places
from domain.lexicon import LEXICON
from domain.errors import IngestError
from domain.types import Clause, Document, Jurisdiction, SourceSpan
from index.clauses import parse_clauses, stated_end
from index.clean import clean_lines
from index.split import DocumentDraft, split_documents


@dataclass(frozen=True)
class Override:
    file: str
    title: str
    place: str | None = None
    issuer: str | None = None
    number: str | None = None
    date: str | None = None
    draft: str | None = None  # the draft marker to show (讨论稿); "" when the document is not a draft whatever it says
    trial: bool | None = None
    note: str | None = None


def load_overrides(path: Path) -> dict[tuple[str, str], Override]:
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("document", [])
    return {(e["file"], e["title"]): Override(**e) for e in entries}


def document_id(file: str, title: str, attachment: str | None) -> str:
    """Stable across edits of the text, so a changed document replaces its old passages."""
    return hashlib.sha1(f"{file}\n{attachment or ''}\n{title}".encode()).hexdigest()[:12]


def parse_text(
    text: str, file: str, overrides: dict[tuple[str, str], Override] | None = None, place: str | None = None
) -> tuple[list[Document], list[Clause]]:
    """Documents and clauses of one file's text. `place` is the jurisdiction the caller vouches for."""
    drafts = split_documents(clean_lines(text))
    if not drafts:
        raise IngestError(f"{file}: no document title found (…通知 / …方案 / …措施 at the start of a paragraph)")
    overrides = overrides or {}
    documents: list[Document] = []
    clauses: list[Clause] = []
    made: dict[int, Document] = {}
    for draft in drafts:
        override = overrides.get((file, draft.title), Override(file, draft.title))
        parent = made.get(id(draft.parent)) if draft.parent else None
        jurisdiction = _jurisdiction(draft, override, parent, place)
        if jurisdiction is None:
            raise IngestError(f"{file}: cannot tell where 《{draft.title}》 applies; pass --place or add an override")
        doc_id = document_id(file, draft.title, draft.attachment)
        body_clauses = parse_clauses(doc_id, file, draft.body)
        date = override.date or draft.date or (parent.date if parent else None)
        period, valid_until = validity(body_clauses, date)
        draft_marker, trial = stage(draft)
        document = Document(
            id=doc_id,
            title=draft.title,
            jurisdiction=jurisdiction,
            source=SourceSpan(file, draft.lines[0].number, draft.lines[-1].number),
            number=override.number or draft.number or (parent.number if parent else None),
            issuer=override.issuer or draft.issuer or (parent.issuer if parent else None),
            date=date,
            attachment=draft.attachment,
            parent_id=parent.id if parent else None,
            valid_until=valid_until,
            validity=period,
            draft=(override.draft or None) if override.draft is not None else draft_marker,
            trial=override.trial if override.trial is not None else trial,
        )
        made[id(draft)] = document
        documents.append(document)
        clauses.extend(body_clauses)
    return documents, clauses


def _jurisdiction(
    draft: DocumentDraft, override: Override, parent: Document | None, place: str | None
) -> Jurisdiction | None:
    name = override.place or place or draft.place_hint or (parent.jurisdiction.name if parent else None)
    name = name or draft.section
    return places.place(name).jurisdiction if name else None


def stage(draft: DocumentDraft) -> tuple[str | None, bool]:
    """(draft marker, on trial) as the document says of itself in its title and the bracketed lines
    under it (（讨论稿）, 《…办法（试行）》): the markers are the lexicon's; the body is not read, as
    it names other documents."""
    header = "".join(line.text for line in draft.lines[: draft.body_start])
    found = next((m for m in LEXICON.draft_markers if m in header), None)
    return found, any(m in header for m in LEXICON.trial_markers)


VALIDITY_WORDS = ("有效期", "执行期限为", "试行期", "自发布之日起", "自印发之日起")
TRIAL_PERIOD = re.compile(r"试行期\s*(\d+)\s*年")


def validity(clauses: list[Clause], issued: str | None) -> tuple[str | None, str | None]:
    """(sentence, end date) of the period a document states for itself (本措施…有效期截至…)."""
    for clause in reversed(clauses):
        for sentence in clause.text.replace("\n", "").split("。"):
            if not any(word in sentence for word in VALIDITY_WORDS):
                continue
            end = stated_end(sentence + "。")
            trial = TRIAL_PERIOD.search(sentence)
            if end is None and trial and issued:
                end = f"{int(issued[:4]) + int(trial.group(1))}{issued[4:]}"
            if end:
                return sentence + "。", end
    return None, None

