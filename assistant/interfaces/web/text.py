"""Plain text for people on the web interfaces: input problems in their language, answers in stream pieces."""
from __future__ import annotations

import re

SERVER_ERROR = "抱歉，服务暂时出了点问题，请稍后再试。"
_PIECE = re.compile(r"[^。；！？\n]*[。；！？\n]|[^。；！？\n]+")


def question_problem(question: object, max_chars: int) -> str | None:
    """Why a question cannot be asked, said to the asker in Chinese; None when it can.

    The Assistant checks the same and raises `InputError` in English for the CLI and batch; the web
    checks first so an owner reads the reason in their own language.
    """
    if not isinstance(question, str) or not question.strip():
        return "请先输入您的问题。"
    length = len(question.strip())
    if length > max_chars:
        return f"问题太长了（{length} 字），请精简到 {max_chars} 字以内再问。"
    return None


def paragraphs(text: str) -> list[str]:
    """An answer's blank-line separated parts: the lead (with any notice) first, then one per citation."""
    return text.split("\n\n")


def text_pieces(text: str) -> list[str]:
    """`text` in the pieces it is streamed in: up to and including each sentence end or line break.

    Joined, the pieces are `text` again, so a client that appends them shows the full answer.
    """
    return _PIECE.findall(text)
