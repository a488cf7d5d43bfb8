"""The baselines the report compares against, each with the same embedding model.

1. the tutorial pipeline: LangChain RecursiveCharacterTextSplitter chunks of the raw files in
   Chroma, top-k by similarity; its chunks carry no place, document or clause;
2. BM25 only over our passages; 3. dense only over our passages (no place filter, no rerank).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from eval.cases import evidence
from index.store import IndexStore, VectorCache
from domain.text import tokens


@dataclass(frozen=True)
class Baseline:
    name: str
    search: Callable[[str, int], list[dict]]


def _our_citation(store: IndexStore, passage_id: str) -> dict:
    passage = store.passages[passage_id]
    clause = store.corpus.clause(passage.clause_id)
    document = store.corpus.document(passage.doc_id)
    return {
        "quote": passage.text,
        "clause_text": evidence(clause),
        "jurisdiction": {"level": document.jurisdiction.level, "name": document.jurisdiction.name},
        "document": {"title": document.title},
        "clause": clause.label,
        "source": {"file": clause.source.file, "start_line": clause.source.start_line},
    }


def _top_clauses(store: IndexStore, pairs: list[tuple[str, float]], k: int) -> list[dict]:
    seen, out = set(), []
    for passage_id, _ in pairs:
        clause_id = store.passages[passage_id].clause_id
        if clause_id not in seen:
            seen.add(clause_id)
            out.append(_our_citation(store, passage_id))
        if len(out) == k:
            break
    return out


def bm25_only(store: IndexStore) -> Baseline:
    return Baseline("BM25 only", lambda question, k: _top_clauses(store, store.bm25_scores(tokens(question)), k))


def dense_only(store: IndexStore, model) -> Baseline:
    def search(question: str, k: int) -> list[dict]:
        vector = model.encode_query([question], convert_to_numpy=True)[0]
        return _top_clauses(store, store.dense_scores(vector, k * 4), k)

    return Baseline("dense only", search)


def tutorial_pipeline(raw_dir: Path, model, cache_dir: Path) -> Baseline:
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    chunks = [(path.name, chunk) for path in sorted(raw_dir.glob("*.txt")) for chunk in splitter.split_text(path.read_text(encoding="utf-8"))]
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = VectorCache(cache_dir / "tutorial-vectors.npz")
    keys = [hashlib.sha1(text.encode()).hexdigest() for _, text in chunks]
    missing = [i for i, key in enumerate(keys) if key not in cache.vectors]
    for start in range(0, len(missing), 64):
        batch = missing[start : start + 64]
        vectors = model.encode_document([chunks[i][1] for i in batch], convert_to_numpy=True)
        cache.vectors.update(zip([keys[i] for i in batch], vectors))
    cache.save(set(keys))
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("tutorial", embedding_function=None, metadata={"hnsw:space": "cosine"})
    ids = [f"c{i}" for i in range(len(chunks))]
    for start in range(0, len(ids), 256):
        collection.add(ids=ids[start : start + 256], embeddings=[cache.vectors[keys[i]].tolist() for i in range(start, min(start + 256, len(ids)))],
                       metadatas=[{"file": chunks[i][0]} for i in range(start, min(start + 256, len(ids)))])

    def search(question: str, k: int) -> list[dict]:
        vector = model.encode_query([question], convert_to_numpy=True)[0]
        result = collection.query(query_embeddings=[vector.tolist()], n_results=k)
        return [
            {"quote": chunks[int(i[1:])][1], "clause_text": chunks[int(i[1:])][1], "jurisdiction": {"level": "", "name": ""},
             "document": {"title": ""}, "clause": "", "source": {"file": chunks[int(i[1:])][0], "start_line": 0}}
            for i in result["ids"][0]
        ]

    return Baseline("tutorial RAG", search)
