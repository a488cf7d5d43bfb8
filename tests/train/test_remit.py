"""The remit head's written requests: every kind the head declines, hard policy negatives, none an eval question."""
from collections import Counter

from assistant.remit import POLICY
from domain.lexicon import LEXICON
from train.questions import eval_texts, near_paraphrases
from train.remit import load_requests


def test_no_written_request_is_an_eval_question_or_a_near_paraphrase_of_one():
    assert near_paraphrases({row["id"]: row["text"] for row in load_requests()}, eval_texts()) == {}


def test_each_kind_has_written_requests_in_several_voices_and_a_held_out_part():
    rows = load_requests()
    kinds = Counter(row["kind"] for row in rows)
    assert set(kinds) <= {POLICY} | {kind.name for kind in LEXICON.out_of_scope}
    assert kinds[POLICY] >= 300 and all(count >= 100 for kind, count in kinds.items() if kind != POLICY)
    for kind in kinds:
        members = [row for row in rows if row["kind"] == kind]
        assert len({row["voice"] for row in members}) >= 5
        assert 0.15 <= sum(row["held_out"] for row in members) / len(members) <= 0.25
