"""Text out of .txt, .pdf and .docx files; anything unreadable is an `IngestError`."""
from __future__ import annotations

from pathlib import Path

from assistant.errors import IngestError

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


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _read_docx(path: Path) -> str:
    from docx import Document

    return "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)
