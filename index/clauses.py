"""Parse a document body into clauses by its own numbering, and clauses into passages.

The numbering schemes (一、 / （一） / 1. / （1） / 第X条 …) take their depth from the order in
which the document first uses them, so `一、 › （一）` and `一、 › 1.` both nest correctly. A
heading with nothing of its own under it lives on in its children's paths. Department lines
(牵头单位：…/责任单位：…) and bracketed department notes are attached to their clause.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from domain.types import Clause, Passage, SourceSpan
from index.clean import Line
from index.patterns import (
    DEPARTMENT_LINE,
    DEPARTMENT_OPEN,
    NUMBERING,
    VALIDITY_HINT,
    DATE,
    PERIOD,
    PERIOD_END,
    cn_number,
    iso_date,
)

PREAMBLE = "导语"
CLOSING = "结语"
MAX_PASSAGE_CHARS = 320
SENTENCE = re.compile(r"[^。；！？]*[。；！？]?")
TITLE_STOP = re.compile(r"[。；！？，]")
CLOSED_SENTENCE = re.compile(r"[。；！？!?][”」]?$")  # a closing quote alone ends a title, not a sentence
# Printed lines of the corpus run 24–29 characters and wrap mid-sentence; its bare headings
# (三、减轻房租压力, （一）实施梯度培育工程) have at most 18.
HEADING_MAX_CHARS = 20


@dataclass
class _Node:
    scheme: str | None
    number: int
    marker: str  # the numbering as printed, e.g. （二）
    lines: list[Line] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    end: int = 0  # last source line, department lines included
    path: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    children: int = 0


def numbering(text: str) -> tuple[str, int, str] | None:
    """(scheme, number, marker) of a line that starts with a clause number."""
    for scheme, pattern in NUMBERING.items():
        match = pattern.match(text)
        if match:
            return scheme, cn_number(match.group(1)), match.group(0)
    return None


def heading_of(text: str) -> str:
    """A clause's heading: its first sentence when short, else its opening words."""
    first = re.split(r"[。；：]", text, maxsplit=1)[0]
    return first if len(first) <= 40 else first[:40] + "…"


def _join(lines: list[Line]) -> str:
    """Lines broken mid-sentence joined back; a sentence end or a bare heading keeps its break.

    A numbered first line as long as a printed line is the start of a sentence that wraps
    (一、中小微企业在2022年1月1日至2022年12月 / 31日期间…), not a heading.
    """
    text = ""
    for index, line in enumerate(lines):
        ends_sentence = CLOSED_SENTENCE.search(text)
        bare_heading = index == 1 and numbering(text) and len(text) <= HEADING_MAX_CHARS and not TITLE_STOP.search(text)
        if text and (ends_sentence or bare_heading):
            text += "\n"
        text += line.text
    return text


def bracketed_departments(text: str) -> list[str]:
    """Department notes written into the text: （责任单位：…）, (责任单位:…), 〔责任单位：…〕."""
    notes = []
    for match in DEPARTMENT_OPEN.finditer(text):
        depth = 0
        for end in range(match.start(), len(text)):
            if text[end] in "（(〔[【":
                depth += 1
            elif text[end] in "）)〕]】":
                depth -= 1
                if depth == 0:
                    notes.append(text[match.start() + 1 : end])
                    break
    return notes


def parse_clauses(doc_id: str, file: str, body: list[Line]) -> list[Clause]:
    """The clauses of one document body, in reading order."""
    nodes = _build_nodes(body)
    clauses = []
    for node in nodes:
        text = _join(node.lines)
        if node.children and len(node.lines) == 1 and len(text) <= 40:
            continue  # a heading such as 一、总体要求: it lives on in its children's paths
        if not text:
            continue
        departments = [*node.departments, *bracketed_departments(text)]
        label = "".join(node.labels) or node.path[0]
        clauses.append(
            Clause(
                id=f"{doc_id}:{label}:{body.index(node.lines[0])}",
                doc_id=doc_id,
                path=node.path,
                label=label,
                text=text,
                source=SourceSpan(file, node.lines[0].number, max(node.lines[-1].number, node.end)),
                departments="；".join(dict.fromkeys(departments)) or None,
                valid_until=stated_end(text),
            )
        )
    return clauses


def _build_nodes(body: list[Line]) -> list[_Node]:
    order: list[str] = []  # schemes by first use: their index is their depth
    last_number: dict[str, int] = {}
    stack: list[_Node] = []
    nodes: list[_Node] = [_Node(None, 0, "", path=(PREAMBLE,))]
    in_departments = False
    for line in body:
        found = numbering(line.text)
        if found and _continues_sequence(found, order, last_number, stack):
            scheme, number, marker = found
            if scheme not in order:
                order.append(scheme)
            depth = order.index(scheme)
            while stack and order.index(stack[-1].scheme) >= depth:  # type: ignore[arg-type]
                stack.pop()
            last_number[scheme] = number
            if stack:
                stack[-1].children += 1
            node = _Node(scheme, number, marker, [line])
            node.path = (*(n.path[-1] for n in stack), heading_of(line.text))
            node.labels = (*(n.marker for n in stack), marker)
            stack.append(node)
            nodes.append(node)
            in_departments = False
            continue
        current = nodes[-1]
        if DEPARTMENT_LINE.match(line.text):
            current.departments.append(line.text)
            current.end = line.number
            in_departments = True
        elif in_departments and len(line.text) < 40 and "。" not in line.text:
            current.departments[-1] += line.text  # a department list wrapped onto this line
            current.end = line.number
        else:
            if in_departments:  # text after a clause's departments: the document's closing words
                current = _Node(None, 0, "", path=(CLOSING,))
                nodes.append(current)
            current.lines.append(line)
            in_departments = False
    return nodes


def _continues_sequence(
    found: tuple[str, int, str], order: list[str], last_number: dict[str, int], stack: list[_Node]
) -> bool:
    """Whether a numbered line is a real heading and not a wrapped line that happens to start with one."""
    scheme, number, _ = found
    if scheme not in order:
        return number == 1 or not stack and number <= 2
    return number == 1 or number == last_number.get(scheme, 0) + 1


def stated_end(text: str) -> str | None:
    """The end date a text states for its measure: 执行期限至…, 有效期截至…, 自…至…."""
    for sentence in SENTENCE.findall(text.replace("\n", "")):
        hint = VALIDITY_HINT.search(sentence)
        if hint:
            end = PERIOD_END.search(sentence, hint.start())
            if end:
                return iso_date(DATE.match(end.group(1)))  # type: ignore[arg-type]
        period = PERIOD.search(sentence)
        if period:
            return iso_date(DATE.match(period.group(1)))  # type: ignore[arg-type]
    return None


def _hard_cut(sentence: str) -> list[str]:
    """An over-long sentence (a table, a list run together) in pieces of at most MAX_PASSAGE_CHARS."""
    return [sentence[i : i + MAX_PASSAGE_CHARS] for i in range(0, len(sentence), MAX_PASSAGE_CHARS)]


def split_passages(clause: Clause) -> list[Passage]:
    """A clause as passages of at most ~MAX_PASSAGE_CHARS, cut at sentence ends."""
    sentences = [
        piece
        for sentence in SENTENCE.findall(clause.text)
        if sentence.strip()
        for piece in _hard_cut(sentence)
    ]
    chunks: list[str] = []
    for sentence in sentences:
        if chunks and len(chunks[-1]) + len(sentence) <= MAX_PASSAGE_CHARS:
            chunks[-1] += sentence
        else:
            chunks.append(sentence)
    return [
        Passage(
            id=hashlib.sha1(f"{clause.id}\n{chunk}".encode()).hexdigest()[:20],
            clause_id=clause.id,
            doc_id=clause.doc_id,
            text=chunk.strip(),
            ordinal=ordinal,
        )
        for ordinal, chunk in enumerate(chunks)
    ]
