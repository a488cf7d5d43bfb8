"""The listwise objective and the held-out figures, on small made-up lists (tests never train the reader)."""
import random

import pytest
import torch

from train.fit import auc, capped, listwise_loss, metrics, sampled, sampled_sentences


def test_the_loss_falls_as_the_positive_outscores_the_others_and_none():
    labels = torch.tensor([0, 1, 0])
    none = torch.tensor(0.0)
    worse = listwise_loss(torch.tensor([2.0, 0.0, 1.0]), labels, none)
    better = listwise_loss(torch.tensor([-1.0, 3.0, -1.0]), labels, none)
    assert better < worse


def test_an_unanswerable_question_asks_for_none_above_every_candidate():
    labels = torch.tensor([0, 0])
    assert listwise_loss(torch.tensor([-3.0, -3.0]), labels, torch.tensor(1.0)) < listwise_loss(
        torch.tensor([2.0, 2.0]), labels, torch.tensor(1.0))


def test_a_training_list_keeps_positives_and_the_hard_negatives_first():
    candidates = ([{"label": 0, "source": "ranked", "rank": r} for r in range(1, 11)]
                  + [{"label": 1, "source": "gold", "rank": None}, {"label": 0, "source": "nearest", "rank": None}])
    chosen = sampled({"candidates": candidates}, 6, random.Random(0))
    assert [c["source"] for c in chosen[:2]] == ["gold", "nearest"]
    assert [c["rank"] for c in chosen[2:]] == [1, 2, 3, 4]


def test_the_step_cap_cuts_the_last_epochs_short_never_the_first():
    epochs = [list(range(10)), list(range(10, 20)), list(range(20, 30))]
    assert capped(epochs, 14) == [list(range(10)), list(range(10, 14))]
    assert capped(epochs, 30) == epochs and capped(epochs, 99) == epochs
    assert capped(epochs, 6) == [list(range(6))]


def test_auc_is_the_chance_a_positive_outscores_a_negative():
    assert auc([3, 2], [1, 0]) == 1.0 and auc([1], [1]) == 0.5 and auc([0], [1]) == 0.0


def test_held_out_figures_compare_the_reader_with_the_assistants_order():
    def candidate(label, rank, relevance):
        return {"label": label, "rank": rank, "relevance": relevance, "rerank": relevance}

    rows = [{"kind": "answerable", "candidates": [candidate(0, 1, 0.7), candidate(1, 2, 0.6)]},
            {"kind": "unanswerable", "candidates": [candidate(0, 1, 0.5), candidate(0, 2, 0.4)]}]
    figures = metrics(rows, [[0.0, 2.0], [-2.0, -1.0]], threshold=0.5)
    assert figures["hit@1 reader (top 10)"] == 1.0 and figures["hit@1 assistant (top 10)"] == 0.0
    assert figures["pair accuracy (score above the learned none logit = answers)"] == 1.0
    assert figures["AUC answerable vs unanswerable, reader max (top 10)"] == pytest.approx(1.0)
    assert figures["decline accuracy at the learned none logit"] == 1.0


def test_the_blend_weight_is_chosen_on_the_other_half_of_the_questions():
    from train.fit import blended_hit1

    rows = [{"kind": "answerable", "candidates": [{"label": 0, "rank": 1, "rerank": 0.70},
                                                  {"label": 1, "rank": 2, "rerank": 0.65}]} for _ in range(4)]
    hit1, weights = blended_hit1(rows, [[-3.0, 3.0]] * 4)
    assert hit1 == 1.0 and all(w > 0 for w in weights)


def test_the_decline_threshold_separates_best_scores_with_the_highest_balanced_accuracy():
    from train.fit import balanced_accuracy, decline_threshold

    best, answerable = [2.0, 1.5, 0.4, -1.0, -2.0], [True, True, True, False, False]
    threshold = decline_threshold(best, answerable)
    assert -1.0 < threshold < 0.4 and balanced_accuracy(best, answerable, threshold) == 1.0


def test_the_loss_over_a_rules_sentences_ignores_none_and_falls_as_the_answering_one_leads():
    labels = torch.tensor([0, 1, 0])
    worse = listwise_loss(torch.tensor([2.0, 0.0, 1.0]), labels, None)
    better = listwise_loss(torch.tensor([-1.0, 3.0, -1.0]), labels, None)
    assert better < worse
    assert listwise_loss(torch.tensor([2.0, 0.0]), torch.tensor([0, 1]), None) == pytest.approx(
        torch.log1p(torch.exp(torch.tensor(2.0))).item())


def test_a_step_reads_the_answering_sentence_and_a_sample_of_the_others():
    row = {"sentences": [{"passage": "a", "label": 1}, {"passage": "b", "label": 0}, {"passage": "c", "label": 0},
                         {"passage": "d", "label": 0}]}
    told = sampled_sentences(row, 2, random.Random(0))
    assert told[0]["passage"] == "a" and len(told) == 3 and {c["passage"] for c in told[1:]} <= {"b", "c", "d"}
    assert sampled_sentences({"candidates": []}, 2, random.Random(0)) == []


def test_training_in_bfloat16_reads_the_kept_fp16_states_and_scores_as_fp32_does(reader_assistant):
    from assistant.reader import PASSAGE_PREFIX, QUERY_PREFIX, reader_question
    from train.fit import joint_scores

    reader = reader_assistant.reader
    asked = reader.states([reader_question("房租能减免吗？", "鲁山县")], QUERY_PREFIX, 48)
    read = reader.states(["鲁山县《支持小微商贸企业个体工商户恢复发展若干措施》：免收3个月房租，减半收取6个月房租。",
                          "国家《关于促进服务业领域困难行业恢复发展的若干政策》：对民航基础设施贷款予以贴息。",
                          "焦作市《关于做好我市当前重点经济工作的若干措施》：企业可申请缓缴失业、工伤保险费3个月。"],
                         PASSAGE_PREFIX, 128)
    assert {s.dtype for s in asked + read} == {torch.float16}  # as the fit keeps them
    with torch.no_grad():
        exact = joint_scores(reader.net, asked * 3, read, bfloat16=False)
        fast = joint_scores(reader.net, asked * 3, read, bfloat16=True)
    assert fast.dtype == torch.float32
    assert fast.tolist() == pytest.approx(exact.tolist(), abs=0.3)
    assert fast.argmax() == exact.argmax() == 0


def tiny_net(coverage: bool):
    from transformers import BertConfig, BertModel

    from assistant.reader import ReaderNet

    bert = BertModel(BertConfig(hidden_size=4, num_hidden_layers=2, num_attention_heads=1, intermediate_size=8,
                                vocab_size=16))
    return ReaderNet(bert, joint_layers=1, coverage=coverage)


def test_a_question_token_no_passage_token_matches_pulls_the_coverage_down():
    """With `coverage` the head sees, beside the pair's mean states, how each question token is matched in the
    passage: a near miss differs from an answerable question in one asked detail, which a mean hides."""
    net = tiny_net(coverage=True)
    topic, place, detail = torch.eye(4)[:3]
    # question tokens, then passage tokens: the topic and the place are in the passage, the detail asked is not
    hidden = torch.stack([topic, place, detail, topic, place, topic])[None]
    asked = torch.tensor([[True, True, True, False, False, False]])
    mean, softmin = net.coverage(hidden, asked, ~asked)[0].tolist()
    assert mean == pytest.approx(2 / 3)  # untrained, every question token weighs the same
    assert softmin < 0.2 < mean  # the unmatched detail decides it (a soft minimum: within 0.1 × log 3 of 0)
    matched = torch.tensor([[True, True, False, False, False, False]])
    assert net.coverage(hidden, matched, ~asked)[0].tolist() == pytest.approx([1.0, 1.0], abs=1e-6)


def test_the_token_matcher_is_trained_and_shipped_only_when_asked_for():
    plain, covering = tiny_net(coverage=False), tiny_net(coverage=True)
    assert not any(n.startswith(("matcher.", "weigher.")) for n in plain.trained_state())
    assert {"matcher.weight", "weigher.weight", "weigher.bias"} <= set(covering.trained_state())
    questions, passages = [torch.randn(3, 4)] * 2, [torch.randn(5, 4), torch.randn(2, 4)]
    assert plain.eval().joint(questions, passages).shape == covering.eval().joint(questions, passages).shape == (2,)
