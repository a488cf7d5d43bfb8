"""Reader scores of the assistant's top candidates, for fitting weights and thresholds.

    python -m train eval-scores [--split dev]   → eval/out/reader-<split>.jsonl
    python -m train eval-scores --split held-out → eval/out/reader-held-out.jsonl
    python -m train eval-scores --split contrast → eval/out/reader-contrast.jsonl (each round of contrast pairs)

The reader never trained on eval cases nor on the held-out written training questions
(`assemble.held_out_ids`) nor on the contrast pairs, so these scores are out of sample for every case. Fit on
the dev split and the held-out questions; the test split is for the final report. Each row: the case, how the
question was read, and for each of the top candidates its rank, clause, the assistant's scores, the reader's
score, whether the clause holds a gold quote (same file or a copy of the same document, whitespace ignored) and,
for the candidates the answer path reads, the reader's logit of each sentence a lead may be (`sentences`).
"""
from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from assistant.compose import answers, asked_detail, compose, lead_candidates
from assistant.core import Assistant
from assistant.reader import Reader, candidate_passages, reader_passage, reader_question
from domain.errors import InputError
from domain.text import tokens, without_whitespace
from domain.types import Corpus, Hit, Query
from eval.cases import Case, evidence
from train.blend import READ

OUT = Path(__file__).resolve().parent.parent / "eval" / "out"
TOP = 10


def case_scores(assistant: Assistant, reader: Reader, case: Case, top: int = TOP) -> dict:
    corpus = assistant.store.corpus
    row: dict = {"id": case.id, "split": case.split, "type": case.type, "answerable": bool(case.gold),
                 "file": case.file}
    try:
        query = assistant.understood(case.question, case.location, case.history)
        ranked = assistant.search(case.question, case.location, case.history)
    except InputError as error:
        return {**row, "error": str(error), "candidates": []}
    hits = ranked[:top]
    # declined for another reason than weak evidence (remit, place, a detail not stated): what the blend cannot change
    today = assistant.today or dt.date.today().isoformat()
    row["declined otherwise"] = compose(query, ranked, corpus, tokens(query.search_text), today,
                                        assistant.retrieval.top_k, -1.0, {}).refused
    question = reader_question(case.question, query.place, case.history)
    passages = candidate_passages(query, [h.clause_id for h in hits], corpus)
    started = time.perf_counter()
    scores = reader.score(question, passages)
    row["reader ms"] = round((time.perf_counter() - started) * 1000, 1)
    row["question"] = question
    row["candidates"] = []
    for rank, (hit, passage, score) in enumerate(zip(hits, passages, scores), start=1):
        clause = corpus.clause(hit.clause_id)
        text = without_whitespace(evidence(clause))
        holds = any(g["file"] == clause.source.file and without_whitespace(g["quote"]) in text for g in case.gold)
        row["candidates"].append({
            "rank": rank, "clause_id": hit.clause_id, "file": clause.source.file, "start_line": clause.source.start_line,
            "passage": passage, "rerank": round(hit.scores["rerank"], 4), "relevance": round(hit.scores["relevance"], 4),
            "reader": round(score, 4), "gold": holds,
        })
    # the sentences of each candidate read: what a decline on sentences would read, and the lead's choices
    sentences = {hit.clause_id: sentence_logits(reader, question, query, hit, corpus) for hit in hits[:READ]}
    for hit, candidate in zip(hits[:READ], row["candidates"]):
        candidate["sentences"] = [round(v, 4) for v in sentences[hit.clause_id][1]]
    gold = next((h for h, c in zip(hits, row["candidates"]) if c["gold"]), None)
    row["lead"] = None
    if gold and case.facts:
        parts, logits = sentences.get(gold.clause_id) or sentence_logits(reader, question, query, gold, corpus)
        row["lead"] = lead_scores(query, case, parts, logits)
    return row


def sentence_logits(reader: Reader, question: str, query: Query, hit: Hit, corpus: Corpus) -> tuple[list[str], list[float]]:
    """The sentences a lead may be of the hit's clause (its `lead_candidates` for the detail asked, as the answer
    path offers them when that rule states the detail; when no rule does, every sentence) and the reader's logit
    of each."""
    clause = corpus.clause(hit.clause_id)
    parts = lead_candidates(clause.text, asked_detail(query))
    return parts, reader.score(question, [reader_passage(clause, corpus.document(clause.doc_id), p) for p in parts])


def lead_scores(query: Query, case: Case, parts: list[str], logits: list[float]) -> dict:
    """For fitting how the lead is chosen: each sentence a lead may be of the first gold clause and the reader's
    logit of it (`sentence_logits`), with the query words it answers and whether it states one of the case's facts."""
    words, wanted = tokens(query.search_text), asked_detail(query)
    return {"reader": [round(v, 4) for v in logits], "words": [answers(p, words, wanted) for p in parts],
            "fact": [any(without_whitespace(f) in without_whitespace(p) for f in case.facts) for p in parts]}


def held_out_cases(questions: list[dict]) -> list[Case]:
    """The written training questions the reader never trained on, as cases."""
    from train.assemble import held_out_ids

    held_out = held_out_ids(questions)
    return question_cases([q for q in questions if q["id"] in held_out], "held-out")


def question_cases(questions: list[dict], split: str) -> list[Case]:
    """Written questions as cases: a gold quote for an answerable one, none for one the corpus does not answer; as
    its fact, the words of the corpus line its writer said answer it (`answer`, when given), so the lead's choice is
    fitted on (and checked against) these questions too."""
    return [Case(id=q["id"], question=q["question"], history=q.get("history", []), location=q.get("location"),
                 type="fact" if q["kind"] == "answerable" else "out-of-scope",
                 gold=[q["gold"]] if q["kind"] == "answerable" else [],
                 facts=[q["answer"]] if q["kind"] == "answerable" and q.get("answer") else [], split=split,
                 file=f"train:{q['voice']}")
            for q in questions if q["kind"] != "answerable" or q.get("gold")]


def write_scores(assistant: Assistant, reader: Reader, cases: list[Case], path: Path) -> list[dict]:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [case_scores(assistant, reader, case) for case in cases]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def summary(rows: list[dict], none: float) -> dict[str, float]:
    """Hit@1 of the assistant's order and of the reader's over the cases whose gold is in the top 10,
    and the AUC of the best reader score and of the best relevance, answerable against out-of-scope."""
    from train.fit import auc

    reachable = [r for r in rows if r["answerable"] and any(c["gold"] for c in r["candidates"])]
    best = [(r["answerable"], max((c["reader"] for c in r["candidates"]), default=-99.0),
             max((c["relevance"] for c in r["candidates"]), default=0.0)) for r in rows if r["candidates"]]
    return {
        "cases": len(rows),
        "answerable with the gold in the top 10": len(reachable),
        "hit@1 assistant": round(sum(r["candidates"][0]["gold"] for r in reachable) / max(1, len(reachable)), 4),
        "hit@1 reader": round(sum(max(r["candidates"], key=lambda c: c["reader"])["gold"] for r in reachable)
                              / max(1, len(reachable)), 4),
        "AUC reader max": round(auc([b for a, b, _ in best if a], [b for a, b, _ in best if not a]), 4),
        "AUC relevance max": round(auc([v for a, _, v in best if a], [v for a, _, v in best if not a]), 4),
        "declined by the reader alone (best score below none), answerable": round(
            sum(b <= none for a, b, _ in best if a) / max(1, sum(a for a, _, _ in best)), 4),
        "declined by the reader alone, out-of-scope": round(
            sum(b <= none for a, b, _ in best if not a) / max(1, sum(not a for a, _, _ in best)), 4),
    }
