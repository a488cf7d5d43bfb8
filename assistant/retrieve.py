"""Retrieval as small pure functions over `Hit`s; every hit keeps every score it earned.

    bm25 + dense → fuse (reciprocal rank) → keep_applicable → rerank → dedupe_clauses

The reranker is lexical and structural (no Chinese cross-encoder ships in a reachable package):
it blends the dense cosine with how much of the question's vocabulary the clause covers, and
gives that absolute score, not the scale-free fused rank, the say on "nothing relevant".
"""
from __future__ import annotations

from collections.abc import Iterable

from assistant import places
from assistant.types import LEVELS, Corpus, Hit

DENSE_FLOOR, DENSE_CEILING = 0.78, 0.90  # e5 cosines of unrelated and of on-topic Chinese pairs


def hits_from_scores(pairs: Iterable[tuple[str, float]], score: str, corpus_passages: dict) -> list[Hit]:
    hits = []
    for passage_id, value in pairs:
        passage = corpus_passages[passage_id]
        hits.append(Hit(passage_id, passage.clause_id, passage.doc_id, {score: value}))
    return hits


def fuse(ranked_lists: list[list[Hit]], k: int = 60) -> list[Hit]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the lists, scores of every list kept."""
    merged: dict[str, Hit] = {}
    fused: dict[str, float] = {}
    for hits in ranked_lists:
        for rank, hit in enumerate(hits, start=1):
            known = merged.get(hit.passage_id)
            merged[hit.passage_id] = Hit(
                hit.passage_id, hit.clause_id, hit.doc_id, {**(known.scores if known else {}), **hit.scores}
            )
            fused[hit.passage_id] = fused.get(hit.passage_id, 0.0) + 1.0 / (k + rank)
    ordered = sorted(merged.values(), key=lambda h: -fused[h.passage_id])
    return [h.with_score("fused", fused[h.passage_id]) for h in ordered]


def keep_applicable(hits: list[Hit], corpus: Corpus, place: str | None) -> list[Hit]:
    """Only hits whose document binds an asker in `place` (all hits when the place is unknown)."""
    if place is None:
        return hits
    return [h for h in hits if places.applies_to(corpus.document(h.doc_id).jurisdiction.name, place)]


def coverage(words: list[str], text: str) -> float:
    """Share of the distinct query words found in the text."""
    distinct = list(dict.fromkeys(words))
    if not distinct:
        return 0.0
    return sum(1 for w in distinct if w in text) / len(distinct)


LOCAL_BONUS = 0.03  # per level below national: the asker's own county rule before the province's


def rerank(
    hits: list[Hit], corpus: Corpus, question_words: list[str], terms: tuple[str, ...], wants: str, located: bool
) -> list[Hit]:
    """Absolute relevance in [0, 1]: dense cosine rescaled, question-word and topic-term coverage of the
    clause; for a located asker, the more local of two equally relevant rules first."""
    reranked = []
    for hit in hits:
        clause = corpus.clause(hit.clause_id)
        text = f"{clause.heading}{clause.text}"
        dense = hit.scores.get("dense")
        semantic = 0.0 if dense is None else min(max((dense - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR), 0.0), 1.0)
        lexical = coverage(question_words, text)
        topical = coverage(list(terms), text) if terms else lexical
        score = 0.45 * semantic + 0.35 * lexical + 0.20 * topical
        if wants == "department" and clause.departments:
            score += 0.05
        if located:
            score += LOCAL_BONUS * LEVELS.index(corpus.document(hit.doc_id).jurisdiction.level)
        reranked.append(hit.with_score("rerank", min(score, 1.0)))
    return sorted(reranked, key=lambda h: (-h.scores["rerank"], -h.scores.get("fused", 0.0)))


def dedupe_clauses(hits: list[Hit]) -> list[Hit]:
    """The best passage of each clause, order kept."""
    seen: set[str] = set()
    kept = []
    for hit in hits:
        if hit.clause_id not in seen:
            seen.add(hit.clause_id)
            kept.append(hit)
    return kept
