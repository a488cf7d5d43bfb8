"""The Assistant: loads the model and the index once; `ask` runs the numbered, timed steps."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import replace

from domain import places
from assistant.compose import compose
from assistant.config import RetrievalConfig, Settings
from domain.errors import InputError
from assistant.generate import Writer
from assistant.reader import BLEND, Reader, candidate_passages, reader_question
from assistant.remit import RemitHead
from assistant.retrieve import askers, dedupe_clauses, fuse, hits_from_scores, keep_applicable, read, rerank
from domain.types import Answer, Hit, Query
from assistant.understand import understand
from index.store import IndexStore
from domain.text import tokens


class Assistant:
    def __init__(self, store: IndexStore, model, retrieval: RetrievalConfig | None = None,
                 today: str | None = None, max_question_chars: int = 500, writer: Writer | None = None,
                 reader: Reader | None = None, remit: RemitHead | None = None) -> None:
        self.store = store
        self.reader = reader  # with its fitted blend; None: the lexical and dense scores decide alone
        self.remit = remit  # None: only the lexicon's patterns decline out-of-remit requests
        self.writer = writer  # the optional LLM mode; None: extractive answers only
        self.model = model
        self.retrieval = retrieval or RetrievalConfig()
        self.today = today
        self.max_question_chars = max_question_chars
        understand("预热")  # load jieba, the pinyin vocabulary and the gazetteer now, not inside the first question

    @classmethod
    def from_settings(cls, settings: Settings, retrieval: RetrievalConfig | None = None,
                      with_reader: bool | None = None) -> Assistant:
        """The assistant as configured; `with_reader` overrides `settings.reader` (training reads without it)."""
        from index.embed import load_model

        store = IndexStore(settings.index_dir, settings.collection, settings.chroma_host, settings.chroma_port)
        model = load_model(store.model, settings.embedding_threads)
        use_reader = settings.reader if with_reader is None else with_reader
        reader = Reader.load(settings.data_dir, threads=settings.embedding_threads, blend=BLEND) if use_reader else None
        return cls(store, model, retrieval, settings.today, settings.max_question_chars, Writer.from_settings(settings),
                   reader, RemitHead.load() if settings.remit_head else None)

    def ask(self, question: str, history: Sequence[dict[str, str]] = (), location: str | None = None) -> Answer:
        """Answer one question for an asker at `location` (a gazetteer name or alias), given earlier turns."""
        question = self._checked(question)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        with _timed(timings, "understand"):  # 1. place, topic, kind of answer
            query = understand(question, history, *_located(location))
            asked = self._read_as(query, history)
        ranked, words, query = self._ranked(query, timings, asked)
        with _timed(timings, "compose"):  # 7. lead and tagged verbatim quotes, or a refusal
            reader = self.reader
            answer = compose(query, ranked, self.store.corpus, words, self.today or dt.date.today().isoformat(),
                             self.retrieval.top_k, self.retrieval.min_relevance, timings,
                             reader_floor=reader.blend.floor if reader else None,
                             reader_confident=reader.blend.confident if reader else None,
                             lead_sentence=(lambda c, parts, detail: reader.answering(asked, c.clause, c.document,
                                                                                      parts, words, detail))
                             if reader else None)
        if self.writer is not None:
            with _timed(timings, "generate"):  # 7. optional: a chat model words it, checked against the quotes
                answer = self.writer.write(answer)
        timings["total"] = (time.perf_counter() - started) * 1000
        return answer

    def search(self, text: str, location: str | None = None, history: Sequence[dict[str, str]] = ()) -> list[Hit]:
        """Clauses ranked for a search box (no answer composed): best passage per clause, every score kept.

        Hits below `RetrievalConfig.min_relevance` are included; callers filter and cut as they need.
        """
        query = self.understood(text, location, history)
        ranked, _, _ = self._ranked(query, {}, self._read_as(query, history))
        return ranked

    def understood(self, text: str, location: str | None = None, history: Sequence[dict[str, str]] = ()) -> Query:
        """How the answer path reads a question: the asker's place, the topic (carried over in a follow-up)
        and the detail asked."""
        return understand(self._checked(text), history, *_located(location))

    def _read_as(self, query: Query, history: Sequence[dict[str, str]]) -> str:
        """The question as the reader reads it (its asking part, after the last earlier question, the place in
        front); empty without a reader. Made once: the order and the lead both read it."""
        return reader_question(query.question, query.place, history) if self.reader is not None else ""

    def _ranked(self, query: Query, timings: dict[str, float], asked: str = "") -> tuple[list[Hit], list[str], Query]:
        """Steps 2–6 for an understood query: the applicable clauses in order, the query's words, and the query
        (out of scope when the remit head recognises its vector). `asked` is the question as the reader reads it
        (`_read_as`)."""
        config = self.retrieval
        corpus = self.store.corpus
        with _timed(timings, "bm25"):  # 2. sparse, only what applies to the asker's place
            words = tokens(query.search_text)
            bm25 = hits_from_scores(self.store.bm25_scores(words)[: config.bm25_candidates], "bm25", self.store.passages)
            scope = places.scope(askers(query))
            bm25 = keep_applicable(bm25, corpus, scope)
        with _timed(timings, "dense"):  # 3. dense, filtered by the places that apply
            vector = self.model.encode_query([query.search_text], convert_to_numpy=True)[0]
            remit = self.remit.recognised(vector) if self.remit is not None and not query.out_of_scope else None
            if remit is not None:
                query = replace(query, out_of_scope=remit.reason_in(query.language, read_by_head=True))
            dense = hits_from_scores(self.store.dense_scores(vector, config.dense_candidates, scope), "dense", self.store.passages)
        with _timed(timings, "fuse"):  # 4. reciprocal rank fusion
            fused = fuse([bm25, dense], config.rrf_k)
            unscored = [h.passage_id for h in fused if "dense" not in h.scores]
            similarity = self.store.similarity(vector, unscored)
            fused = [h.with_score("dense", similarity[h.passage_id]) if h.passage_id in similarity else h for h in fused]
        with _timed(timings, "rerank"):  # 5. absolute relevance, one passage per clause
            ranked = dedupe_clauses(rerank(fused, corpus, query, self.store.idf([w for word in query.words for w in word.split("|")]), config), corpus)
        if self.reader is not None and ranked and not query.out_of_scope:
            with _timed(timings, "read"):  # 6. the reader reads the top candidates' answering sentences
                top = [h.clause_id for h in ranked[: self.reader.blend.candidates]]
                logits = self.reader.score(asked, candidate_passages(query, top, corpus))
                ranked = read(ranked, logits, self.reader.blend.weight, self.reader.blend.temperature)
        return ranked, words, query

    def _checked(self, question: object) -> str:
        if not isinstance(question, str):
            raise InputError("the question must be text")
        question = question.strip()
        if not question:
            raise InputError("the question is empty")
        if len(question) > self.max_question_chars:
            raise InputError(f"the question has {len(question)} characters; at most {self.max_question_chars} are read")
        return question


def _located(location: str | None) -> tuple[str | None, str | None]:
    """An interface's place name as (gazetteer name, note for the asker): a mistyped or unknown place is read
    as the nearest known one or as no place, never an error (鲁山市 → 鲁山县, Atlantis → none)."""
    if location is None or not location.strip():
        return None, None
    resolved = places.resolve(location)
    return (resolved.place.name if resolved.place else None), resolved.note


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    started = time.perf_counter()
    yield
    timings[stage] = (time.perf_counter() - started) * 1000
