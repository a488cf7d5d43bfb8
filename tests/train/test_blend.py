"""The blend: a weight that puts the gold first more often, a floor that declines within the allowed false refusals,
and how much the query words count when the lead's sentence is chosen."""
from train.blend import (FALSE_REFUSALS_ALLOWED, declined, fit, fit_lead_words, fit_order, fit_thresholds, lead_states_fact,
                         ranking, refusals)


def candidate(rerank: float, reader: float, gold: bool = False, relevance: float = 0.7) -> dict:
    return {"rerank": rerank, "reader": reader, "gold": gold, "relevance": relevance}


def answerable(gold_first: bool) -> dict:
    gold = candidate(0.60, 3.0, gold=True)
    other = candidate(0.65 if not gold_first else 0.55, -2.0)
    return {"answerable": True, "candidates": [other, gold] if not gold_first else [gold, other]}


def out_of_scope(best_reader: float) -> dict:
    return {"answerable": False, "candidates": [candidate(0.62, best_reader), candidate(0.5, -4.0)]}


def test_the_weight_lets_the_reader_lift_a_gold_clause_the_rerank_put_second():
    rows = [answerable(gold_first=False) for _ in range(3)] + [answerable(gold_first=True)]
    assert ranking(rows, 0.0)[0] == 0.25
    weight, temperature = fit_order(rows)
    assert weight > 0 and ranking(rows, weight, temperature)[0] == 1.0


def test_a_temperature_lets_the_readers_preference_between_two_unsure_readings_count():
    # the reader doubts both, but the gold much less (−2 against −9); the rerank put it 0.10 behind
    unsure = {"answerable": True, "candidates": [candidate(0.70, -9.0), candidate(0.60, -2.0, gold=True)]}
    # a confident wrong reading must not overrule a clear rerank lead (0.15)
    misread = {"answerable": True, "candidates": [candidate(0.70, 0.0, gold=True), candidate(0.55, 3.0)]}
    rows = [unsure, misread]
    assert max(ranking(rows, w, 1.0)[0] for w in (0.2, 0.5, 0.8, 1.0)) == 0.5  # a plain sigmoid gets one of the two
    weight, temperature = fit_order(rows)
    assert temperature > 1.0 and ranking(rows, weight, temperature)[0] == 1.0


def test_the_floor_declines_out_of_scope_questions_without_declining_answerable_ones():
    rows = [answerable(True) for _ in range(40)] + [out_of_scope(-1.0) for _ in range(10)] + [out_of_scope(4.0)]
    floor, confident = fit_thresholds(rows, 0.0, top_k=5, min_relevance=0.54)
    recall, false = refusals(rows, 0.0, floor, 5, 0.54, confident)
    assert -1.0 <= floor < 3.0 and recall == 10 / 11 and false <= FALSE_REFUSALS_ALLOWED


def test_a_confident_reading_answers_what_weak_relevance_would_decline():
    # an English question whose words the lexical side cannot read: weak relevance, the reader sure of its clause
    unread = {"answerable": True, "candidates": [candidate(0.5, 6.5, True, relevance=0.45)]}
    near_miss = {"answerable": False, "candidates": [candidate(0.5, 1.0, relevance=0.45)]}
    rows = [answerable(True) for _ in range(30)] + [unread] * 3 + [near_miss] * 5 + [out_of_scope(-3.0)] * 5
    assert refusals(rows, 0.0, -2.0, 5, 0.54) == (1.0, 3 / 33)  # weak relevance declines the three
    floor, confident = fit_thresholds(rows, 0.0, top_k=5, min_relevance=0.54)
    assert confident is not None and 1.0 < confident <= 6.5
    assert refusals(rows, 0.0, floor, 5, 0.54, confident) == (1.0, 0.0)
    assert not declined(unread, 0.0, floor, 5, 0.54, confident) and declined(near_miss, 0.0, floor, 5, 0.54, confident)


def test_what_the_answer_path_declines_anyway_stays_declined():
    row = {**answerable(True), "declined otherwise": True}
    assert declined(row, 0.0, None, 5, 0.54)
    weak = {"answerable": True, "candidates": [candidate(0.6, 3.0, True, relevance=0.3)]}
    assert declined(weak, 0.0, None, 5, 0.54) and not declined(answerable(True), 0.0, None, 5, 0.54)


def test_the_fit_keeps_its_out_of_fold_figures():
    rows = [answerable(i % 2 == 0) for i in range(20)] + [out_of_scope(-1.0) for _ in range(6)]
    blend = fit(rows, candidates=10, top_k=5, min_relevance=0.54)
    assert blend.candidates == 10 and len(blend.fitted["out of fold (fitted on one half of the cases, scored on the other)"]) == 2


def test_the_query_words_a_sentence_answers_break_the_readers_near_ties_for_the_lead():
    # the reader slightly prefers the sentence naming the measure; the one stating the fact holds more query words
    near_tie = {"lead": {"reader": [2.1, 1.9], "words": [1, 3], "fact": [False, True]}}
    confident = {"lead": {"reader": [4.0, -3.0], "words": [1, 2], "fact": [True, False]}}  # words must not overrule this
    rows = [near_tie, near_tie, confident]
    assert lead_states_fact(rows, 0.0) == 1 / 3
    words = fit_lead_words(rows)
    assert 0 < words and lead_states_fact(rows, words) == 1.0


def test_the_lead_weight_is_fitted_with_its_out_of_fold_figures():
    rows = [{**answerable(True), "lead": {"reader": [2.1, 1.9], "words": [1, 3], "fact": [False, True]}} for _ in range(8)]
    blend = fit(rows, candidates=6, top_k=5, min_relevance=0.54)
    assert blend.lead_words > 0
    assert all(half["lead states a fact"] == 1.0 for half in blend.fitted["out of fold (fitted on one half of the cases, scored on the other)"])


def test_the_held_out_questions_join_the_order_and_the_decline():
    dev = [answerable(i % 2 == 0) for i in range(20)] + [out_of_scope(-1.0) for _ in range(6)]
    # near misses the reader scores low: only the held-out questions show the floor should rise to decline them
    held_out = [{**out_of_scope(0.5), "split": "held-out"} for _ in range(8)] + [
        {**answerable(True), "split": "held-out"} for _ in range(40)]
    alone, joined = fit(dev, candidates=5, top_k=5, min_relevance=0.54), fit(dev, 5, 5, 0.54, held_out=held_out)
    assert joined.floor > alone.floor and joined.fitted["held-out training questions"] == 48
    assert joined.fitted["refusal recall / false refusals by split, without / with the reader"]["held-out"][1] == [1.0, 0.0]
