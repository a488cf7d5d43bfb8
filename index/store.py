"""The persisted index: catalogue (JSON), passage vectors (Chroma) and BM25 (bm25s), all on disk.

The manifest (`corpus.json`) names the passages of the current index and is replaced atomically
as the last step of a build, so a build that dies half-way leaves the previous index whole:
Chroma may then hold extra, newer passages, and readers ignore any id the manifest does not list.
"""
from __future__ import annotations

import json
import os
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

MANIFEST = "corpus.json"
BM25_DIR = "bm25"
CHROMA_DIR = "chroma"
VECTOR_CACHE = "vectors.npz"


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


def chroma_client(index_dir: Path, host: str | None = None, port: int = 8000) -> Any:
    """Embedded Chroma in the index directory, or a Chroma server when `host` is given."""
    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    return chromadb.PersistentClient(path=str(index_dir / CHROMA_DIR), settings=settings)


def open_collection(client: Any, name: str, model: str) -> Any:
    """The passage collection; vectors always come from us, never from Chroma's default model."""
    return client.get_or_create_collection(
        name=f"{name}_{model}", embedding_function=None, metadata={"hnsw:space": "cosine"}
    )


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


class IndexStore:
    """A built index opened for reading: catalogue, BM25 and the Chroma collection."""

    def __init__(self, index_dir: Path, collection: str, host: str | None = None, port: int = 8000) -> None:
        manifest = index_dir / MANIFEST
        if not manifest.exists():
            raise IndexNotBuilt(f"no index at {index_dir}: run `python -m assistant build`")
        self.corpus, self.model = corpus_from_json(manifest.read_text(encoding="utf-8"))
        self.bm25 = bm25s.BM25.load(str(index_dir / BM25_DIR), show_progress=False)
        with open(index_dir / BM25_DIR / "passage_ids.json", encoding="utf-8") as f:
            self.bm25_ids: list[str] = json.load(f)
        self.collection = open_collection(chroma_client(index_dir, host, port), collection, self.model)
        self.passages = {p.id: p for p in self.corpus.passages}
        stored = self.collection.get(ids=list(self.passages), include=["embeddings"])
        self._row = {pid: row for row, pid in enumerate(stored["ids"])}
        self._vectors = np.asarray(stored["embeddings"], dtype=np.float32)
        if len(self._row) < len(self.passages):
            raise IndexNotBuilt(f"the vector store lacks {len(self.passages) - len(self._row)} passages: rebuild")

    def bm25_scores(self, query_tokens: list[str]) -> list[tuple[str, float]]:
        """(passage id, BM25 score) for every passage that shares a token (`index.tokenize.tokens`) with
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


def write_bm25(index_dir: Path, corpus: Corpus, texts: dict[str, str]) -> None:
    """BM25 over the passages' context texts, written beside the old one and swapped in."""
    ids = [p.id for p in corpus.passages]
    retriever = bm25s.BM25()
    retriever.index([tokens(texts[pid]) or ["∅"] for pid in ids], show_progress=False)
    tmp = index_dir / f"{BM25_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    retriever.save(str(tmp), show_progress=False)
    (tmp / "passage_ids.json").write_text(json.dumps(ids), encoding="utf-8")
    old = index_dir / f"{BM25_DIR}.old"
    shutil.rmtree(old, ignore_errors=True)
    if (index_dir / BM25_DIR).exists():
        os.replace(index_dir / BM25_DIR, old)
    os.replace(tmp, index_dir / BM25_DIR)
    shutil.rmtree(old, ignore_errors=True)


def write_manifest(index_dir: Path, corpus: Corpus, model: str) -> None:
    tmp = index_dir / f"{MANIFEST}.tmp"
    tmp.write_text(corpus_to_json(corpus, model), encoding="utf-8")
    os.replace(tmp, index_dir / MANIFEST)
