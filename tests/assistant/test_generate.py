"""The optional LLM mode, driven by LangChain's fake chat model: checked words or the extractive answer."""
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.core import Assistant
from assistant.generate import Writer, unverified

QUESTION = "鲁山县开饭店，租的国有房子，房租能减免吗？"


@pytest.fixture
def extractive(assistant):
    answer = assistant.ask(QUESTION)
    assert not answer.refused
    return answer


def _with_model(assistant, replies):
    model = FakeListChatModel(responses=replies)
    return Assistant(assistant.store, assistant.model, assistant.retrieval, assistant.today, writer=Writer(model)), model


def test_a_faithful_reply_is_shown_above_the_tagged_quotes(assistant, extractive):
    quote = extractive.citations[0].quote[:20]
    llm, _ = _with_model(assistant, [f"可以。依据鲁山县的规定，“{quote}”[1]。"])
    answer = llm.ask(QUESTION)
    assert answer.mode == "llm"
    assert answer.text.startswith("可以。")
    assert extractive.citations[0].tag in answer.text  # the evidence is always appended
    assert "generate" in answer.timings


@pytest.mark.parametrize("reply", [
    "可以，“对所有个体工商户一律免收全年房租”[1]。",  # a quote the sources do not hold
    "可以，最多能减免98765元房租。",  # a figure the sources do not hold
    "",
])
def test_an_unverifiable_reply_leaves_the_extractive_answer(assistant, extractive, reply):
    llm, _ = _with_model(assistant, [reply])
    answer = llm.ask(QUESTION)
    assert answer.mode == "extractive"
    assert answer.text == extractive.text


def test_a_declined_question_never_reaches_the_model(assistant):
    llm, model = _with_model(assistant, ["编造的回答"])
    answer = llm.ask("去美国的签证怎么办理？")
    assert answer.refused and answer.mode == "extractive"
    assert model.i == 0  # the fake model's reply counter: never called


def test_a_failing_model_leaves_the_extractive_answer(assistant, extractive):
    class Broken(FakeListChatModel):
        def _call(self, *args, **kwargs):
            raise TimeoutError("endpoint timed out")

    llm = Assistant(assistant.store, assistant.model, assistant.retrieval, assistant.today, writer=Writer(Broken(responses=["x"])))
    assert llm.ask(QUESTION).text == extractive.text


def test_the_checker_ignores_layout_and_citation_marks(extractive):
    citation = extractive.citations[0]
    spaced = " ".join(citation.quote[:12])
    assert unverified(f"“{spaced}”[1]", extractive.citations) is None


def test_without_an_endpoint_there_is_no_llm_mode():
    from assistant.config import Settings

    assert Writer.from_settings(Settings(llm_base_url=None)) is None
