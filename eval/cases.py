"""Loading and checking the Q&A set."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from domain.types import Clause

CASES_DIR = Path(__file__).parent / "cases"
TYPES = {"fact", "jurisdiction", "compare", "eligibility", "deadline", "department", "out-of-scope", "follow-up"}
SPLITS = {"dev", "test"}


@dataclass(frozen=True)
class Case:
    id: str
    question: str
    history: list
    location: str | None
    type: str
    gold: list  # [{"file", "quote"}]
    facts: list
    split: str
    file: str = ""  # the case file it was read from (set by `load_cases`)


def evidence(clause: Clause) -> str:
    """What a gold quote is looked for in: the clause and the department lines attached to it."""
    return clause.text + (clause.departments or "")


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(Case(**json.loads(line), file=path.name))
    return cases
