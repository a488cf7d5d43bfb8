"""Build or update the index: parse the corpus, embed what changed, store, swap the manifest last."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from domain.errors import IngestError
from domain.types import Corpus
from index.catalog import load_overrides, parse_text
from index.clauses import split_passages
from index.readers import read_text
from index.store import (
    VECTOR_CACHE,
    VectorCache,
    chroma_client,
    open_collection,
    passage_metadata,
    write_bm25,
    write_manifest,
)

INGESTED = "ingested"
PLACES = "places.json"
BATCH = 64


@dataclass(frozen=True)
class BuildReport:
    documents: int
    clauses: int
    passages: int
    embedded: int  # passages embedded in this run; the rest came from the vector cache
    removed: int  # passages of changed or deleted documents dropped from the store
    seconds: float
    bytes_on_disk: int

    def __str__(self) -> str:
        return (
            f"documents {self.documents}, clauses {self.clauses}, passages {self.passages} "
            f"({self.embedded} embedded, {self.removed} removed), {self.seconds:.1f} s, "
            f"{self.bytes_on_disk / 1e6:.1f} MB on disk"
        )


def _ingested_places(ingested: Path) -> dict[str, dict[str, str | None]]:
    """Stored file name → {"file": original name, "place": place vouched for at ingest}."""
    places_file = ingested / PLACES
    return json.loads(places_file.read_text(encoding="utf-8")) if places_file.exists() else {}


def corpus_sources(corpus_dir: Path, index_dir: Path) -> list[tuple[str, str, str | None]]:
    """(file name, text, place) of the shipped corpus and of every file added with `ingest`."""
    sources = [(p.name, p.read_text(encoding="utf-8"), None) for p in sorted((corpus_dir / "raw").glob("*.txt"))]
    ingested = index_dir.parent / INGESTED
    places = _ingested_places(ingested)
    for path in sorted(ingested.glob("*.txt")):
        entry = places.get(path.name, {})
        sources.append((entry.get("file") or path.name, path.read_text(encoding="utf-8"), entry.get("place")))
    return sources


def parse_sources(sources: list[tuple[str, str, str | None]], overrides_path: Path) -> Corpus:
    overrides = load_overrides(overrides_path)
    documents, clauses = [], []
    for file, text, place in sources:
        docs, parsed = parse_text(text, file, overrides, place)
        documents += docs
        clauses += parsed
    passages = [p for clause in clauses for p in split_passages(clause)]
    return Corpus(tuple(documents), tuple(clauses), tuple(passages))


def build_index(
    corpus: Corpus,
    index_dir: Path,
    model,  # a SentenceTransformer
    model_name: str,
    collection: str,
    chroma_host: str | None = None,
    chroma_port: int = 8000,
) -> BuildReport:
    """Make the index at `index_dir` hold exactly `corpus`, embedding only passages not seen before."""
    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        p.id: p.embed_text(corpus.clause(p.clause_id), corpus.document(p.doc_id)) for p in corpus.passages
    }
    keys = {pid: hashlib.sha1(f"{model_name}\n{text}".encode()).hexdigest() for pid, text in texts.items()}
    cache = VectorCache(index_dir / VECTOR_CACHE)
    missing = sorted({keys[pid] for pid in texts if keys[pid] not in cache.vectors})
    by_key = {keys[pid]: texts[pid] for pid in texts}
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = model.encode_document([by_key[k] for k in batch], convert_to_numpy=True)
        cache.vectors.update(zip(batch, vectors))
    cache.save(keep=set(keys.values()))

    store = open_collection(chroma_client(index_dir, chroma_host, chroma_port), collection, model_name)
    present = set(store.get(include=[])["ids"])
    passages = {p.id: p for p in corpus.passages}
    new_ids = [pid for pid in texts if pid not in present]
    for start in range(0, len(new_ids), BATCH):
        batch = new_ids[start : start + BATCH]
        store.upsert(
            ids=batch,
            embeddings=[cache.vectors[keys[pid]].tolist() for pid in batch],
            documents=[texts[pid] for pid in batch],
            metadatas=[passage_metadata(passages[pid], corpus) for pid in batch],
        )
    write_bm25(index_dir, corpus, texts)
    write_manifest(index_dir, corpus, model_name)  # from here on the new index is the index
    stale = sorted(present - set(texts))
    for start in range(0, len(stale), BATCH):
        store.delete(ids=stale[start : start + BATCH])
    return BuildReport(
        documents=len(corpus.documents),
        clauses=len(corpus.clauses),
        passages=len(corpus.passages),
        embedded=len(missing),
        removed=len(stale),
        seconds=time.perf_counter() - started,
        bytes_on_disk=sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()),
    )


def ingest_files(paths: list[Path], index_dir: Path, place: str | None, overrides_path: Path) -> list[str]:
    """Check every file parses, then keep its text for builds; all or nothing, the index untouched on error."""
    overrides = load_overrides(overrides_path)
    parsed: list[tuple[Path, str]] = []
    for path in paths:
        text = read_text(path)
        documents, _ = parse_text(text, path.name, overrides, place)
        if not documents:
            raise IngestError(f"{path}: no documents found")
        parsed.append((path, text))
    ingested = index_dir.parent / INGESTED
    ingested.mkdir(parents=True, exist_ok=True)
    places = _ingested_places(ingested)
    for path, text in parsed:
        stored = f"{path.stem}.txt"
        (ingested / stored).write_text(text, encoding="utf-8")
        places[stored] = {"file": path.name, "place": place}
    (ingested / PLACES).write_text(json.dumps(places, ensure_ascii=False, indent=1), encoding="utf-8")
    return [path.name for path, _ in parsed]
