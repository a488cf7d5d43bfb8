"""The contrast pairs `python -m train check` asks: answerable questions each beside a near miss, none an eval question;
and how a change's effect is listed question by question."""
from collections import Counter

import pytest

from eval.cases import Case
from train.check import changed, table
from train.questions import (CONTRAST, CONTRAST2, CONTRAST_ROUNDS, corpus_lines, eval_texts, load_questions, near_paraphrases,
                             on_one_line)
from tests.conftest import RAW


ROUNDS = pytest.mark.parametrize("path", CONTRAST_ROUNDS.values(), ids=CONTRAST_ROUNDS.keys())


@ROUNDS
def test_each_answerable_question_has_a_near_miss_in_its_voice_beside_it_and_every_voice_is_there(path):
    rows = load_questions(path)
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["answerable"] >= 350 and kinds["unanswerable"] >= 350
    assert set(Counter(r["voice"] for r in rows)) == {"owner", "hotline", "formal", "traditional", "english", "mixed",
                                                       "typo", "story"}
    pairs = [(a, b) for a, b in zip(rows, rows[1:]) if a["kind"] == "answerable" and b["kind"] == "unanswerable"]
    assert len(pairs) >= 0.95 * kinds["answerable"] and all(a["voice"] == b["voice"] for a, b in pairs)
    assert all(r["nearest"] and r["why"] and r["why_note"] for r in rows if r["kind"] == "unanswerable")


@ROUNDS
def test_no_contrast_question_is_an_eval_question_or_a_near_paraphrase_of_one(path):
    assert near_paraphrases({r["id"]: r["question"] for r in load_questions(path)}, eval_texts()) == {}


# Contrast questions like a training question (Jaccard ≥ 0.6): the five below, written in session 36 independently of
# the training questions; the second round dropped every row like a question of the first round or of training, so that
# the reader never trains on the pairs that check it and the two rounds count apart.
LIKE_EARLIER_TRAINING = {"ua-0025", "ub-0073", "ub-0119", "uc-0043", "uc-0087"}


def test_no_contrast_question_is_a_training_question_or_a_near_paraphrase_of_one_but_five_written_before_them():
    training = [row["question"] for row in load_questions()]
    contrast = {r["id"]: r["question"] for path in CONTRAST_ROUNDS.values() for r in load_questions(path)}
    assert set(near_paraphrases(contrast, training)) == LIKE_EARLIER_TRAINING
    assert near_paraphrases({r["id"]: r["question"] for r in load_questions(CONTRAST2)},
                            [r["question"] for r in load_questions(CONTRAST)]) == {}


@ROUNDS
def test_every_contrast_quote_is_on_one_line_of_its_file(path):
    lines = corpus_lines(RAW.parent)
    for row in load_questions(path):
        assert on_one_line(row.get("gold") or row["nearest"], lines), row["id"]


def _ending(qid: str, refused: bool, rank: int | None, lead: str) -> dict:
    return {"id": qid, "set": "contrast", "voice": "owner", "out_of_scope": rank is None, "refused": refused,
            "rank": rank, "lead": lead}


def test_a_question_that_ends_otherwise_is_listed_with_what_moved():
    before = [_ending("ua-0001", False, 2, "据鲁山县…"), _ending("ua-0002", False, None, "据鲁山县…"), _ending("ua-0003", True, None, "抱歉")]
    after = [_ending("ua-0001", False, 1, "据河南省…"), _ending("ua-0002", True, None, "抱歉"), _ending("ua-0003", True, None, "抱歉")]
    assert changed(before, after) == ["- ua-0001 (contrast, owner, answerable): rank 2 → 1; lead changed",
                                      "- ua-0002 (contrast, owner, near miss): refused False → True; lead changed"]


def test_the_table_counts_each_set_and_each_voice_within_it():
    def case(qid: str, gold: bool) -> Case:
        return Case(qid, "问题", [], None, "fact" if gold else "out-of-scope",
                    [{"file": "a.txt", "quote": "免收3个月房租"}] if gold else [], [], "contrast", "train:owner")

    cases = [case("a", True), case("b", False), case("c", False)]
    rows = {"a": {"refused": True, "citations": [], "answer": "抱歉"}, "b": {"refused": True, "answer": "抱歉"},
            "c": {"refused": False, "answer": "据…"}}
    lines = table(cases, rows)
    assert lines[1].startswith("| contrast ") and "|     3 | 0.500 | 1.000 | 0.000 | – |" in lines[1]
    assert lines[2].startswith("| contrast · owner ")
