"""The same question typed in 繁體 should end as it does as written: `python -m eval.forms`.

Each dev case with Chinese in it is asked twice, as written and converted to traditional characters (OpenCC
`s2t`), and every case that ends otherwise is listed: declined on one side only, another clause first, or
another lead. A difference is a fault of the reading, never of the asker (9c75ca7: OpenCC's Taiwan phrases had
read 线上审批 as 在线审批 and 执行期限 as 运行期限). Dev cases only; the test split is not read.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace

from assistant.config import Settings
from assistant.core import Assistant
from domain.text import traditional
from eval.cases import Case, load_cases


def in_traditional(case: Case) -> Case:
    """The case with its question and every turn before it in traditional characters."""
    history = [dict(turn, content=traditional(turn["content"])) for turn in case.history]
    return replace(case, question=traditional(case.question), history=history)


@dataclass(frozen=True)
class Ending:
    refused: bool
    first_clause: str | None  # the clause an answer cites first
    lead: str  # the answer's first line


def ending(assistant: Assistant, case: Case) -> Ending:
    answer = assistant.ask(case.question, history=case.history, location=case.location)
    first = answer.citations[0].clause.id if answer.citations and not answer.refused else None
    return Ending(answer.refused, first, answer.text.split("\n", 1)[0])


def differences(assistant: Assistant, cases: list[Case]) -> list[tuple[Case, Ending, Ending]]:
    """(case, as written, in 繁體) for each case whose two endings differ."""
    found = []
    for case in cases:
        written, typed = ending(assistant, case), ending(assistant, in_traditional(case))
        if written != typed:
            found.append((case, written, typed))
    return found


def convertible(cases: list[Case]) -> list[Case]:
    """The dev cases that read otherwise in traditional characters."""
    return [case for case in cases if case.split == "dev" and traditional(case.question) != case.question]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.forms", description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    assistant = Assistant.from_settings(Settings())
    cases = convertible(load_cases())
    found = differences(assistant, cases)
    print(f"{len(cases)} dev cases asked as written and in 繁體: {len(found)} end otherwise")
    for case, written, typed in found:
        print(f"- {case.id} ({case.file}): {case.question}")
        for name, end in (("written", written), ("繁體", typed)):
            state = "declined" if end.refused else f"first {end.first_clause}"
            print(f"    {name:7} {state} | {end.lead[:120]}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
