"""👍/👎 ratings are kept with the question, the answer and its citations."""
import pytest

from assistant.interfaces.web.feedback import FeedbackStore


def test_a_rating_is_stored_with_question_answer_citations_and_comment(tmp_path, assistant):
    answer = assistant.ask("我在鲁山县开饭店，房租能减免吗？")
    citations = answer.to_dict()["citations"]
    store = FeedbackStore(tmp_path / "nested" / "feedback.sqlite3")
    store.add(answer.question, answer.text, citations, 1, "  很清楚  ")
    store.add("社保能缓缴吗？", "抱歉……", [], -1, "   ")
    first, second = FeedbackStore(tmp_path / "nested" / "feedback.sqlite3").all()  # a new store, the same file
    assert (first.question, first.answer, first.citations, first.rating, first.comment) == (
        answer.question, answer.text, citations, 1, "很清楚")
    assert first.time.endswith("+00:00")
    assert (second.rating, second.comment) == (-1, None)


def test_a_rating_is_thumbs_up_or_down(tmp_path):
    with pytest.raises(ValueError):
        FeedbackStore(tmp_path / "f.sqlite3").add("q", "a", [], 5)
