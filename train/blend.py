"""How the answer path uses the reader: the blend weight and the decline floor, fitted on the dev split.

    python -m train eval-scores --split dev   → eval/out/reader-dev.jsonl (the reader never saw these cases)
    python -m train blend                      → assistant/data/reader-blend.json

The weight orders: `rerank + weight · sigmoid(logit)` with the highest hit@1 (then MRR) over the dev
cases whose gold is among the candidates read. The floor declines: the lowest logit floor whose
false refusals stay within half the target (0.05 / 2, for sampling error on ~200 answerable cases)
while declining the most out-of-scope cases, counting what the answer path declines anyway (remit,
place, a detail not stated, weak relevance). Both are also fitted on each half of the cases and
scored on the other, and those out-of-fold figures are kept with the fit. The lead's sentence is
chosen by the reader's probability plus `lead_words` per query word the sentence answers
(`chosen_lead`); `lead_words` is the one most often choosing a sentence that states a fact of the
case, over the sentences of each dev case's gold quote.
"""
from __future__ import annotations

import json
from pathlib import Path

from assistant.reader import BLEND, ReaderBlend, chosen_lead
from assistant.retrieve import blended

WEIGHTS = [round(0.05 * i, 2) for i in range(21)]
FALSE_REFUSALS_ALLOWED = 0.025
LEAD_WORDS = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]
# candidates the answer path reads, the shortlist: on dev, hit@1 of the blend over all answerable cases is 0.837
# reading 5 and 0.833 reading 6 or 10, and the read stage took 83 ms median reading 6 with 2 joint layers (bench)
READ = 5


def ordered(candidates: list[dict], weight: float) -> list[dict]:
    return sorted(candidates, key=lambda c: -blended(c["rerank"], c["reader"], weight))


def ranking(rows: list[dict], weight: float) -> tuple[float, float]:
    """hit@1 and MRR over the answerable rows whose gold is among the candidates, in the blended order."""
    reachable = [r for r in rows if r["answerable"] and any(c["gold"] for c in r["candidates"])]
    ranks = [next(i for i, c in enumerate(ordered(r["candidates"], weight), 1) if c["gold"]) for r in reachable]
    return (sum(r == 1 for r in ranks) / max(1, len(ranks)), sum(1 / r for r in ranks) / max(1, len(ranks)))


def fit_weight(rows: list[dict]) -> float:
    return max(WEIGHTS, key=lambda w: (*ranking(rows, w), -w))


def lead_states_fact(rows: list[dict], lead_words: float) -> float:
    """Over the rows whose gold quote has a sentence stating a fact: how often `chosen_lead` picks one."""
    leads = [r["lead"] for r in rows if r.get("lead") and any(r["lead"]["fact"])]
    chosen = [chosen_lead(lead["reader"], lead["words"], lead_words) for lead in leads]
    return sum(lead["fact"][i] for lead, i in zip(leads, chosen)) / max(1, len(leads))


def fit_lead_words(rows: list[dict]) -> float:
    return max(LEAD_WORDS, key=lambda w: (lead_states_fact(rows, w), -w))


def declined(row: dict, weight: float, floor: float | None, top_k: int, min_relevance: float) -> bool:
    """Whether the answer path declines the case with this weight and floor (None: no reader floor)."""
    if row.get("declined otherwise", False) or not row["candidates"]:
        return True
    shortlist = ordered(row["candidates"], weight)[:top_k]
    if max(c["relevance"] for c in shortlist) < min_relevance:
        return True
    return floor is not None and max(c["reader"] for c in shortlist) <= floor


def refusals(rows: list[dict], weight: float, floor: float | None, top_k: int, min_relevance: float) -> tuple[float, float]:
    """(refusal recall over the out-of-scope rows, false refusals over the answerable rows)."""
    answerable = [declined(r, weight, floor, top_k, min_relevance) for r in rows if r["answerable"]]
    out_of_scope = [declined(r, weight, floor, top_k, min_relevance) for r in rows if not r["answerable"]]
    return sum(out_of_scope) / max(1, len(out_of_scope)), sum(answerable) / max(1, len(answerable))


def fit_floor(rows: list[dict], weight: float, top_k: int, min_relevance: float) -> float:
    """The floor declining the most out-of-scope rows within the allowed false refusals (the lowest on a tie)."""
    logits = sorted({c["reader"] for r in rows for c in r["candidates"]})
    floors = [logits[0] - 1.0] + [(a + b) / 2 for a, b in zip(logits, logits[1:])]
    best = floors[0]
    best_key = (-1.0, 0.0)
    for floor in floors:
        recall, false = refusals(rows, weight, floor, top_k, min_relevance)
        if false <= FALSE_REFUSALS_ALLOWED and (recall, -floor) > (best_key[0], best_key[1]):
            best, best_key = floor, (recall, -floor)
    return best


def fit(rows: list[dict], candidates: int, top_k: int, min_relevance: float) -> ReaderBlend:
    """The blend for a reader that reads the first `candidates` hits (at least `top_k`, so every shortlisted
    hit is read): the rows' other candidates are left out, as the answer path leaves them unread."""
    rows = [{**r, "candidates": r["candidates"][:max(candidates, top_k)]} for r in rows if "error" not in r]
    weight = fit_weight(rows)
    floor = fit_floor(rows, weight, top_k, min_relevance)
    halves = [rows[0::2], rows[1::2]]
    out_of_fold = []
    for k in (0, 1):
        seen, unseen = halves[1 - k], halves[k]
        w = fit_weight(seen)
        f = fit_floor(seen, w, top_k, min_relevance)
        words = fit_lead_words(seen)
        hit1, mrr = ranking(unseen, w)
        recall, false = refusals(unseen, w, f, top_k, min_relevance)
        out_of_fold.append({"weight": w, "floor": round(f, 4), "hit@1": round(hit1, 4), "mrr": round(mrr, 4),
                            "refusal recall": round(recall, 4), "false refusals": round(false, 4), "lead words": words,
                            "lead states a fact": round(lead_states_fact(unseen, words), 4),
                            "lead states a fact, reader alone": round(lead_states_fact(unseen, 0.0), 4)})
    lead_words = fit_lead_words(rows)
    before = refusals(rows, 0.0, None, top_k, min_relevance)
    after = refusals(rows, weight, floor, top_k, min_relevance)
    fitted = {
        "cases": len(rows), "answerable": sum(r["answerable"] for r in rows),
        "hit@1 among the candidates read, rerank alone": round(ranking(rows, 0.0)[0], 4),
        "hit@1 among the candidates read, blended": round(ranking(rows, weight)[0], 4),
        "refusal recall / false refusals without the reader": [round(v, 4) for v in before],
        "refusal recall / false refusals with the reader": [round(v, 4) for v in after],
        "lead states a fact (gold quotes), reader alone / with words": [round(lead_states_fact(rows, 0.0), 4),
                                                                        round(lead_states_fact(rows, lead_words), 4)],
        "out of fold (fitted on one half of the dev cases, scored on the other)": out_of_fold,
    }
    return ReaderBlend(candidates=candidates, weight=weight, floor=round(floor, 4), fitted=fitted, lead_words=lead_words)


def write_blend(blend: ReaderBlend, path: Path = BLEND) -> None:
    from dataclasses import asdict

    path.write_text(json.dumps(asdict(blend), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
