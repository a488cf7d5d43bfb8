"""JSONL in, JSONL out: one answer row per question row, an error row for a malformed one."""
from __future__ import annotations

import json
from typing import IO

from collections.abc import Sequence

from assistant.core import Assistant
from domain.errors import InputError

FOLLOW_UP_TURNS = 6  # the last three questions and their answers: all that a follow-up reads


def recent_turns(history: Sequence[dict[str, str]], max_chars: int) -> list[dict[str, str]]:
    """What a follow-up reads of a conversation, bounded: its last `FOLLOW_UP_TURNS` turns, each cut to
    `max_chars` (a question's most: an earlier question was no longer, and answers are only context).

    However long a client's history, the work a question costs stays that of a question or two.
    """
    return [{**turn, "content": turn["content"][:max_chars]} if isinstance(turn.get("content"), str) else turn
            for turn in history[-FOLLOW_UP_TURNS:]]


def answer_row(assistant: Assistant, row: object) -> dict[str, object]:
    """The output row for one parsed input row; raises InputError when the row is unusable."""
    if not isinstance(row, dict):
        raise InputError("a row must be a JSON object")
    history = row.get("history") or []
    if not isinstance(history, list) or not all(isinstance(t, dict) for t in history):
        raise InputError("history must be a list of {role, content} objects")
    location = row.get("location")
    if location is not None and not isinstance(location, str):
        raise InputError("location must be a place name or null")
    answer = assistant.ask(row.get("question"), history=recent_turns(history, assistant.max_question_chars),  # type: ignore[arg-type]
                           location=location)
    return {"id": row.get("id"), **answer.to_dict()}


def run_batch(assistant: Assistant, rows: IO[str], out: IO[str]) -> None:
    for number, line in enumerate(rows, start=1):
        if not line.strip():
            continue
        row_id: object = None
        try:
            row = json.loads(line)
            row_id = row.get("id") if isinstance(row, dict) else None
            result = answer_row(assistant, row)
        except (json.JSONDecodeError, InputError) as error:
            result = {"id": row_id, "error": f"line {number}: {error}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
