"""The persisted index: generations of catalogue (JSON), passage vectors (Chroma) and BM25 (bm25s), on disk.

    index/CURRENT        the name of the generation in service, e.g. `g000007`
    index/g000007/       one whole index: corpus.json (the manifest), bm25/, chroma/
    index/vectors.npz    passage vectors by content, shared by every generation

A build writes a complete new generation beside the one in service and then switches `CURRENT` to
it with one atomic rename, so a reader always opens a whole generation: the old one before the
switch, the new one after. A generation never changes once it is in service, and a later build
removes it only once it has been out of service for `RETIRE_AFTER_S`, so a server still finishing
requests on it is not cut off. With a Chroma server each generation has its own collection.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import bm25s  # noqa: E402
import chromadb  # noqa: E402
from chromadb.config import Settings as ChromaSettings  # noqa: E402

from domain.errors import IndexNotBuilt  # noqa: E402
from domain.types import Clause, Corpus, Document, Jurisdiction, Passage, SourceSpan  # noqa: E402
from domain.text import tokens  # noqa: E402

CURRENT = "CURRENT"
MANIFEST = "corpus.json"
BM25_DIR = "bm25"
CHROMA_DIR = "chroma"
VECTOR_CACHE = "vectors.npz"
GENERATION = re.compile(r"g\d{6}")
RETIRE_AFTER_S = 10 * 60  # out of service this long, a generation may be removed: no request lasts that long


def corpus_to_json(corpus: Corpus, model: str) -> str:
    return json.dumps(
        {
            "model": model,
            "documents": [asdict(d) for d in corpus.documents],
            "clauses": [asdict(c) for c in corpus.clauses],
            "passages": [asdict(p) for p in corpus.passages],
        },
        ensure_ascii=False,
    )


def corpus_from_json(text: str) -> tuple[Corpus, str]:
    data = json.loads(text)
    documents = tuple(
        Document(**{**d, "jurisdiction": Jurisdiction(**d["jurisdiction"]), "source": SourceSpan(**d["source"])})
        for d in data["documents"]
    )
    clauses = tuple(
        Clause(**{**c, "path": tuple(c["path"]), "source": SourceSpan(**c["source"])}) for c in data["clauses"]
    )
    passages = tuple(Passage(**p) for p in data["passages"])
    return Corpus(documents, clauses, passages), data["model"]


def chroma_client(folder: Path, host: str | None = None, port: int = 8000) -> Any:
    """Embedded Chroma in a generation's folder, or a Chroma server when `host` is given. Close it when done."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    return chromadb.PersistentClient(path=str(folder / CHROMA_DIR), settings=settings)


def collection_name(name: str, model: str, generation: str) -> str:
    """A generation's passage collection: its own, so a Chroma server can hold several side by side."""
    return f"{name}_{model}_{generation}"


def create_collection(client: Any, name: str) -> Any:
    """A new, empty passage collection; vectors always come from us, never from Chroma's default model."""
    return client.create_collection(name=name, embedding_function=None, metadata={"hnsw:space": "cosine"})


def passage_metadata(passage: Passage, corpus: Corpus) -> dict[str, str | int | bool]:
    clause = corpus.clause(passage.clause_id)
    document = corpus.document(passage.doc_id)
    return {
        "doc_id": document.id,
        "clause_id": clause.id,
        "level": document.jurisdiction.level,
        "place": document.jurisdiction.name,
        "title": document.title,
        "number": document.number or "",
        "label": clause.label,
        "department": clause.departments or "",
        "file": clause.source.file,
    }


class VectorCache:
    """Passage vectors by content key, so an unchanged passage is never embedded twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    def save(self, keep: set[str]) -> None:
        kept = {k: v for k, v in self.vectors.items() if k in keep}
        tmp = self.path.with_suffix(".tmp.npz")
        keys = np.array(sorted(kept), dtype=object).astype(str)
        matrix = np.stack([kept[k] for k in keys]) if len(keys) else np.zeros((0, 1), np.float32)
        np.savez(tmp, keys=keys, vectors=matrix)
        os.replace(tmp, self.path)


def current_generation(index_dir: Path) -> str | None:
    """The generation in service, or None when nothing was ever built (or the pointer is not one)."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if GENERATION.fullmatch(name) else None


def generations(index_dir: Path) -> list[str]:
    """Every generation folder, finished or not, oldest first."""
    if not index_dir.is_dir():
        return []
    return sorted(p.name for p in index_dir.iterdir() if p.is_dir() and GENERATION.fullmatch(p.name))


def read_manifest(folder: Path) -> tuple[Corpus, str] | None:
    """A generation's corpus and model name; None when it has no manifest (it was never finished)."""
    try:
        return corpus_from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


class IndexStore:
    """The generation in service, opened for reading: catalogue, BM25 and the Chroma collection.

    It stays on the generation it opened; `reopen` gives the one in service now. `close` releases Chroma.
    """

    def __init__(self, index_dir: Path, collection: str, host: str | None = None, port: int = 8000) -> None:
        generation = current_generation(index_dir)
        if generation is None:
            raise IndexNotBuilt(f"no index at {index_dir}: run `python -m assistant build`")
        self.index_dir, self.generation = index_dir, generation
        self._opened_with = (collection, host, port)
        folder = index_dir / generation
        manifest = read_manifest(folder)
        if manifest is None or not (folder / BM25_DIR / "passage_ids.json").exists():
            raise IndexNotBuilt(f"index generation {generation} at {index_dir} is incomplete: run `python -m assistant build`")
        self.corpus, self.model = manifest
        self.bm25 = bm25s.BM25.load(str(folder / BM25_DIR), show_progress=False)
        with open(folder / BM25_DIR / "passage_ids.json", encoding="utf-8") as f:
            self.bm25_ids: list[str] = json.load(f)
        self.passages = {p.id: p for p in self.corpus.passages}
        self.client = chroma_client(folder, host, port)
        try:
            self.collection = self.client.get_collection(collection_name(collection, self.model, generation))
            stored = self.collection.get(ids=list(self.passages), include=["embeddings"])
        except Exception as error:
            self.client.close()
            raise IndexNotBuilt(f"index generation {generation} at {index_dir} has no vectors ({error}): "
                                "run `python -m assistant build`") from error
        self._row = {pid: row for row, pid in enumerate(stored["ids"])}
        self._vectors = np.asarray(stored["embeddings"], dtype=np.float32)
        if len(self._row) < len(self.passages):
            raise IndexNotBuilt(f"the vector store lacks {len(self.passages) - len(self._row)} passages: rebuild")

    def reopen(self) -> IndexStore:
        """The generation in service now, opened the way this one was."""
        return IndexStore(self.index_dir, *self._opened_with)

    def close(self) -> None:
        """Release Chroma; the store must not be read afterwards."""
        self.client.close()

    def bm25_scores(self, query_tokens: list[str]) -> list[tuple[str, float]]:
        """(passage id, BM25 score) for every passage that shares a token (`domain.text.tokens`) with
        the query, best first."""
        vocab = self.bm25.vocab_dict
        words = [w for w in query_tokens if w in vocab]
        if not words:
            return []
        scores = self.bm25.get_scores(words)
        order = np.argsort(-scores)
        ranked = ((self.bm25_ids[i], float(scores[i])) for i in order if scores[i] > 0)
        return [(pid, score) for pid, score in ranked if pid in self.passages]

    def idf(self, words: list[str]) -> dict[str, float]:
        """BM25's inverse document frequency of each word over the passages.

        A word no passage contains gets the largest weight a word can have: a question that hinges on
        it (签证, 个人所得税) is about something the corpus does not cover.
        """
        vocab, indptr, total = self.bm25.vocab_dict, self.bm25.scores["indptr"], self.bm25.scores["num_docs"]

        def weight(df: int) -> float:
            return float(np.log(1 + (total - df + 0.5) / (df + 0.5)))

        return {w: weight(int(indptr[vocab[w] + 1] - indptr[vocab[w]]) if w in vocab else 0) for w in words}

    def dense_scores(self, vector: np.ndarray, k: int, places: list[str] | None = None) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the k nearest passages, optionally only from `places`."""
        where = {"place": {"$in": places}} if places else None
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=k, where=where, include=["distances"]
        )
        pairs = zip(result["ids"][0], result["distances"][0])
        return [(pid, 1.0 - float(dist)) for pid, dist in pairs if pid in self.passages]

    def similarity(self, vector: np.ndarray, passage_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of the query vector to the given passages (vectors are normalised)."""
        rows = [self._row[pid] for pid in passage_ids]
        if not rows:
            return {}
        values = self._vectors[rows] @ vector.astype(np.float32)
        return dict(zip(passage_ids, values.tolist()))


def write_bm25(folder: Path, corpus: Corpus, texts: dict[str, str]) -> None:
    """BM25 over the passages' context texts, with the passage id of each row."""
    ids = [p.id for p in corpus.passages]
    retriever = bm25s.BM25()
    retriever.index([tokens(texts[pid]) or ["∅"] for pid in ids], show_progress=False)
    retriever.save(str(folder / BM25_DIR), show_progress=False)
    (folder / BM25_DIR / "passage_ids.json").write_text(json.dumps(ids), encoding="utf-8")


def write_manifest(folder: Path, corpus: Corpus, model: str) -> None:
    """The manifest, written last in a generation: a generation without one was never finished."""
    _write_durably(folder / MANIFEST, corpus_to_json(corpus, model))


def switch_generation(index_dir: Path, generation: str) -> None:
    """Put a finished generation in service: one atomic rename of the pointer."""
    _write_durably(index_dir / CURRENT, generation + "\n")


def retired_since(index_dir: Path, generation: str) -> float | None:
    """When a generation went out of service (the next finished one's manifest time); None while in service."""
    later = [g for g in generations(index_dir) if g > generation and (index_dir / g / MANIFEST).exists()]
    return (index_dir / later[0] / MANIFEST).stat().st_mtime if later else None


def remove_generation(index_dir: Path, generation: str, collection: str, host: str | None = None, port: int = 8000) -> None:
    """A generation's folder, and with a Chroma server its collection too (whatever model it was built with)."""
    if host:
        client = chroma_client(index_dir / generation, host, port)
        try:
            for found in client.list_collections():
                if found.name.startswith(f"{collection}_") and found.name.endswith(f"_{generation}"):
                    client.delete_collection(found.name)
        finally:
            client.close()
    shutil.rmtree(index_dir / generation, ignore_errors=True)


def _write_durably(path: Path, text: str) -> None:
    """`path` replaced by `text` in one rename, flushed to disk before and after."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
