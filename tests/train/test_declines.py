"""Comparing what the decline reads: each reading's floor fitted out of fold, then scored on every set."""
from train.declines import READINGS, compare, table


def row(answerable: bool, window: float, sentence: float | None) -> dict:
    top = {"rerank": 0.7, "reader": window, "gold": answerable, "relevance": 0.7}
    other = {"rerank": 0.5, "reader": -6.0, "gold": False, "relevance": 0.6}
    if sentence is not None:
        top, other = {**top, "sentences": [sentence, -7.0]}, {**other, "sentences": [-8.0]}
    return {"answerable": answerable, "candidates": [top, other]}


def near_misses_the_windows_cannot_tell(sentences: bool = True) -> list[dict]:
    """Answerable cases and near misses whose windows read alike (logit 1); only the answering sentence of the top
    clause tells them apart (3 against −4)."""
    return [row(True, 1.0, 3.0 if sentences else None) for _ in range(20)] + \
        [row(False, 1.0, -4.0 if sentences else None) for _ in range(10)]


def test_a_reading_that_tells_near_misses_apart_declines_them_out_of_fold_and_on_a_set_fitted_on_by_none():
    fitting = {"dev": near_misses_the_windows_cannot_tell(), "held-out": near_misses_the_windows_cannot_tell()}
    compared = {c.reading: c for c in compare(fitting, {"contrast": near_misses_the_windows_cannot_tell()},
                                              weight=0.5, temperature=1.0, top_k=5, min_relevance=0.54)}
    assert set(compared) == set(READINGS)
    windows, sentence = compared["best window (the answer path's)"], compared["top clause's best sentence"]
    assert windows.out_of_fold == (0.0, 0.0) and windows.by_set["contrast"] == (0.0, 0.0)
    assert sentence.out_of_fold == (1.0, 0.0) and sentence.by_set["contrast"] == (1.0, 0.0)
    assert -4.0 <= sentence.floor < 3.0


def test_scores_written_without_the_sentences_compare_only_the_window_readings():
    rows = near_misses_the_windows_cannot_tell(sentences=False)
    compared = compare({"dev": rows}, {}, weight=0.5, temperature=1.0, top_k=5, min_relevance=0.54)
    assert [c.reading for c in compared] == ["best window (the answer path's)", "top clause's window"]
    lines = table(compared)
    assert lines[0] == "| reading | floor | confident | out of fold | dev |" and len(lines) == 4
    assert lines[2].endswith("| 0.000 / 0.000 | 0.000 / 0.000 |")
