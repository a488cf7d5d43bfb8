"""How the answer path ends on questions nothing in it was fitted on: `python -m train check`.

Four sets: the eval's dev cases, the held-out 15 % of the written training questions (`assemble.held_out_ids`),
and two rounds of contrast pairs, each answerable question beside a near miss the corpus does not answer:
`train/data/contrast.jsonl` (read while changing the answer path) and `contrast2.jsonl` (written later; only its
figures are read, so that it stays a check of the changes made on the first). For each set and each voice: refusal
recall, false refusals, hit@1 and whether the lead states the answer words, as `python -m eval` counts them. `--out FILE` keeps one row per question; `--against FILE` then lists
the questions that end otherwise than in an earlier run: a change's whole effect, question by question. The test
split is not read.
"""
from __future__ import annotations

from assistant.core import Assistant
from eval.cases import Case, load_cases, with_copies
from eval.run import gold_rank, lead_line, run_system, score
from train.scores import held_out_cases, question_cases

FIGURES = ("refusal recall", "false refusals", "hit@1", "lead states a gold fact")


def check_cases(assistant: Assistant, questions: list[dict], rounds: dict[str, list[dict]]) -> list[Case]:
    """The dev cases, the held-out written questions and each round of contrast pairs (set name → its rows), each gold
    found in every printing."""
    cases = [*(c for c in load_cases() if c.split == "dev"), *held_out_cases(questions),
             *(case for name, pairs in rounds.items() for case in question_cases(pairs, name))]
    return with_copies(cases, assistant.store.corpus)


def endings(assistant: Assistant, cases: list[Case]) -> tuple[dict[str, dict], list[dict]]:
    """The batch rows of the answer path, and for each case how it ended: declined or not, the gold's rank, the lead."""
    rows = run_system(assistant, cases)
    ended = [{"id": c.id, "set": c.split, "voice": c.file.removeprefix("train:"), "out_of_scope": not c.gold,
              "refused": rows[c.id].get("refused", False), "rank": gold_rank(c, rows[c.id].get("citations", [])) if c.gold else None,
              "lead": lead_line(rows[c.id])} for c in cases]
    return rows, ended


def table(cases: list[Case], rows: dict[str, dict]) -> list[str]:
    """One line per set and per voice within it: the four figures and how many cases they count."""
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.split, []).append(case)
        groups.setdefault(f"{case.split} · {case.file.removeprefix('train:')}", []).append(case)
    lines = [f"| {'group':<34} | {'cases':>5} | " + " | ".join(FIGURES) + " |"]
    for name in sorted(groups):
        figures = score(groups[name], rows, {})
        lines.append(f"| {name:<34} | {len(groups[name]):>5} | " + " | ".join(_figure(figures[f]) for f in FIGURES) + " |")
    return lines


def _figure(value: float) -> str:
    return "–" if value != value else f"{value:.3f}"  # a share of no cases (no near miss in the group) is NaN


def changed(before: list[dict], after: list[dict]) -> list[str]:
    """The questions that end otherwise after than before: declined or answered, the gold's rank, the lead."""
    earlier = {row["id"]: row for row in before}
    lines = []
    for row in after:
        old = earlier.get(row["id"])
        if old is None:
            continue
        moves = [f"{field} {old[field]!r} → {row[field]!r}" for field in ("refused", "rank") if old[field] != row[field]]
        if old["lead"] != row["lead"]:
            moves.append("lead changed")
        if moves:
            kind = "near miss" if row["out_of_scope"] else "answerable"
            lines.append(f"- {row['id']} ({row['set']}, {row['voice']}, {kind}): " + "; ".join(moves))
    return lines
