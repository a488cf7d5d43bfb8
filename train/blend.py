"""How the answer path uses the reader: the blend's weight and temperature and the decline thresholds, fitted
on scores the reader never trained on: the dev split's and the held-out written training questions'.

    python -m train eval-scores --split dev        → eval/out/reader-dev.jsonl
    python -m train eval-scores --split held-out   → eval/out/reader-held-out.jsonl
    python -m train blend                          → assistant/data/reader-blend.json

The weight and temperature order: `rerank + weight · sigmoid(logit / temperature)` with the highest hit@1
(then MRR) over the dev cases and held-out questions whose gold is among the candidates read (the held-out
questions are more than twice as many, in eight voices). Two thresholds decline: the floor (no shortlisted
hit's logit above it: declined) and the confidence (a shortlisted hit's logit at or above it answers even when
the relevance of the lexical and cosine scores is weak: the reader reads what an English question's words or
a story's wording hide from them). They are the pair declining the most out-of-scope cases while false
refusals stay within half the target (0.05 / 2, for sampling error), counting what the answer path
declines anyway (remit, place, a detail not stated), over the dev cases and the held-out questions
together (dev alone has 114 out-of-scope cases, the held-out questions add 106 near misses in eight
voices). All are also fitted on each half of the cases and
scored on the other, and those out-of-fold figures are kept with the fit. The lead's sentence is chosen
by the reader's probability plus `lead_words` per query word the sentence answers (`chosen_lead`);
`lead_words` is the one most often choosing a sentence that states a fact of the case, over the
`lead_candidates` of the gold clause of each dev case and each held-out question (whose fact is the
corpus words its writer said answer it).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.reader import BLEND, ReaderBlend, chosen_lead
from assistant.retrieve import blended

WEIGHTS = [round(0.05 * i, 2) for i in range(21)]
TEMPERATURES = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0]
FALSE_REFUSALS_ALLOWED = 0.025
CONFIDENT = [None, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0]  # logits tried as the confidence (None: never trusted alone)
LEAD_WORDS = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]
# candidates the answer path reads, the shortlist: on dev, hit@1 of the blend over all answerable cases is 0.837
# reading 5 and 0.833 reading 6 or 10, and the read stage took 83 ms median reading 6 with 2 joint layers (bench)
READ = 5


def ordered(candidates: list[dict], weight: float, temperature: float = 1.0) -> list[dict]:
    return sorted(candidates, key=lambda c: -blended(c["rerank"], c["reader"], weight, temperature))


def ranking(rows: list[dict], weight: float, temperature: float = 1.0) -> tuple[float, float]:
    """hit@1 and MRR over the answerable rows whose gold is among the candidates, in the blended order."""
    reachable = [r for r in rows if r["answerable"] and any(c["gold"] for c in r["candidates"])]
    ranks = [next(i for i, c in enumerate(ordered(r["candidates"], weight, temperature), 1) if c["gold"])
             for r in reachable]
    return (sum(r == 1 for r in ranks) / max(1, len(ranks)), sum(1 / r for r in ranks) / max(1, len(ranks)))


def fit_order(rows: list[dict]) -> tuple[float, float]:
    """The weight and temperature ranking the gold first most often (then by MRR; then the smaller weight, the
    lower temperature)."""
    pairs = [(w, t) for w in WEIGHTS for t in TEMPERATURES]
    return max(pairs, key=lambda pair: (*ranking(rows, *pair), -pair[0], -pair[1]))


def lead_states_fact(rows: list[dict], lead_words: float) -> float:
    """Over the rows whose gold clause has a lead candidate stating a fact: how often `chosen_lead` picks one."""
    leads = [r["lead"] for r in rows if r.get("lead") and any(r["lead"]["fact"])]
    chosen = [chosen_lead(lead["reader"], lead["words"], lead_words) for lead in leads]
    return sum(lead["fact"][i] for lead, i in zip(leads, chosen)) / max(1, len(leads))


def fit_lead_words(rows: list[dict]) -> float:
    return max(LEAD_WORDS, key=lambda w: (lead_states_fact(rows, w), -w))


Reading = Callable[[list[dict]], float]  # what a decline reads of a shortlist (in the blended order): one logit


def best_window(shortlist: list[dict]) -> float:
    """The reading the answer path declines on: the best logit of the shortlist's candidate windows."""
    return max(c["reader"] for c in shortlist)


def evidence(row: dict, weight: float, top_k: int, min_relevance: float, temperature: float = 1.0,
             reading: Reading = best_window) -> tuple[bool, float, bool]:
    """What the decline reads of a case: whether the reader's thresholds decide it (the answer path does not
    decline it anyway, and it has candidates), the `reading` of its shortlist, and whether the shortlist's
    relevance is weak (below `min_relevance`)."""
    shortlist = ordered(row["candidates"], weight, temperature)[:top_k]
    if row.get("declined otherwise", False) or not shortlist:
        return False, -99.0, True
    return True, reading(shortlist), max(c["relevance"] for c in shortlist) < min_relevance


def declined(row: dict, weight: float, floor: float | None, top_k: int, min_relevance: float,
             confident: float | None = None, temperature: float = 1.0,
             reading: Reading = best_window) -> bool:
    """Whether the answer path declines the case with this order, floor and confidence (None: no reader floor;
    no confident reading)."""
    decided, best, weak = evidence(row, weight, top_k, min_relevance, temperature, reading)
    return not decided or (floor is not None and best <= floor) or (weak and (confident is None or best < confident))


def refusals(rows: list[dict], weight: float, floor: float | None, top_k: int, min_relevance: float,
             confident: float | None = None, temperature: float = 1.0,
             reading: Reading = best_window) -> tuple[float, float]:
    """(refusal recall over the out-of-scope rows, false refusals over the answerable rows)."""
    return shares([(r["answerable"], declined(r, weight, floor, top_k, min_relevance, confident, temperature, reading))
                   for r in rows])


def shares(said: Sequence[tuple[bool, bool]]) -> tuple[float, float]:
    """(refusal recall, false refusals) of (answerable, declined) pairs."""
    answerable = [out for able, out in said if able]
    out_of_scope = [out for able, out in said if not able]
    return sum(out_of_scope) / max(1, len(out_of_scope)), sum(answerable) / max(1, len(answerable))


def fit_thresholds(rows: list[dict], weight: float, top_k: int, min_relevance: float, temperature: float = 1.0,
                   reading: Reading = best_window) -> tuple[float, float | None]:
    """The floor and the confidence declining the most out-of-scope rows within the allowed false refusals
    (then the fewest false refusals, the lowest floor, the least confident reading trusted: None, never)."""
    import numpy as np

    read = [evidence(r, weight, top_k, min_relevance, temperature, reading) for r in rows]
    decided = np.array([d for d, _, _ in read], dtype=bool)
    best = np.array([b for _, b, _ in read], dtype=float)
    weak = np.array([w for _, _, w in read], dtype=bool)
    answerable = np.array([r["answerable"] for r in rows], dtype=bool)
    logits = np.unique(best[decided])
    floors = np.concatenate([[logits[0] - 1.0], (logits[1:] + logits[:-1]) / 2]) if len(logits) else np.array([-99.0])
    chosen, chosen_key = (float(floors[0]), None), None
    for confidence in CONFIDENT:
        trusted = best >= confidence if confidence is not None else np.zeros_like(weak)
        # rows × floors: `declined` for every floor at once
        out = ~decided[:, None] | (best[:, None] <= floors[None, :]) | (weak & ~trusted)[:, None]
        recall = out[~answerable].mean(axis=0) if (~answerable).any() else np.zeros(len(floors))
        false = out[answerable].mean(axis=0) if answerable.any() else np.zeros(len(floors))
        for i in np.flatnonzero(false <= FALSE_REFUSALS_ALLOWED):
            key = (round(float(recall[i]), 9), -round(float(false[i]), 9), -float(floors[i]),
                   confidence if confidence is not None else 99.0)
            if chosen_key is None or key > chosen_key:
                chosen, chosen_key = (float(floors[i]), confidence), key
    return chosen


def read_rows(rows: Sequence[dict], candidates: int, top_k: int) -> list[dict]:
    """`train eval-scores` rows as the answer path reads them: cut to the first `candidates` hits (at least `top_k`,
    so every shortlisted hit is read; the others are left unread), those the question could not be asked of left out."""
    return [{**r, "candidates": r["candidates"][:max(candidates, top_k)]} for r in rows if "error" not in r]


def fit(rows: list[dict], candidates: int, top_k: int, min_relevance: float, held_out: list[dict] = ()) -> ReaderBlend:
    """The blend for a reader that reads the first `candidates` hits (at least `top_k`, so every shortlisted
    hit is read): the rows' other candidates are left out, as the answer path leaves them unread. The order
    and the decline thresholds and the lead words are fitted on `rows` (the dev cases) and `held_out` (the
    held-out training questions: more questions, in more voices, than dev has)."""
    rows, held_out = read_rows(rows, candidates, top_k), read_rows(held_out, candidates, top_k)
    every = rows + held_out
    weight, temperature = fit_order(every)
    floor, confident = fit_thresholds(every, weight, top_k, min_relevance, temperature)
    out_of_fold = []
    for k in (0, 1):
        seen, unseen = rows[1 - k::2] + held_out[1 - k::2], rows[k::2] + held_out[k::2]
        w, t = fit_order(seen)
        f, c = fit_thresholds(seen, w, top_k, min_relevance, t)
        words = fit_lead_words(seen)
        hit1, mrr = ranking(unseen, w, t)
        dev_hit1 = ranking(rows[k::2], w, t)[0]
        recall, false = refusals(unseen, w, f, top_k, min_relevance, c, t)
        out_of_fold.append({"weight": w, "temperature": t, "floor": round(f, 4), "confident": c,
                            "hit@1": round(hit1, 4), "hit@1 on dev": round(dev_hit1, 4), "mrr": round(mrr, 4),
                            "refusal recall": round(recall, 4), "false refusals": round(false, 4), "lead words": words,
                            "lead states a fact": round(lead_states_fact(rows[k::2], words), 4),
                            "lead states a fact, reader alone": round(lead_states_fact(rows[k::2], 0.0), 4),
                            "lead states a fact, held-out": round(lead_states_fact(held_out[k::2], words), 4)})
    lead_words = fit_lead_words(every)
    splits: dict[str, list[dict]] = {}
    for row in every:
        splits.setdefault(row.get("split", "dev"), []).append(row)
    by_split = {split: [[round(v, 4) for v in refusals(part, 0.0, None, top_k, min_relevance)],
                        [round(v, 4) for v in refusals(part, weight, floor, top_k, min_relevance, confident, temperature)]]
                for split, part in splits.items()}
    fitted = {
        "cases": len(rows), "answerable": sum(r["answerable"] for r in rows),
        "held-out training questions": len(held_out),
        "hit@1 among the candidates read, rerank alone (dev / held-out)": [
            round(ranking(part, 0.0)[0], 4) for part in (rows, held_out)],
        "hit@1 among the candidates read, blended (dev / held-out)": [
            round(ranking(part, weight, temperature)[0], 4) for part in (rows, held_out)],
        "refusal recall / false refusals without the reader": [round(v, 4) for v in refusals(every, 0.0, None, top_k, min_relevance)],
        "refusal recall / false refusals with the reader": [
            round(v, 4) for v in refusals(every, weight, floor, top_k, min_relevance, confident, temperature)],
        "refusal recall / false refusals by split, without / with the reader": by_split,
        "lead states a fact (gold clauses), reader alone / with words (dev / held-out)": [
            [round(lead_states_fact(part, 0.0), 4), round(lead_states_fact(part, lead_words), 4)] for part in (rows, held_out)],
        "out of fold (fitted on one half of the cases, scored on the other)": out_of_fold,
    }
    return ReaderBlend(candidates=candidates, weight=weight, floor=round(floor, 4), fitted=fitted, lead_words=lead_words,
                       confident=confident, temperature=temperature)


def write_blend(blend: ReaderBlend, path: Path = BLEND) -> None:
    from dataclasses import asdict

    path.write_text(json.dumps(asdict(blend), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
