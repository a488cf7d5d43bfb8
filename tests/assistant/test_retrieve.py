"""Ranking as pure functions over hits."""
from assistant.retrieve import coverage, dedupe_clauses, fuse
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
