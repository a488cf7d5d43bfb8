"""The reader: base + the committed delta, checksum verified, warm and batched; the gold clause outscores a random one."""
import math
import random
import shutil

import pytest
from safetensors import safe_open

from assistant.compose import lead_candidates
from assistant.reader import BLEND, DELTA, Reader, ReaderBlend, checksum, load_delta, reader_passage, reader_question
from domain.text import is_heading, sentences
from domain.errors import ReaderNotReady
from train.assemble import Golds, answer_window
from train.questions import load_questions


@pytest.fixture(scope="module")
def reader(reader_assistant):
    return reader_assistant.reader


def test_the_committed_delta_is_a_few_mb_of_fp16_top_layers_head_and_none_logit():
    _, card = load_delta(DELTA)
    assert DELTA.stat().st_size < 20e6
    with safe_open(str(DELTA), "pt") as f:
        names = list(f.keys())
        assert {str(f.get_tensor(n).dtype) for n in names} == {"torch.float16"}
    top = {f"layers.{11 - i}." for i in range(card.joint_layers)}
    assert all(n.startswith(("head.", "none", *top)) for n in names)
    assert "none" in names and any(n.startswith("head.") for n in names)


def test_a_delta_that_does_not_match_its_checksum_is_refused(tmp_path):
    copy = tmp_path / DELTA.name
    shutil.copy(DELTA, copy)
    checksum(copy).write_text("0" * 64 + f"  {copy.name}\n", encoding="utf-8")
    with pytest.raises(ReaderNotReady, match="sha256"):
        load_delta(copy)


def test_a_missing_delta_or_base_says_what_to_run(tmp_path, reader_data_dir):
    with pytest.raises(ReaderNotReady, match="make reader"):
        load_delta(tmp_path / "none.safetensors")
    with pytest.raises(ReaderNotReady, match="reader-base"):
        Reader.load(tmp_path)


def test_scores_do_not_depend_on_what_else_is_in_the_batch(reader):
    question = reader_question("房租能减免吗？", "鲁山县")
    passages = ["鲁山县《支持小微商贸企业个体工商户恢复发展若干措施》｜减轻房租压力：免收3个月房租，减半收取6个月房租。",
                "国家《关于做好2022年服务业小微企业和个体工商户房租减免工作的通知》：请各中央企业梳理统计。"]
    together = reader.score(question, passages)
    apart = [reader.score(question, [p])[0] for p in passages]
    assert together == pytest.approx(apart, abs=1e-3)
    assert reader.score(question, []) == []


def test_a_question_is_encoded_once_for_its_candidates_and_its_lead_with_the_same_scores(reader, monkeypatch):
    question = reader_question("稳岗返还比例是多少？", "湛河区")
    passages = ["国家《关于做好失业保险稳岗位提技能防失业工作的通知》：中小微企业返还比例从60%最高提至90%。",
                "国家《关于做好失业保险稳岗位提技能防失业工作的通知》：大型企业返还比例从30%提至50%。"]
    reader.forget()
    cold = reader.score(question, passages)
    encoded = []
    monkeypatch.setattr(reader, "states", lambda texts, *rest: encoded.append(texts) or Reader.states(reader, texts, *rest))
    assert reader.score(question, passages) == cold and encoded == []  # candidates, then the lead: one encoding
    reader.score(reader_question("稳岗返还多久到账？", "湛河区"), passages)
    assert len(encoded) == 1  # another question is encoded anew


def test_the_gold_clause_outscores_a_random_clause_for_training_questions(reader, corpus):
    golds, rng = Golds(corpus), random.Random(7)
    rows = [r for r in load_questions() if r["kind"] == "answerable" and r.get("answer") and r["voice"] == "owner"]
    wins = []
    for row in rng.sample(rows, 12):
        gold = corpus.clause(golds.holding(row["gold"])[0])
        other = rng.choice([c for c in corpus.clauses if c.id not in golds.holding(row["gold"])])
        passages = [reader_passage(c, corpus.document(c.doc_id), answer_window(c, [row["answer"]]) or c.text[:150])
                    for c in (gold, other)]
        scores = reader.score(reader_question(row["question"], row["location"]), passages)
        wins.append(scores[0] > scores[1])
    assert sum(wins) >= 11, wins


def test_the_reader_reads_the_asking_part_with_the_askers_place_and_the_clause_in_its_frame(corpus):
    assert reader_question("我在魯山縣開飯店，房租能減免嗎？", "鲁山县") == "（鲁山县）我在鲁山县开饭店,房租能减免吗?"
    assert reader_question("找哪个部门？", None, [{"role": "user", "content": "房租能减免吗？"}]) == "房租能减免吗?；找哪个部门?"
    clause = next(c for c in corpus.clauses if c.departments and "房租" in c.text)
    passage = reader_passage(clause, corpus.document(clause.doc_id), "免收3个月房租。")
    assert "免收3个月房租。" in passage and clause.departments[:10] in passage


def test_the_fitted_blend_is_committed_with_what_it_was_fitted_on():
    blend = ReaderBlend.load(BLEND)
    assert 1 <= blend.candidates <= 20 and 0.0 <= blend.weight <= 1.0
    assert blend.fitted["cases"] > 300 and len(blend.fitted["out of fold (fitted on one half of the cases, scored on the other)"]) == 2
    assert blend.fitted["held-out training questions"] > 600 and blend.temperature >= 1.0
    assert blend.confident is None or blend.confident > blend.floor


def test_the_reader_reads_the_top_candidates_and_its_probability_joins_the_order(reader_assistant):
    hits = reader_assistant.search("我在鲁山县开饭店，房租能减免吗？", "鲁山县")
    blend = reader_assistant.reader.blend
    read = [h for h in hits if "reader" in h.scores]
    assert len(read) == min(blend.candidates, len(hits))
    for hit in read:
        assert hit.scores["order"] == pytest.approx(
            hit.scores["rerank"] + blend.weight / (1 + math.exp(-hit.scores["reader"] / blend.temperature)))
    assert [h.scores["order"] for h in hits] == sorted((h.scores["order"] for h in hits), reverse=True)
    assert "房租" in reader_assistant.store.corpus.clause(hits[0].clause_id).text


def test_the_lead_is_the_sentence_of_the_top_clause_the_reader_chose_never_a_heading_and_quoted(reader_assistant):
    answer = reader_assistant.ask("湛河区的商户房租能减免吗？", location="湛河区")
    assert not answer.refused
    lead = answer.text.split("\n")[0]
    top = answer.citations[0]
    said = lead.split("：", 1)[1]
    assert said in sentences(top.quote) and not is_heading(said)
    question = reader_question("湛河区的商户房租能减免吗？", "湛河区")
    assert said == reader_assistant.reader.answering(question, top.clause, top.document, lead_candidates(top.clause.text))


def test_the_reader_declines_what_the_words_alone_would_answer(reader_assistant, assistant):
    question = "我在焦作市做直播带货，主播个人有没有补贴可以领？"  # the corpus has no subsidy for streamers
    assert not assistant.ask(question, location="焦作市").refused  # words alone: some subsidy clause
    answer = reader_assistant.ask(question, location="焦作市")
    assert answer.refused and not answer.citations
    # the words found the topic: the decline names the nearest rule (not quoted: the reader read it as not answering)
    nearest = reader_assistant.search(question, "焦作市")[0]
    title = reader_assistant.store.corpus.document(nearest.doc_id).title
    assert "没有找到明确回答这个问题的条款" in answer.text and "最接近的是" in answer.text and title in answer.text
