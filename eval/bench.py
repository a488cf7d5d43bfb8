"""Speed and memory of the answer path, printed as figures (targets: issue 15, the reader included).

    python -m eval.bench [--rounds 2] [--files 'GLOB']

Start-up is the time to load the model and open the index; per-question latency is measured
after one warm-up question, over every question of the Q&A set (or of its files matching `--files`,
e.g. `--files '[!r]*'` for the set before the robustness part), `rounds` times.
"""
from __future__ import annotations

import argparse
import fnmatch
import resource
import statistics
import time

from assistant.config import get_settings
from assistant.core import Assistant
from eval.cases import load_cases

TARGETS = {"start-up s": 30.0, "p50 ms": 150.0, "p95 ms": 400.0, "peak RSS MB": 3072.0}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--files", default="*", help="only the case files whose names match this glob")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    assistant = Assistant.from_settings(get_settings())
    startup = time.perf_counter() - started
    cases = [case for case in load_cases() if fnmatch.fnmatch(case.file, args.files)]
    if not cases:
        parser.error(f"no case file matches {args.files!r}")
    assistant.ask(cases[0].question)  # warm-up: first-call allocations are start-up, not latency
    totals: list[float] = []
    first_round: list[float] = []  # each question new: the reader has not kept its candidates' states yet
    stages: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        for case in cases:
            answer = assistant.ask(case.question, case.history, case.location)
            totals.append(answer.timings["total"])
            if round_ == 0:
                first_round.append(answer.timings["total"])
            for stage, ms in answer.timings.items():
                stages.setdefault(stage, []).append(ms)
    figures = {
        "start-up s": startup,
        "p50 ms": percentile(totals, 0.50),
        "p95 ms": percentile(totals, 0.95),
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    reader = "with the reader" if assistant.reader else "without the reader"
    print(f"questions: {len(totals)} ({len(cases)} of files {args.files!r} × {args.rounds} rounds), threads: {get_settings().embedding_threads}, {reader}")
    for name, value in figures.items():
        verdict = "met" if value <= TARGETS[name] else "MISSED"
        print(f"{name:>11}: {value:8.1f}   target ≤ {TARGETS[name]:g}  {verdict}")
    print(f"first round alone (each question new): p50 {percentile(first_round, 0.5):.1f} ms, "
          f"p95 {percentile(first_round, 0.95):.1f} ms")
    print("per stage, median / p95 ms:")
    for stage, values in stages.items():
        print(f"  {stage:>10}: {statistics.median(values):7.1f} / {percentile(values, 0.95):7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
