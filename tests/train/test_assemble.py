"""Candidate lists: the assistant's own top clauses, the gold read where it answers, hard negatives, a fixed split."""
from collections import Counter

from train.assemble import Assembler, Typist, answer_window, bare, held_out_ids
from train.questions import load_questions


def test_the_held_out_split_is_a_seeded_15_percent_of_each_slice_and_kind():
    rows = load_questions()
    held_out = held_out_ids(rows)
    assert held_out == held_out_ids(rows)
    for key, count in Counter((r["id"].split("-")[0], r["kind"]) for r in rows).items():
        chosen = sum(1 for r in rows if (r["id"].split("-")[0], r["kind"]) == key and r["id"] in held_out)
        assert abs(chosen - 0.15 * count) <= 1, key


def test_a_gold_clause_is_read_at_the_sentences_that_hold_its_answer(corpus):
    clause = next(c for c in corpus.clauses if "减半收取6个月房租" in c.text and len(c.text) > 200)
    window = answer_window(clause, ["减半收取6个月房租"])
    assert "减半收取6个月房租" in window and len(window) <= 200


def test_variants_are_seeded_typos_and_traditional_characters(corpus):
    row = {"question": "我在鲁山县开饭店，房租能减免吗？", "voice": "owner"}
    first, second = list(Typist(corpus).variants(row)), list(Typist(corpus).variants(row))
    assert first == second
    assert dict(first)["traditional"] == "我在魯山縣開飯店，房租能減免嗎？"
    assert dict(first)["noise"] != row["question"]


def test_a_question_gets_the_assistants_top_ten_its_gold_and_hard_negatives(assistant):
    row = {"id": "x-1", "question": "我在鲁山县开饭店，房租能减免吗？", "location": "鲁山县", "voice": "owner",
           "kind": "answerable", "gold": {"file": "000_3dda33dff82c7047.txt", "quote": "免收3个月房租，减半收取6个月房租"},
           "answer": "免收3个月房租，减半收取6个月房租"}
    query, candidates = Assembler(assistant).candidates(row)
    assert query.place == "鲁山县"
    ranked = [c for c in candidates if c.source == "ranked"]
    assert [c.rank for c in ranked] == list(range(1, 11))
    assert any(c.label for c in candidates) and all("减半收取6个月房租" in c.passage for c in candidates if c.label)
    elsewhere = [c for c in candidates if c.source == "other-place"]
    assert elsewhere and all(not c.label and not c.passage.startswith(("鲁山县", "平顶山市", "河南省", "国家")) for c in elsewhere)
    assert any(c.source == "heading" and not c.label for c in candidates)


def test_an_unanswerable_question_has_no_positive_and_keeps_its_nearest_clause(assistant):
    row = {"id": "x-2", "question": "县里的应急转贷资金，过桥一次收多少钱？", "location": "鲁山县", "voice": "owner",
           "kind": "unanswerable", "gold": None, "why": "detail-not-stated",
           "nearest": {"file": "000_3dda33dff82c7047.txt", "quote": "改革完善县级应急转贷资金管理制度，拓展资金的社会受益"}}
    _, candidates = Assembler(assistant).candidates(row)
    assert not any(c.label for c in candidates)
    nearest = Assembler(assistant).golds.holding(row["nearest"])
    assert set(nearest) <= {c.clause_id for c in candidates}


def test_the_gold_clauses_answering_sentence_is_set_against_its_other_sentences(assistant):
    row = {"id": "x-3", "question": "个人申请创业担保贷款，财政贴息的最高能贷多少？", "voice": "owner", "kind": "answerable",
           "gold": {"file": "004_39706f0bfb683973.txt", "quote": "可申请最高20万元的财政贴息创业担保贷款"},
           "answer": "最高20万元"}
    told = Assembler(assistant).sentences(row, ["创业", "担保", "贷款", "财政", "贴息"])
    assert [c["label"] for c in told] == [1, *[0] * (len(told) - 1)] and len(told) >= 2
    assert "最高20万元" in bare(told[0]["passage"]) and not any("最高20万元" in bare(c["passage"]) for c in told[1:])
    assert Assembler(assistant).sentences({**row, "kind": "unanswerable", "answer": None}, []) == []
