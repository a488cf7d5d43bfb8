"""Split a corpus file into documents and read each document's header.

A file may hold one notice, a notice with its attachments (附件1–3), or a compilation of
dozens of documents under level markers (国家层面 / 省级层面 / 焦作层面). A document starts at
a title: one to three lines that end like a title (…通知 / …方案 / …措施) and carry no sentence
punctuation, found at a paragraph start, optionally preceded by header lines (…文件, 文号, issuer)
or an attachment marker (附件 2). Everything here is pure: lines in, drafts out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.places import find_places, most_specific
from index.clean import Line
from index.patterns import (
    ATTACHMENT_LIST,
    ATTACHMENT_MARKER,
    DATE,
    DATE_LINE,
    DOC_NUMBER,
    FILE_HEADER,
    FOOTER_START,
    ISSUER_LINE,
    NUMBERING,
    PARENTHETICAL,
    SECTION_MARKER,
    SENTENCE_END,
    TITLE_END,
    TITLE_FORBIDDEN,
    iso_date,
)

MAX_TITLE_LINES = 3
TITLE_LENGTH = range(8, 61)


@dataclass
class DocumentDraft:
    """A document's lines and what its header says, before jurisdiction is settled."""

    title: str
    lines: list[Line]  # the whole document, header included
    body_start: int  # index into `lines` of the first line after the header
    section: str | None = None  # place named by the level marker above the document
    number: str | None = None
    issuer: str | None = None
    date: str | None = None
    attachment: str | None = None
    parent: DocumentDraft | None = field(default=None, repr=False)

    @property
    def body(self) -> list[Line]:
        """Body lines up to the footer (attachment list, 抄送, signature and date lines)."""
        body = self.lines[self.body_start :]
        for index, line in enumerate(body):
            if ATTACHMENT_LIST.match(line.text) or FOOTER_START.search(line.text):
                return body[:index]
        return [line for line in body if not DATE_LINE.match(line.text)]

    @property
    def place_hint(self) -> str | None:
        """The most specific place named by the issuer or the title, if any."""
        named = most_specific(find_places(f"{self.issuer or ''}{self.title}"))
        return named.name if named else None


def is_numbered(text: str) -> bool:
    return any(pattern.match(text) for pattern in NUMBERING.values())


def title_length_at(lines: list[Line], start: int) -> int:
    """How many lines from `start` form a title (the longest that fits), 0 when none does."""
    if start >= len(lines) or is_numbered(lines[start].text) or ATTACHMENT_LIST.match(lines[start].text):
        return 0
    best, joined = 0, ""
    for count in range(1, MAX_TITLE_LINES + 1):
        if start + count > len(lines):
            break
        text = lines[start + count - 1].text
        if count > 1 and (is_numbered(text) or _is_header(text)):
            break
        joined += text
        if TITLE_FORBIDDEN.search(joined):
            break
        if TITLE_END.search(joined) and len(joined) in TITLE_LENGTH:
            best = count
    return best


def _is_header(text: str) -> bool:
    return bool(FILE_HEADER.match(text) or DOC_NUMBER.fullmatch(text) or ISSUER_LINE.match(text))


def _starts_paragraph(lines: list[Line], index: int) -> bool:
    if index == 0:
        return True
    previous = lines[index - 1].text
    return bool(
        SENTENCE_END.search(previous)
        or SECTION_MARKER.match(previous)
        or DATE_LINE.match(previous)
        or FOOTER_START.search(previous)
    )


def _document_start(lines: list[Line], index: int) -> tuple[int, int] | None:
    """(header lines, title lines) when a document starts at `index`."""
    text = lines[index].text
    if ATTACHMENT_MARKER.match(text):
        title = title_length_at(lines, index + 1)
        return (1, title) if title else None
    if not _starts_paragraph(lines, index):
        return None
    header = 0
    while index + header < len(lines) and header < 3 and _is_header(lines[index + header].text):
        header += 1
    title = title_length_at(lines, index + header)
    return (header, title) if title else None


def split_documents(lines: list[Line]) -> list[DocumentDraft]:
    """The documents of one file, in order; text before the first title is dropped."""
    drafts: list[DocumentDraft] = []
    section: str | None = None
    parent: DocumentDraft | None = None
    index = 0
    while index < len(lines):
        text = lines[index].text
        marker = SECTION_MARKER.match(text)
        if marker:
            named = find_places(text)
            section = named[0].name if named else None
            parent = None
            index += 1  # the marker line belongs to no document
            continue
        start = _document_start(lines, index)
        if start is None:
            if drafts:
                drafts[-1].lines.append(lines[index])
            index += 1
            continue
        header, title_lines = start
        draft = _read_header(lines, index, header, title_lines)
        draft.section = section
        if draft.attachment is not None:
            draft.parent = parent
        else:
            parent = draft
        drafts.append(draft)
        index += len(draft.lines)
    for draft in drafts:
        _read_footer(draft)
    for draft in drafts:
        if draft.parent is not None and draft.parent.date is None and draft.date is not None:
            draft.parent.date = draft.date  # a notice signed after its attachments (…印发 at the file's end)
    return drafts


def _read_header(lines: list[Line], index: int, header: int, title_lines: int) -> DocumentDraft:
    header_lines = lines[index : index + header]
    title_start = index + header
    title = "".join(line.text for line in lines[title_start : title_start + title_lines])
    end = title_start + title_lines
    while end < len(lines) and PARENTHETICAL.match(lines[end].text):
        end += 1  # （豫政办〔2022〕14号，2022年2月9日） or （讨论稿） under the title
    draft = DocumentDraft(title=title, lines=list(lines[index:end]), body_start=end - index)
    marker = ATTACHMENT_MARKER.match(header_lines[0].text) if header_lines else None
    if marker:
        draft.attachment = f"附件{marker.group(1)}"
    numbers = [DOC_NUMBER.search(line.text) for line in lines[index:end]]
    draft.number = next((n.group(0) for n in numbers if n), None)
    date = DATE.search("".join(line.text for line in lines[index:end]))
    draft.date = iso_date(date) if date and date.group(3) else None
    for line in header_lines:
        issuer = FILE_HEADER.match(line.text) or ISSUER_LINE.match(line.text)
        if issuer:
            draft.issuer = issuer.group(1)
    if draft.issuer is None and "关于" in title[1:]:
        prefix = title[: title.index("关于", 1)]
        if ISSUER_LINE.match(prefix):
            draft.issuer = prefix
    return draft


def _read_footer(draft: DocumentDraft) -> None:
    """Take the date from a signature line (2022年6月5日 / …印发) when the header had none."""
    if draft.date:
        return
    for line in reversed(draft.lines[draft.body_start :]):
        match = DATE_LINE.match(line.text)
        if match:
            draft.date = iso_date(DATE.match(line.text))  # type: ignore[arg-type]
            return
