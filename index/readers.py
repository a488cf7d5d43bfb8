"""Text out of .txt, .pdf and .docx files; anything unreadable is an `IngestError`."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from domain.errors import IngestError

MAX_FILE_BYTES = 50 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text, one line per source line; raises IngestError when there is none to read."""
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise IngestError(f"{path}: {size} bytes is more than the {MAX_FILE_BYTES} a policy file may have")
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            text = _read_txt(path)
        elif suffix == ".pdf":
            text = _read_pdf(path)
        elif suffix == ".docx":
            text = _read_docx(path)
        else:
            raise IngestError(f"{path}: only .txt, .pdf and .docx files can be added")
    except IngestError:
        raise
    except Exception as error:  # a library's own error for a corrupt file
        raise IngestError(f"{path}: cannot be read as {suffix} ({type(error).__name__}: {error})") from error
    if not text.strip():
        raise IngestError(f"{path}: no text in the file (a scanned PDF needs OCR first)")
    return text


def _read_txt(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(f"{path}: not UTF-8 or GB18030 text")


# CJK fonts often map common characters to radical code points, so extraction yields ⼭ (U+2F2D) for
# 山 or ⺠ (U+2EA0) for 民. NFKC takes the Kangxi radicals back to their ideographs; the supplement
# block has no such mapping, so its full-character forms are listed. Nothing else is touched: NFKC
# on the whole text would rewrite the wording (full-width （ ） ： are the documents' own punctuation).
_KANGXI_RADICAL = re.compile("[\u2f00-\u2fdf\u2e9f\u2ef3]")
_SUPPLEMENT_RADICALS = str.maketrans("⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰", "民西见角贝车长门青韦页风飞马骨鬼鱼鸟麦黄齐齿龙")


def ideographs(text: str) -> str:
    """`text` with radical code points that stand for whole characters replaced by those characters."""
    text = _KANGXI_RADICAL.sub(lambda radical: unicodedata.normalize("NFKC", radical.group()), text)
    return text.translate(_SUPPLEMENT_RADICALS)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return ideographs(text)


def _read_docx(path: Path) -> str:
    from docx import Document

    return "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)
