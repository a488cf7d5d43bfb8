"""Loading and checking the Q&A set."""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from domain.text import without_whitespace
from domain.types import Clause, Corpus

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


def with_copies(cases: list[Case], corpus: Corpus) -> list[Case]:
    """Each gold quote also found in every other corpus file that prints the same document.

    The province's 小升规 plan is printed in its own file and again in a compilation; a case writer quoted
    one copy, and the same clause of the same document (title, jurisdiction, verbatim text) cited from
    the other copy is the same answer to the asker.
    """
    printings: dict[tuple[str, str], dict[str, list[str]]] = {}  # document → file → clause texts without whitespace
    for document in corpus.documents:
        texts = printings.setdefault((document.jurisdiction.name, document.title), {}).setdefault(document.source.file, [])
        texts.extend(without_whitespace(evidence(clause)) for clause in corpus.clauses_of(document.id))
    expanded = []
    for case in cases:
        gold = list(case.gold)
        for quote in case.gold:
            wanted = without_whitespace(quote["quote"])
            for files in printings.values():
                if len(files) > 1 and any(wanted in text for text in files.get(quote["file"], ())):
                    gold += [{"file": other, "quote": quote["quote"]} for other, texts in files.items()
                             if other != quote["file"] and any(wanted in text for text in texts)]
        expanded.append(replace(case, gold=gold) if len(gold) > len(case.gold) else case)
    return expanded


def load_cases(directory: Path = CASES_DIR) -> list[Case]:
    cases = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                cases.append(Case(**json.loads(line), file=path.name))
    return cases
