"""A question typed in 繁體 ends as it does as written."""
import opencc

from domain.text import traditional
from eval.cases import load_cases
from eval.forms import convertible, differences, in_traditional


def test_a_case_in_繁體_has_its_question_and_every_turn_before_it_converted():
    case = next(c for c in load_cases() if c.split == "dev" and c.history)
    converted = in_traditional(case)
    assert converted.question == traditional(case.question) != case.question
    assert [turn["content"] for turn in converted.history] == [traditional(turn["content"]) for turn in case.history]


def test_dev_questions_holding_words_taiwan_writes_otherwise_end_alike_in_繁體(reader_assistant):
    """The dev questions where OpenCC's Taiwan phrases would rewrite a word (线上, 执行, 新增 …): the reading once
    took 线上审批 for 在线审批 and declined it (ls-038)."""
    with_phrases, without = opencc.OpenCC("tw2sp"), opencc.OpenCC("tw2s")
    cases = [c for c in convertible(load_cases())
             if with_phrases.convert(traditional(c.question)) != without.convert(traditional(c.question))]
    assert len(cases) >= 20
    assert [(case.id, written, typed) for case, written, typed in differences(reader_assistant, cases)] == []
