"""The remit head's written requests: every kind the head declines, hard policy negatives, none an eval question."""
import os
import subprocess
import sys
from collections import Counter

from assistant.config import PROJECT_ROOT
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


def test_the_heads_inputs_are_read_the_same_whatever_the_hash_seed():
    """The fit embeds each text as `understand` reads it; a reading that followed set order (terms that sound
    alike, place names as long as each other) made `python -m train remit` differ from run to run."""
    script = ("import json; from assistant.understand import understand; from train.remit import examples; "
              "print(json.dumps([understand(e.text).search_text for e in examples()], ensure_ascii=False))")
    readings = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(readings) == 1
