"""Ranking as pure functions over hits."""
import math
from dataclasses import replace

import pytest

from assistant.config import RetrievalConfig
from assistant.retrieve import coverage, dedupe_clauses, fuse, read, rerank
from assistant.understand import understand
from domain.types import Hit


def test_rare_words_weigh_more_in_coverage():
    weights = {"小升规": 5.0, "企业": 0.2}
    assert coverage(["小升规", "企业"], "对首次小升规的给予奖励", weights) > 0.9
    assert coverage(["小升规", "企业"], "企业可申请", weights) < 0.1
    assert coverage(["小升规", "企业"], "企业小升规") == 1.0


def test_fusion_keeps_every_score_and_rewards_agreement():
    sparse = [Hit("a", "A", "d", {"bm25": 9.0}), Hit("b", "B", "d", {"bm25": 5.0})]
    dense = [Hit("b", "B", "d", {"dense": 0.9}), Hit("c", "C", "d", {"dense": 0.8})]
    fused = fuse([sparse, dense])
    assert fused[0].passage_id == "b"
    assert fused[0].scores.keys() == {"bm25", "dense", "fused"}


def test_a_clause_printed_in_two_files_is_cited_once(corpus):
    by_text = {}
    for clause in corpus.clauses:
        place = corpus.document(clause.doc_id).jurisdiction.name
        by_text.setdefault((place, clause.text.replace("\n", "")), []).append(clause)
    twins = next(group for group in by_text.values() if len({c.source.file for c in group}) > 1)
    hits = [Hit(f"p{i}", c.id, c.doc_id) for i, c in enumerate(twins)]
    assert [h.clause_id for h in dedupe_clauses(hits, corpus)] == [twins[0].id]


def test_a_draft_ranks_below_a_rule_in_force_by_the_draft_penalty(corpus):
    draft = next(d for d in corpus.documents if d.draft)
    in_force = next(d for d in corpus.documents if not d.draft and d.jurisdiction == draft.jurisdiction)
    hits = [Hit(p.id, p.clause_id, p.doc_id, {"dense": 0.85, "bm25": 3.0})
            for doc in (draft, in_force) for p in corpus.passages if p.doc_id == doc.id]
    query = understand("住房公积金能缓缴吗？")
    plain = {h.passage_id: h.scores["rerank"] for h in rerank(hits, corpus, query, {}, replace(RetrievalConfig(), draft_penalty=0.0))}
    for hit in rerank(hits, corpus, query, {}, RetrievalConfig()):
        lowered = RetrievalConfig().draft_penalty if hit.doc_id == draft.id else 0.0
        assert hit.scores["rerank"] == pytest.approx(min(plain[hit.passage_id], 1.0) - lowered, abs=1e-9) \
            or plain[hit.passage_id] >= 1.0


def test_the_readers_probability_joins_the_order_of_the_hits_it_read():
    hits = [Hit("a", "A", "d", {"rerank": 0.70, "order": 0.70}), Hit("b", "B", "d", {"rerank": 0.65, "order": 0.65}),
            Hit("c", "C", "d", {"rerank": 0.60, "order": 0.60})]
    ordered = read(hits, [-3.0, 3.0], weight=0.6)
    assert [h.passage_id for h in ordered] == ["b", "a", "c"]  # c was not read: its order is its rerank
    assert ordered[0].scores["order"] == pytest.approx(0.65 + 0.6 / (1 + math.exp(-3.0)))
    assert ordered[2].scores == hits[2].scores and "reader" in ordered[1].scores
    tempered = read(hits, [-3.0, 3.0], weight=0.6, temperature=4.0)
    assert tempered[0].scores["order"] == pytest.approx(0.65 + 0.6 / (1 + math.exp(-3.0 / 4.0)))
