"""Answers, clauses and documents → HTML for the web pages.

Every string that comes from a document or a user goes through `html.escape` here, and markup is
only ever added around escaped text, so a clause or question containing `<script>` shows as text.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from domain.types import Citation, Clause, Document
from domain.text import occurrences

LEVEL_NAMES = {"national": "国家", "province": "省级", "city": "市级", "county": "县区"}

def highlight(text: str, words: Iterable[str]) -> str:
    """Escaped `text` with each occurrence of `words` wrapped in <mark>, longest words first, no overlaps."""
    out, at = [], 0
    for start, end, _ in occurrences(text, words):
        out.append(escape(text[at:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:]))
    return "".join(out)


def place_tag(citation: Citation) -> str:
    return "国家层面" if citation.jurisdiction.level == "national" else citation.jurisdiction.name


def validity(valid_until: str | None, expired: bool) -> str:
    """How a card states the period: an ended measure says so plainly."""
    if not valid_until:
        return "未写明截止日期"
    return f"执行至 {valid_until}" + ("（已结束）" if expired else "")


def issued(document: Document) -> str:
    """文号 and date as one plain phrase; what the document does not state is said once."""
    number, date = document.cited_number, document.date
    if not number and not date:
        return "原文未标注文号和日期"
    return f"{number or '未标注文号'} · {date or '未标注日期'}"


STATUS_CLASS = {"in_force": "pt-status-ok", "trial": "pt-status-trial", "ended": "pt-status-ended",
                "draft": "pt-status-draft"}


def status_badge(citation: Citation) -> str:
    return f'<span class="pt-status {STATUS_CLASS[citation.status]}">{escape(citation.status_label)}</span>'


def citation_card(citation: Citation) -> str:
    """One citation as a card: place tag and status, title, quote, then 文号 and date (once), clause,
    department and validity. A draft's card is set apart: it is not a rule in force."""
    document, clause = citation.document, citation.clause
    section = f" · {clause.path[0]}" if len(clause.path) > 1 else ""
    facts = [
        ("出处", issued(document)),
        ("条款", clause.reference + section),
        ("负责部门", clause.departments or "未写明"),
        ("有效期", validity(citation.valid_until, citation.expired)),
    ]
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    kind = {"ended": " pt-card-expired", "draft": " pt-card-draft"}.get(citation.status, "")
    return (
        f'<div class="pt-card{kind}">'
        f'<div class="pt-card-head"><span class="pt-place">{escape(place_tag(citation))}</span>'
        f'{status_badge(citation)}</div>'
        f'<div class="pt-title">《{escape(document.title)}》</div>'
        f'<blockquote class="pt-quote">“{escape(citation.quote)}”</blockquote>'
        f'<dl class="pt-facts">{rows}</dl></div>'
    )


def answer_html(text: str, citations: Sequence[Citation]) -> str:
    """An answer for the chat: escaped text with line breaks kept, then one card per citation."""
    body = f'<div class="pt-answer">{escape(text)}</div>'
    if not citations:
        return body
    return body + '<div class="pt-cards">' + "".join(citation_card(c) for c in citations) + "</div>"


def document_html(document: Document, clauses: Sequence[Clause], focus: str | None = None,
                  words: Iterable[str] = ()) -> str:
    """A whole document for the viewer, the clause `focus` (an id) marked and its matched `words` highlighted."""
    words = tuple(words)
    status = f"{document.draft}（未正式施行）" if document.draft else ("试行" if document.trial else "")
    head = " · ".join(escape(x) for x in (document.jurisdiction.name, issued(document), document.issuer or "", status) if x)
    # a scrolling region a keyboard can reach and a screen reader can name
    parts = [f'<div class="pt-doc" tabindex="0" role="region" aria-label="文件全文：{escape(document.title)}">'
             f'<h2 class="pt-doc-title">{escape(document.title)}</h2><div class="pt-doc-meta">{head}</div>']
    for clause in clauses:
        focused = clause.id == focus
        text = highlight(clause.text, words) if focused else escape(clause.text)
        parts.append(
            f'<section class="pt-clause{" pt-focus" if focused else ""}">{text}</section>'
        )
    parts.append("</div>")
    return "".join(parts)


CSS = """
.pt-answer { white-space: pre-wrap; line-height: 1.6; }
.pt-pending { color: #4b5563; }
.pt-cards { display: grid; gap: 10px; margin-top: 10px; }
.pt-card { border: 1px solid #d9e2ec; border-left: 4px solid #1677ff; border-radius: 8px; padding: 10px 12px;
           background: #fff; color: #1f2933; }
.pt-card-expired { border-left-color: #b0b7c3; background: #f7f7f8; }
.pt-card-head { display: flex; gap: 6px; align-items: center; }
.pt-place { background: #e6f0ff; color: #0b4db3; border-radius: 4px; padding: 1px 8px; font-size: 13px; }
.pt-card-draft { border-left-color: #b54708; background: #fffaf0; }
.pt-status { border-radius: 4px; padding: 1px 8px; font-size: 13px; }
.pt-status-ok { background: #e3f5ea; color: #116b35; }
.pt-status-trial { background: #eef2ff; color: #3538cd; }
.pt-status-ended { background: #fde8e8; color: #b42318; }
.pt-status-draft { background: #fff0d9; color: #93370d; font-weight: 600; }
.pt-title { font-weight: 600; margin: 6px 0 4px; }
.pt-quote { margin: 4px 0 8px; padding-left: 8px; border-left: 2px solid #e4e7eb; color: #323f4b; }
.pt-facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; font-size: 13px; }
.pt-facts dt { color: #616e7c; } .pt-facts dd { margin: 0; }
.pt-hit { border-bottom: 1px solid #e4e7eb; padding: 8px 0; }
.pt-hit-head { font-size: 13px; color: #52606d; }
.pt-clause-text { white-space: pre-wrap; }
.pt-sentence { margin-top: 4px; }
.pt-more summary { cursor: pointer; color: #1d4ed8; font-size: 13px; margin-top: 4px; }
.pt-more .pt-clause-text { background: #f8fafc; padding: 6px 8px; border-radius: 6px; }
.pt-doc { max-height: 560px; overflow-y: auto; }
.pt-doc-title { font-size: 17px; margin: 0 0 4px; }
.pt-doc-meta { color: #52606d; font-size: 13px; margin-bottom: 8px; }
.pt-clause { padding: 6px 8px; border-radius: 6px; white-space: pre-wrap; }
.pt-focus { background: #fff7d6; outline: 2px solid #f5c518; }
#owner-thanks .progress-text, #owner-thanks .meta-text, #owner-thanks .eta-bar { display: none !important; }
mark { background: #ffe58f; color: inherit; padding: 0 1px; }
"""
