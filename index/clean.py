"""Layout noise of PDF-extracted text, and nothing else.

The cleaner drops page numbers and blank lines and removes whitespace that the extraction put
inside Chinese text and numbers (`1 0 0 万元` → `100万元`). It never changes a character of the
wording: a cleaned line without whitespace equals the raw line without whitespace.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from domain.text import without_whitespace

PAGE_NUMBER = re.compile(r"^[-—–－]\s*\d{1,4}\s*[-—–－]$|^第\s*\d{1,4}\s*页(\s*共\s*\d+\s*页)?$")
_SPACES = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\ufeff]+")
_ASCII_WORD = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Line:
    """A cleaned, non-empty line and its 1-based number in the raw file."""

    number: int
    text: str


def squeeze_spaces(text: str) -> str:
    """Remove whitespace runs except the ones between two Latin letters (`Wi Fi` stays)."""

    def keep_or_drop(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return " " if _ASCII_WORD.match(before) and _ASCII_WORD.match(after) else ""

    return _SPACES.sub(keep_or_drop, text)


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text.strip()))


def clean_lines(raw: str) -> list[Line]:
    """The raw file as cleaned, non-empty lines, page numbers dropped, raw line numbers kept."""
    lines = []
    for number, raw_line in enumerate(raw.splitlines(), start=1):
        text = squeeze_spaces(raw_line.strip())
        if text and not is_page_number(text):
            lines.append(Line(number, text))
    return lines


def layout_free(raw: str) -> str:
    """A raw file as the text quotes are checked against: no whitespace, no page-number lines."""
    return without_whitespace("".join(line for line in raw.splitlines() if not is_page_number(line)))
