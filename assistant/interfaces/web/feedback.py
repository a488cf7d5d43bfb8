"""👍/👎 on answers, kept in SQLite with everything needed to judge them later.

A connection per call: Gradio runs handlers on worker threads, and a feedback click is rare
enough that opening the file each time costs nothing that matters.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,          -- ISO timestamp, UTC
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,     -- JSON list, as in Answer.to_dict()["citations"]
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT
)
"""


@dataclass(frozen=True)
class Feedback:
    time: str
    question: str
    answer: str
    citations: list[dict[str, object]]
    rating: int  # 1 helpful, -1 not
    comment: str | None


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(_SCHEMA)

    def add(self, question: str, answer: str, citations: Sequence[dict[str, object]], rating: int,
            comment: str | None = None) -> None:
        if rating not in (-1, 1):
            raise ValueError("rating is 1 (helpful) or -1 (not helpful)")
        row = (dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), question, answer,
               json.dumps(list(citations), ensure_ascii=False), rating, (comment or "").strip() or None)
        with closing(self._connect()) as db, db:
            db.execute("INSERT INTO feedback (time, question, answer, citations, rating, comment) VALUES (?, ?, ?, ?, ?, ?)", row)

    def all(self) -> list[Feedback]:
        """Every rating, oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT time, question, answer, citations, rating, comment FROM feedback ORDER BY id").fetchall()
        return [Feedback(t, q, a, json.loads(c), r, m) for t, q, a, c, r, m in rows]

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)
