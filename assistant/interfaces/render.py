"""Answer → text for terminals; the one place that decides how an answer reads outside the web."""
from __future__ import annotations

from domain.types import Answer


def answer_text(answer: Answer) -> str:
    timing = " ".join(f"{k} {v:.0f}ms" for k, v in answer.timings.items())
    return f"{answer.text}\n\n[{timing}]"
