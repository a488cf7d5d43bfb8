"""Build or update the index: parse the corpus, embed what changed, write a new generation, switch to it.

One build or ingest at a time (a lock file in the index folder). A build that fails or is killed
leaves the generation in service untouched; what it left half-written is removed by the next build.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from domain.errors import BuildError, IngestError
from domain.types import Corpus
from index.catalog import load_overrides, parse_text
from index.clauses import split_passages
from index.readers import read_text
from index.store import (
    BM25_DIR,
    CHROMA_DIR,
    MANIFEST,
    RETIRE_AFTER_S,
    VECTOR_CACHE,
    VectorCache,
    chroma_client,
    collection_name,
    create_collection,
    current_generation,
    generations,
    passage_metadata,
    read_manifest,
    remove_generation,
    retired_since,
    switch_generation,
    write_bm25,
    write_manifest,
)

INGESTED = "ingested"
PLACES = "places.json"
BATCH = 64  # passages embedded per model call
WRITE_BATCH = 512  # passages written per Chroma call
LOCK = ".build.lock"
FLAT_LAYOUT = (MANIFEST, BM25_DIR, f"{BM25_DIR}.tmp", f"{BM25_DIR}.old", CHROMA_DIR)  # before generations


@dataclass(frozen=True)
class BuildReport:
    documents: int
    clauses: int
    passages: int
    embedded: int  # passages embedded in this run; the rest came from the vector cache
    removed: int  # passages of the previous generation that this one no longer has
    seconds: float
    bytes_on_disk: int  # the new generation and the vector cache
    generation: str  # now in service
    documents_before: int  # in the generation that was in service before
    unfinished: tuple[str, ...] = ()  # generations left half-written by an interrupted build, removed now

    def __str__(self) -> str:
        text = (
            f"documents {self.documents_before} → {self.documents}, clauses {self.clauses}, passages {self.passages} "
            f"({self.embedded} embedded, {self.removed} removed), {self.seconds:.1f} s, "
            f"{self.bytes_on_disk / 1e6:.1f} MB on disk; generation {self.generation} in service"
        )
        if self.unfinished:
            text += f"; removed {', '.join(self.unfinished)} left unfinished by an interrupted build"
        return text


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder for one build or ingest; another one meanwhile is refused, not queued."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build or ingest is running on {index_dir}; run this one when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    """Put a generation holding exactly `corpus` in service at `index_dir`, embedding only passages not seen before.

    Until the switch, readers keep the generation in service; if anything fails, it stays in service.
    """
    started = time.perf_counter()
    with build_lock(index_dir):
        unfinished = _remove_unfinished(index_dir, collection, chroma_host, chroma_port)
        previous = current_generation(index_dir)
        before = read_manifest(index_dir / previous) if previous else None
        old_ids = {p.id for p in before[0].passages} if before else set()
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

        generation = f"g{int((previous or 'g0')[1:]) + 1:06d}"
        try:
            _write_generation(index_dir / generation, corpus, texts, {pid: cache.vectors[keys[pid]] for pid in texts},
                              model_name, collection_name(collection, model_name, generation), chroma_host, chroma_port)
            switch_generation(index_dir, generation)  # from here on the new generation is the index
        except BaseException as error:
            remove_generation(index_dir, generation, collection, chroma_host, chroma_port)
            if isinstance(error, Exception):
                raise BuildError(f"the build failed ({type(error).__name__}: {error}); "
                                 f"{_in_service(previous)} Fix the cause and run `python -m assistant build` again.") from error
            raise
        _retire(index_dir, generation, collection, chroma_host, chroma_port)
    folder = index_dir / generation
    return BuildReport(
        documents=len(corpus.documents),
        clauses=len(corpus.clauses),
        passages=len(corpus.passages),
        embedded=len(missing),
        removed=len(old_ids - set(texts)),
        seconds=time.perf_counter() - started,
        bytes_on_disk=sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) + (index_dir / VECTOR_CACHE).stat().st_size,
        generation=generation,
        documents_before=len(before[0].documents) if before else 0,
        unfinished=tuple(unfinished),
    )


def _in_service(generation: str | None) -> str:
    return f"the index in service is unchanged (generation {generation})." if generation else "no index is in service yet."


def _write_generation(folder: Path, corpus: Corpus, texts: dict[str, str], vectors: dict, model_name: str,
                      collection: str, chroma_host: str | None, chroma_port: int) -> None:
    """A whole generation in `folder`: vectors, BM25, and the manifest last."""
    folder.mkdir(parents=True)
    passages = {p.id: p for p in corpus.passages}
    ids = list(texts)
    client = chroma_client(folder, chroma_host, chroma_port)
    try:
        store = create_collection(client, collection)
        for start in range(0, len(ids), WRITE_BATCH):
            batch = ids[start : start + WRITE_BATCH]
            store.add(
                ids=batch,
                embeddings=[vectors[pid].tolist() for pid in batch],
                documents=[texts[pid] for pid in batch],
                metadatas=[passage_metadata(passages[pid], corpus) for pid in batch],
            )
    finally:
        client.close()
    write_bm25(folder, corpus, texts)
    write_manifest(folder, corpus, model_name)


def _remove_unfinished(index_dir: Path, collection: str, chroma_host: str | None, chroma_port: int) -> list[str]:
    """Generations newer than the one in service were left by a build that was killed: remove them (and
    the files of the index layout before generations, which nothing reads any more)."""
    for name in FLAT_LAYOUT:
        path = index_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    in_service = current_generation(index_dir) or ""
    unfinished = [g for g in generations(index_dir) if g > in_service]
    for generation in unfinished:
        remove_generation(index_dir, generation, collection, chroma_host, chroma_port)
    return unfinished


def _retire(index_dir: Path, in_service: str, collection: str, chroma_host: str | None, chroma_port: int) -> None:
    """Remove older generations once they have been out of service long enough that no request still reads them."""
    now = time.time()
    for generation in generations(index_dir):
        since = retired_since(index_dir, generation) if generation < in_service else None
        if since is not None and now - since >= RETIRE_AFTER_S:
            remove_generation(index_dir, generation, collection, chroma_host, chroma_port)


def ingest_files(paths: list[Path], index_dir: Path, place: str | None, overrides_path: Path,
                 replace: bool = False) -> list[str]:
    """Check every file parses, then keep its text for builds; all or nothing, the index untouched on error.

    A file is kept as `<stem>.txt`, so `x.docx` after `x.txt` would take its place: that is refused
    with the reason unless `replace` says a new version is meant, and two files of one stem at once
    are always refused.
    """
    overrides = load_overrides(overrides_path)
    parsed: list[tuple[Path, str]] = []
    for path in paths:
        text = read_text(path)
        documents, _ = parse_text(text, path.name, overrides, place)
        if not documents:
            raise IngestError(f"{path}: no documents found")
        parsed.append((path, text))
    ingested = index_dir.parent / INGESTED
    with build_lock(index_dir):
        places = _ingested_places(ingested)
        _refuse_clashes([path for path, _ in parsed], ingested, places, replace)
        ingested.mkdir(parents=True, exist_ok=True)
        for path, text in parsed:
            stored = f"{path.stem}.txt"
            (ingested / stored).write_text(text, encoding="utf-8")
            places[stored] = {"file": path.name, "place": place}
        (ingested / PLACES).write_text(json.dumps(places, ensure_ascii=False, indent=1), encoding="utf-8")
    return [path.name for path, _ in parsed]


def _refuse_clashes(paths: list[Path], ingested: Path, places: dict[str, dict[str, str | None]], replace: bool) -> None:
    """IngestError when a file would be stored over another one, unless `replace` asks for exactly that."""
    seen: dict[str, str] = {}
    for path in paths:
        stored = f"{path.stem}.txt"
        if stored in seen:
            raise IngestError(f"{seen[stored]} and {path.name} would both be kept as {stored}: rename one of them")
        seen[stored] = path.name
        if (ingested / stored).exists() and not replace:
            earlier = places.get(stored, {}).get("file") or stored
            raise IngestError(f"{path.name} would replace {earlier}, ingested before under the same name: "
                              f"rename the new file to keep both, or pass --replace to put it in place of {earlier}")
