"""What a follow-up reads of a conversation is bounded, however long the history a client sends."""
from assistant.batch import FOLLOW_UP_TURNS, answer_row, recent_turns


def _turns(count: int, chars: int) -> list[dict[str, str]]:
    return [{"role": "user" if n % 2 == 0 else "assistant", "content": "房" * chars} for n in range(count)]


def test_only_the_last_turns_are_read_each_no_longer_than_a_question():
    kept = recent_turns(_turns(20, 4000), max_chars=500)
    assert len(kept) == FOLLOW_UP_TURNS and all(len(t["content"]) == 500 for t in kept)
    assert recent_turns(_turns(2, 10), max_chars=500) == _turns(2, 10)  # a short conversation is read whole


def test_a_follow_up_after_a_long_conversation_is_answered_as_after_its_last_exchange(assistant):
    last = [{"role": "user", "content": "鲁山县的饭店房租能减免吗？"}, {"role": "assistant", "content": "……"}]
    long = [*_turns(18, 4000), *last]
    row = answer_row(assistant, {"question": "那湛河区呢？", "history": long})
    expected = answer_row(assistant, {"question": "那湛河区呢？", "history": last})
    assert row["location"] == {"name": "湛河区", "level": "county"}
    assert row["answer"] == expected["answer"]
