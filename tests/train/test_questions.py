"""The written questions: thousands, in many voices, with their gold clauses, and none of them an eval question."""
import json
from collections import Counter

from train.assemble import Golds, coverage_rows
from train.questions import (bigrams, corpus_lines, eval_texts, gather, jaccard, load_questions, near_paraphrases,
                             on_one_line)
from tests.conftest import RAW


def test_no_training_question_is_an_eval_question_or_a_near_paraphrase_of_one():
    questions = {row["id"]: row["question"] for row in load_questions()}
    assert near_paraphrases(questions, eval_texts()) == {}


def test_a_reworded_or_traditional_copy_of_a_question_counts_as_a_paraphrase():
    asked = "我在鲁山县开饭店，房租能减免吗？"
    assert jaccard(bigrams(asked), bigrams("我在魯山縣開飯店，房租能減免嗎")) == 1.0
    assert near_paraphrases({"a": "我在鲁山县开饭店，房租可以减免吗"}, [asked]) != {}
    assert near_paraphrases({"b": "湛河区的个体户社保能缓缴几个月？"}, [asked]) == {}


def test_there_are_thousands_of_written_questions_in_every_voice_and_hundreds_the_corpus_does_not_answer():
    rows = load_questions()
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["answerable"] >= 3000 and kinds["unanswerable"] >= 600
    assert set(Counter(r["voice"] for r in rows)) == {"owner", "hotline", "formal", "traditional", "english", "mixed",
                                                       "typo", "story"}
    assert all(r["gold"] for r in rows if r["kind"] == "answerable")
    assert all(r["nearest"] and r["why"] for r in rows if r["kind"] == "unanswerable")


def test_every_clause_is_the_gold_of_some_question(corpus):
    golds = Golds(corpus)
    rows = load_questions()
    rows += coverage_rows(golds, rows)
    covered = {clause for row in rows for clause in golds.holding(row.get("gold"))}
    assert covered == {c.id for c in corpus.clauses}


def test_every_quote_is_on_one_line_of_its_file():
    lines = corpus_lines(RAW.parent)
    for row in load_questions():
        assert on_one_line(row["gold"] or row["nearest"], lines), row["id"]


def test_gathering_keeps_a_near_miss_written_without_a_gold_field_and_drops_a_quote_off_the_corpus(tmp_path):
    answerable = {"id": "tz-0001", "question": "鲁山县个体户租国有房子，房租免几个月？", "location": "鲁山县", "voice": "owner",
                  "kind": "answerable", "gold": {"file": "000_3dda33dff82c7047.txt", "quote": "免收3个月房租，减半收取6个月房租"}}
    near_miss = {"id": "tz-0002", "question": "鲁山县个体户租国有房子，物业费也能免吗？", "location": "鲁山县", "voice": "owner",
                 "kind": "unanswerable", "why": "neighbour-figure",
                 "nearest": {"file": "000_3dda33dff82c7047.txt", "quote": "免收3个月房租，减半收取6个月房租"}}
    invented = {**answerable, "id": "tz-0003", "question": "鲁山县的房租减免发多少现金？",
                "gold": {"file": "000_3dda33dff82c7047.txt", "quote": "每户发放现金补贴一万元"}}
    (tmp_path / "tz.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (answerable, near_miss, invented)),
                                       encoding="utf-8")
    gathered = gather(tmp_path, RAW.parent)
    assert [r["id"] for r in gathered.rows] == ["tz-0001", "tz-0002"]
    assert gathered.rows[1]["gold"] is None and gathered.rows[1]["nearest"] == near_miss["nearest"]
    assert gathered.dropped["quote not in corpus"] == ["tz-0003"]
