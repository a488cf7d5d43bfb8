"""Candidate lists for training the reader: each written question with the assistant's own top candidates.

    python -m train assemble     → <data dir>/reader-train/lists.jsonl and summary.json

For every question the assistant ranks the clauses as it would to answer it (`Assistant.search`);
the list is its top `TOP` clauses, each as the reader will read it (`reader_passage` of the
answering sentences `best_quote` picks for the question's words), plus:
- the gold clauses the ranking missed (the question's gold quote or answer words are in them, at a
  place that applies to the asker); a gold clause is read at the sentences holding its answer;
- for a question the corpus does not answer, the nearest clause its writer named (same topic, the
  asked detail not stated, a neighbouring measure's figure, or the rule of a place that does not apply);
- for an asker with a place, the two clauses sharing most of its words (BM25) from places that do not apply;
- for an answerable question, its gold clause's heading alone (naming the topic is not answering).
A clause holding the answer words is a positive wherever it is printed; every other one a negative.
An answerable question whose answer words lie in one sentence of its gold clause also gets that clause's
sentences, one by one as the lead is chosen (`Reader.answering`): the one holding the answer against
the `SENTENCE_NEGATIVES` others sharing most of the question's words (which sentence of the rule answers).

Clauses no written question is about get one question from a template (`coverage` rows), so every
clause is the gold of some question. 15 % of the written questions (seeded, stratified by slice and
kind) are held out for the printed metrics; training questions also appear as mechanical variants
(homophone and dropped-character typos, 繁體 conversion) over the same candidates.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from pypinyin import lazy_pinyin

from assistant.core import Assistant
from assistant.compose import answers
from assistant.reader import candidate_passages, own_heading, reader_passage, reader_question
from domain import places
from domain.text import answerable_sentences, sentences, tokens, traditional
from domain.types import Clause, Corpus, Query

TOP = 10
OTHER_PLACES = 2
HELD_OUT = 0.15
SEED = 20261201
MIN_NEEDLE = 6  # answer words shorter than this are not looked for elsewhere
WINDOW_CHARS = 170
SENTENCE_NEGATIVES = 3
_HAN = re.compile(r"[\u4e00-\u9fff]")


def bare(text: str) -> str:
    """The text as quotes are compared: NFKC (full-width brackets are plain ones), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True)
class Candidate:
    clause_id: str
    passage: str
    label: int  # 1: answers the question
    source: str  # ranked | gold | nearest | other-place | heading
    rank: int | None = None  # 1-based rank in the assistant's list
    rerank: float | None = None
    relevance: float | None = None


class Golds:
    """Which clauses hold a quote (whitespace ignored), with every clause's text looked up once."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.evidence = {c.id: bare(c.text + (c.departments or "")) for c in corpus.clauses}

    def holding(self, quote: dict | None) -> list[str]:
        """Clauses of the quote's file whose text holds it; for a heading quote, the clauses under that heading."""
        if not quote:
            return []
        needle = bare(quote["quote"])
        same_file = [c for c in self.corpus.clauses if c.source.file == quote["file"]]
        found = [c.id for c in same_file if needle in self.evidence[c.id]]
        return found or [c.id for c in same_file if any(needle in bare(h) for h in c.path)]


def answer_window(clause: Clause, needles: list[str]) -> str | None:
    """The run of the clause's sentences holding the first needle found (the answer words, else the gold
    quote), cut to about WINDOW_CHARS around it."""
    parts = sentences(clause.text)
    for needle in (bare(n) for n in needles if n):
        for size in range(1, len(parts) + 1):
            for start in range(len(parts) - size + 1):
                run = "".join(parts[start:start + size]).strip()
                at = bare(run).find(needle)
                if at >= 0:
                    flat = bare(run)
                    begin = max(0, min(at - 40, len(flat) - WINDOW_CHARS))
                    return flat[begin:begin + WINDOW_CHARS] if len(flat) > WINDOW_CHARS else run
    return None


class Assembler:
    """Builds the candidate list of one written question with a loaded `Assistant`."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.corpus = assistant.store.corpus
        self.golds = Golds(self.corpus)

    def candidates(self, row: dict) -> tuple[Query, list[Candidate]]:
        """(the question as the answer path reads it — the asker's place, its words —, the candidates) of a row."""
        corpus = self.corpus
        query = self.assistant.understood(row["question"], row.get("location"))
        ranked = self.assistant.search(row["question"], row.get("location"))[:TOP]
        askers = [query.place] if query.place else list(query.compared)
        scope = places.scope(askers)
        needles = [n for n in (row.get("answer"), (row.get("gold") or {}).get("quote")) if n]
        gold = set(self.golds.holding(row.get("gold")))

        def applies(clause_id: str) -> bool:
            return scope is None or self.place_of(clause_id) in scope

        def answers(clause_id: str) -> bool:
            if clause_id in gold:
                return True
            text = self.golds.evidence[clause_id]
            return applies(clause_id) and any(len(bare(n)) >= MIN_NEEDLE and bare(n) in text for n in needles)

        def at_answer(clause_id: str) -> str:
            clause = corpus.clause(clause_id)
            return reader_passage(clause, corpus.document(clause.doc_id), answer_window(clause, needles) or clause.text)

        out: list[Candidate] = []
        for rank, (hit, passage) in enumerate(zip(ranked, candidate_passages(query, [h.clause_id for h in ranked], corpus)), 1):
            positive = answers(hit.clause_id)
            if positive and needles and not any(bare(n) in bare(passage) for n in needles):
                passage = at_answer(hit.clause_id)
            out.append(Candidate(hit.clause_id, passage, int(positive), "ranked", rank,
                                 round(hit.scores["rerank"], 4), round(hit.scores["relevance"], 4)))
        have = {c.clause_id for c in out}
        out += [Candidate(c, at_answer(c), 1, "gold") for c in sorted(gold - have) if applies(c)]
        nearest = [c for c in self.golds.holding(row.get("nearest")) if c not in have]
        out += [Candidate(c, p, 0, "nearest") for c, p in zip(nearest, candidate_passages(query, nearest, corpus))]
        if scope is not None:
            elsewhere = self.nearest_elsewhere(tokens(query.search_text), scope, have | set(nearest))
            out += [Candidate(c, p, 0, "other-place") for c, p in zip(elsewhere, candidate_passages(query, elsewhere, corpus))]
        if row["kind"] == "answerable" and gold:
            clause = corpus.clause(sorted(gold)[0])
            if clause.path and not any(bare(n) in bare(clause.path[-1]) for n in needles):
                out.append(Candidate(clause.id, reader_passage(clause, corpus.document(clause.doc_id), own_heading(clause)), 0,
                                     "heading"))
        return query, out

    def sentences(self, row: dict, words: list[str]) -> list[dict]:
        """The gold clause's sentence holding the answer words (label 1) and the others sharing most of `words`
        (label 0), each as the reader reads a lead candidate; none when the answer is not in one sentence."""
        gold = sorted(self.golds.holding(row.get("gold")))
        if row["kind"] != "answerable" or not row.get("answer") or not gold:
            return []
        clause = self.corpus.clause(gold[0])
        document = self.corpus.document(clause.doc_id)
        parts = answerable_sentences(clause.text)
        needle = bare(row["answer"])
        holding = [p for p in parts if needle in bare(p)]
        others = sorted((p for p in parts if needle not in bare(p)), key=lambda p: -answers(p, words))
        if not holding or not others:
            return []
        return [{"passage": reader_passage(clause, document, p), "label": label}
                for p, label in [(holding[0], 1), *((p, 0) for p in others[:SENTENCE_NEGATIVES])]]

    def place_of(self, clause_id: str) -> str:
        return self.corpus.document(self.corpus.clause(clause_id).doc_id).jurisdiction.name

    def nearest_elsewhere(self, words: list[str], scope: list[str], have: set[str]) -> list[str]:
        """The clauses that share most of `words` (BM25) among places outside `scope`."""
        found: list[str] = []
        for passage_id, _ in self.assistant.store.bm25_scores(words):
            clause_id = self.corpus.passage(passage_id).clause_id
            if self.place_of(clause_id) not in scope and clause_id not in have and clause_id not in found:
                found.append(clause_id)
                if len(found) == OTHER_PLACES:
                    break
        return found


def coverage_rows(golds: Golds, rows: list[dict]) -> list[dict]:
    """One template question for each clause no written question has as its gold."""
    corpus = golds.corpus
    covered = {c for r in rows for c in golds.holding(r.get("gold"))}
    out = []
    for clause in corpus.clauses:
        if clause.id in covered:
            continue
        document = corpus.document(clause.doc_id)
        topic = own_heading(clause) if clause.label != "导语" else ""
        question = (f"《{document.title}》里“{topic}”这部分是怎么规定的？" if topic
                    else f"《{document.title}》是为什么、依据什么制定的？")
        place = document.jurisdiction
        out.append({
            "id": f"tz-{len(out) + 1:04d}", "question": question, "voice": "template", "kind": "answerable",
            "location": place.name if place.level in ("city", "county") else None,
            "gold": {"file": clause.source.file, "quote": bare(clause.text)[:40]},
        })
    return out


def held_out_ids(rows: list[dict], share: float = HELD_OUT, seed: int = SEED) -> set[str]:
    """A seeded `share` of the written questions, stratified by slice (the writer's part of the corpus) and kind."""
    strata: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        strata.setdefault((row["id"].split("-")[0], row["kind"]), []).append(row["id"])
    rng = random.Random(seed)
    chosen = set()
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        chosen.update(ids[:round(share * len(ids))])
    return chosen


class Typist:
    """Mechanical variants of a question: homophone typos and dropped characters, or 繁體 conversion."""

    def __init__(self, corpus: Corpus, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        by_sound: dict[str, set[str]] = {}
        for char in sorted({c for clause in corpus.clauses for c in clause.text if _HAN.match(c)}):
            by_sound.setdefault(lazy_pinyin(char)[0], set()).add(char)
        self.homophones = {c: sorted(chars - {c}) for chars in by_sound.values() for c in chars if len(chars) > 1}

    def noised(self, text: str) -> str:
        chars = list(text)
        spots = [i for i, c in enumerate(chars) if _HAN.match(c)]
        for i in sorted(self.rng.sample(spots, min(len(spots), self.rng.choice((1, 2)))), reverse=True):
            if chars[i] in self.homophones and self.rng.random() < 0.7:
                chars[i] = self.rng.choice(self.homophones[chars[i]])
            else:
                del chars[i]
        return "".join(chars)

    def variants(self, row: dict) -> Iterator[tuple[str, str]]:
        """(kind, question) of each variant of a written question."""
        if _HAN.search(row["question"]):
            yield "noise", self.noised(row["question"])
        if row["voice"] != "traditional" and _HAN.search(row["question"]):
            yield "traditional", traditional(row["question"])


def assemble(assistant: Assistant, rows: list[dict], out: Path) -> dict:
    """Write the lists (one JSON object per line) and return the summary also written beside them."""
    corpus = assistant.store.corpus
    assembler = Assembler(assistant)
    typist = Typist(corpus)
    held_out = held_out_ids(rows)
    written = len(rows)
    rows = rows + coverage_rows(assembler.golds, rows)
    out.mkdir(parents=True, exist_ok=True)
    summary: Counter = Counter()
    sources: Counter = Counter()
    with open(out / "lists.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            query, candidates = assembler.candidates(row)
            place = query.place
            split = "held-out" if row["id"] in held_out else "train"
            positives = sum(c.label for c in candidates)
            if row["kind"] == "answerable" and not positives:
                summary["answerable without a gold clause (dropped)"] += 1
                continue
            base = {"origin": row["id"], "split": split, "place": place, "slice": row["id"].split("-")[0], "kind": row["kind"],
                    "why": row.get("why"), "voice": row["voice"], "location": row.get("location"),
                    "candidates": [asdict(c) for c in candidates], "sentences": assembler.sentences(row, tokens(query.search_text))}
            texts = [("written", row["question"], reader_question(row["question"], place))]
            if split == "train" and row["voice"] != "template":
                texts += [(kind, text, reader_question(text, place)) for kind, text in typist.variants(row)]
            seen = set()
            for variant, raw, read in texts:
                if read in seen:
                    summary[f"{variant} variants equal to the question as read (dropped)"] += 1
                    continue
                seen.add(read)
                f.write(json.dumps({"id": row["id"] if variant == "written" else f"{row['id']}~{variant}",
                                    "variant": variant, "raw": raw, "question": read, **base}, ensure_ascii=False) + "\n")
                summary[f"lists {split} {variant}"] += 1
                summary[f"pairs {split} {variant}"] += len(candidates)
                summary[f"positive pairs {split} {variant}"] += positives
                summary[f"sentence lists {split} {variant}"] += bool(base["sentences"])
                if variant == "written":
                    sources.update(c["source"] + (" +" if c["label"] else " -") for c in base["candidates"])
    clauses_gold = {c for r in rows for c in assembler.golds.holding(r.get("gold"))}
    result = {"written questions": written, "coverage questions": len(rows) - written,
              "clauses": len(corpus.clauses), "clauses that are some question's gold": len(clauses_gold),
              **dict(sorted(summary.items())), "candidates by source (written lists)": dict(sorted(sources.items()))}
    (out / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def load_lists(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
