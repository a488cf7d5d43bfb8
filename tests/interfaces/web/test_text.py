"""Text for people: input problems said in Chinese, answers streamed in pieces that add up."""
import pytest

from assistant.interfaces.web.text import paragraphs, question_problem, text_pieces


@pytest.mark.parametrize("question, problem", [
    ("", "请先输入您的问题。"),
    ("   \n", "请先输入您的问题。"),
    (None, "请先输入您的问题。"),
    ("房租能减免吗？", None),
    ("房" * 20, None),
])
def test_empty_questions_are_refused_in_plain_words(question, problem):
    assert question_problem(question, max_chars=20) == problem


def test_an_over_long_question_is_told_its_length_and_the_limit():
    assert question_problem("房" * 21, max_chars=20) == "问题太长了（21 字），请精简到 20 字以内再问。"


def test_stream_pieces_end_at_sentences_and_lines_and_add_up_to_the_text():
    text = "据鲁山县规定：免收3个月房租。\n\n1. 【鲁山县】“减半收取；其余照旧”"
    pieces = text_pieces(text)
    assert "".join(pieces) == text
    assert pieces[:3] == ["据鲁山县规定：免收3个月房租。", "\n", "\n"]
    assert pieces[-1] == "其余照旧”"


def test_an_answer_splits_into_its_lead_and_one_paragraph_per_citation(assistant):
    answer = assistant.ask("我在鲁山县开饭店，房租能减免吗？")
    parts = paragraphs(answer.text)
    assert len(parts) == 1 + len(answer.citations)
    assert parts[0].startswith("据") and all(p.startswith(f"{n}. 【") for n, p in enumerate(parts[1:], start=1))
