"""What else the decline could read, compared out of fold: `python -m train declines`.

The answer path declines a case when the best reader logit of its shortlist's candidate windows is at or below the
blend's floor, or when the shortlist's relevance is weak and no reading is confident (`train.blend`). Were near
misses declined too seldom because of what that rule reads, another reading would decline more of them at the same
false refusals: the answering sentence of the top clause (the lead's sentences are scored anyway), the best
sentence of the shortlist, the two together. Each reading here gets its floor and confidence as the blend's own
(`fit_thresholds`, within the allowed false refusals), fitted on one half of the dev cases and held-out written
questions and scored on the other, then fitted on both and scored on each set, the rounds of contrast pairs
included (fitted on by none). The order is the committed blend's.

    python -m train eval-scores --split dev|held-out|contrast|contrast2   (the sentences' logits are in the rows)
    python -m train declines
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from train.blend import Reading, best_window, declined, fit_thresholds, refusals, shares


def _sentences(candidate: dict) -> float:
    return max(candidate["sentences"], default=-99.0)


READINGS: dict[str, Reading] = {  # name → the logit a shortlist (in the blended order) is declined on
    "best window (the answer path's)": best_window,
    "top clause's window": lambda shortlist: shortlist[0]["reader"],
    "top clause's best sentence": lambda shortlist: _sentences(shortlist[0]),
    "best sentence of the shortlist": lambda shortlist: max(_sentences(c) for c in shortlist),
    "best window or top clause's best sentence": lambda shortlist: max(best_window(shortlist), _sentences(shortlist[0])),
    "mean of best window and top clause's best sentence": lambda shortlist: (best_window(shortlist)
                                                                             + _sentences(shortlist[0])) / 2,
}
NEEDS_SENTENCES = {name for name in READINGS if "sentence" in name}


@dataclass(frozen=True)
class Compared:
    """One reading's decline: its floor and confidence fitted on all the fitting rows, its (refusal recall, false
    refusals) out of fold, and on each set with that floor."""

    reading: str
    floor: float
    confident: float | None
    out_of_fold: tuple[float, float]
    by_set: dict[str, tuple[float, float]]


def has_sentences(rows: Sequence[dict]) -> bool:
    """Whether the rows' read candidates carry their sentences' logits (scores written before they did do not)."""
    return all("sentences" in c for r in rows for c in r["candidates"][:1])


def compare(fitting: dict[str, list[dict]], checking: dict[str, list[dict]], weight: float, temperature: float,
            top_k: int, min_relevance: float, readings: dict[str, Reading] = READINGS) -> list[Compared]:
    """Each reading's decline, fitted on the `fitting` sets' rows (two folds, every other row of each set) and
    scored on them and on the `checking` sets'. Rows are `train eval-scores` rows as `read_rows` leaves them."""
    every = [row for rows in fitting.values() for row in rows]
    folds = [[row for rows in fitting.values() for row in rows[k::2]] for k in (0, 1)]
    compared = []
    for name, reading in readings.items():
        if name in NEEDS_SENTENCES and not has_sentences(every):
            continue
        said = []  # (answerable, declined) of each row, by the thresholds of the fold not fitted on it
        for seen, unseen in ((folds[1], folds[0]), (folds[0], folds[1])):
            floor, confident = fit_thresholds(seen, weight, top_k, min_relevance, temperature, reading)
            said += [(row["answerable"], declined(row, weight, floor, top_k, min_relevance, confident, temperature,
                                                  reading)) for row in unseen]
        floor, confident = fit_thresholds(every, weight, top_k, min_relevance, temperature, reading)
        by_set = {set_name: refusals(rows, weight, floor, top_k, min_relevance, confident, temperature, reading)
                  for set_name, rows in {**fitting, **checking}.items()}
        compared.append(Compared(name, floor, confident, shares(said), by_set))
    return compared


def table(compared: list[Compared]) -> list[str]:
    """A markdown table: each reading's floor, confidence and (refusal recall / false refusals) out of fold and by set."""
    sets = list(compared[0].by_set) if compared else []
    lines = ["| reading | floor | confident | out of fold | " + " | ".join(sets) + " |",
             "|---|---|---|---|" + "---|" * len(sets)]
    for c in compared:
        cells = [f"{c.floor:.2f}", "–" if c.confident is None else f"{c.confident:g}", _pair(c.out_of_fold),
                 *(_pair(c.by_set[s]) for s in sets)]
        lines.append(f"| {c.reading} | " + " | ".join(cells) + " |")
    return lines


def _pair(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.3f} / {figures[1]:.3f}"
