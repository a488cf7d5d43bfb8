"""Retrieval as small pure functions over `Hit`s; every hit keeps every score it earned.

    bm25 + dense → fuse (reciprocal rank) → keep_applicable → rerank → dedupe_clauses

The reranker is lexical and structural: it blends the dense cosine with how much of the question's
vocabulary the passage covers, and gives that absolute score, not the scale-free fused rank, the
say on "nothing relevant". The reader (`assistant.reader`, trained here) then reads the top
candidates and its score joins the order (`read`).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from assistant.config import RetrievalConfig
from domain.lexicon import LEXICON
from domain.types import LEVELS, Corpus, Hit, Query

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


def askers(query: Query) -> list[str]:
    """Where the rules asked about must apply: the asker's place, or each of the places compared."""
    return [query.place] if query.place else list(query.compared)


def keep_applicable(hits: list[Hit], corpus: Corpus, scope: list[str] | None) -> list[Hit]:
    """Only hits whose document's place is in `scope` (see `places.scope`); all hits when it is None."""
    if scope is None:
        return hits
    return [h for h in hits if corpus.document(h.doc_id).jurisdiction.name in scope]


def coverage(words: Iterable[str], text: str, weights: dict[str, float] | None = None) -> float:
    """Share of the distinct query words found in the text, each word counting by its weight (1 by default).

    A word may be a group of alternatives, "社会保险费|社保费" (one English phrase, several Chinese terms):
    found when any of them is, weighing as its most common one."""
    distinct = [word.split("|") for word in dict.fromkeys(words)]

    def weight(group: list[str]) -> float:
        return min(weights.get(w, 0.0) for w in group) if weights else 1.0

    total = sum(weight(group) for group in distinct)
    if not total:
        return 0.0
    return sum(weight(group) for group in distinct if any(w in text for w in group)) / total


def rerank(hits: list[Hit], corpus: Corpus, query: Query, idf: dict[str, float], config: RetrievalConfig) -> list[Hit]:
    """Two scores in [0, 1] for each passage, read in its document and heading context.

    `rerank` orders: it blends the dense cosine (rescaled from unrelated to on-topic), how much of
    the question's vocabulary the passage covers (rare words count more), how many bridged topic
    terms it has, and its BM25 score next to the best candidate's. For a located asker, the more
    local of two equally relevant rules comes first; a draft comes after a rule in force.

    `relevance` decides whether a passage answers at all: the mean of the rescaled cosine and the
    word coverage, both absolute, so one threshold holds for every question.
    """
    best_bm25 = max((h.scores.get("bm25", 0.0) for h in hits), default=0.0) or 1.0
    located = bool(askers(query))
    reranked = []
    for hit in hits:
        clause, document = corpus.clause(hit.clause_id), corpus.document(hit.doc_id)
        text = f"{document.title}{clause.heading}{corpus.passage(hit.passage_id).text}"
        dense = hit.scores.get("dense")
        semantic = 0.0 if dense is None else min(max((dense - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR), 0.0), 1.0)
        lexical = coverage(query.words, text, idf)
        topical = coverage(query.terms, text) if query.terms else lexical
        score = (config.weight_dense * semantic + config.weight_words * lexical + config.weight_terms * topical
                 + config.weight_bm25 * hit.scores.get("bm25", 0.0) / best_bm25)
        if query.wants == "department" and (clause.departments or LEXICON.assigns_responsibility.search(clause.text)):
            score += config.department_bonus
        if located:
            score += config.local_bonus * LEVELS.index(document.jurisdiction.level)
        if document.draft:
            score -= config.draft_penalty
        hit = hit.with_score("relevance", (semantic + lexical) / 2)
        reranked.append(hit.with_score("rerank", min(score, 1.0)).with_score("order", min(score, 1.0)))
    return sorted(reranked, key=lambda h: (-h.scores["rerank"], -h.scores.get("fused", 0.0)))


def probability(logit: float, temperature: float = 1.0) -> float:
    """The reader's logit as a probability (a sigmoid of logit / temperature): what the order and the lead add
    to other scores. A temperature above 1 keeps apart two readings the plain sigmoid flattens to about 0
    (logits −2 and −9: the reader prefers one, though it is sure of neither)."""
    return 1 / (1 + math.exp(-logit / temperature))


def blended(rerank: float, logit: float, weight: float, temperature: float = 1.0) -> float:
    """The order of a hit the reader read: its rerank plus `weight` times the reader's tempered probability.
    Training and fitting (`train/`) score with this same function, so the fitted values mean what they do here."""
    return rerank + weight * probability(logit, temperature)


def read(hits: list[Hit], logits: Sequence[float], weight: float, temperature: float = 1.0) -> list[Hit]:
    """The first len(logits) hits with the reader's logit, and every hit reordered by `order` (`blended`;
    the rerank alone for a hit the reader did not read). `weight` and `temperature` are fitted on scores the
    reader never trained on (`python -m train blend`)."""
    scored = [h.with_score("reader", logit)
              .with_score("order", blended(h.scores["rerank"], logit, weight, temperature))
              for h, logit in zip(hits, logits)]
    return sorted(scored + hits[len(scored):], key=lambda h: -h.scores["order"])


def dedupe_clauses(hits: list[Hit], corpus: Corpus) -> list[Hit]:
    """The best passage of each clause, order kept; a clause that repeats word for word one already kept
    at the same place (the same measure printed in two files) is dropped."""
    seen: set[object] = set()
    kept = []
    for hit in hits:
        same_text = (corpus.document(hit.doc_id).jurisdiction.name, corpus.wording(hit.clause_id))
        if hit.clause_id not in seen and same_text not in seen:
            seen.update((hit.clause_id, same_text))
            kept.append(hit)
    return kept
