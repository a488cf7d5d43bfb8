"""Run the Q&A set through the batch interface and the baselines; write eval/report.md and a chart.

    python -m eval [--split test] [--limit N] [--calibrate]

A gold clause counts as found at rank r when the r-th citation's clause contains the gold quote
(whitespace ignored, same file
or another file printing the same document: `eval.cases.with_copies`). Thresholds are calibrated on the dev split only.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import time
from dataclasses import asdict, replace
from pathlib import Path

from domain import places
from domain.text import cleaned, without_whitespace
from assistant.batch import run_batch
from assistant.config import RetrievalConfig, get_settings
from assistant.core import Assistant
from eval.baselines import Baseline, bm25_only, dense_only, tutorial_pipeline
from eval.cases import Case, evidence, load_cases, with_copies
from index.clean import layout_free

REPORT = Path(__file__).parent / "report.md"
CHART = Path(__file__).parent / "report.png"
RETRIEVAL_METRICS = ("hit@1", "hit@3", "hit@5", "mrr")


def gold_rank(case: Case, citations: list[dict]) -> int | None:
    """1-based rank of the first citation whose clause holds a gold quote."""
    for rank, citation in enumerate(citations, start=1):
        text = without_whitespace(citation.get("clause_text") or citation["quote"])
        if any(g["file"] == citation["source"]["file"] and without_whitespace(g["quote"]) in text for g in case.gold):
            return rank
    return None


def score(cases: list[Case], rows: dict[str, dict], sources: dict[str, str]) -> dict[str, float]:
    """The metrics of one system over `cases`."""
    answerable = [c for c in cases if c.gold]
    ranks = [gold_rank(c, rows[c.id].get("citations", [])) for c in answerable]
    located = [c for c in answerable if _askers(c)]
    out_of_scope = [c for c in cases if c.type == "out-of-scope"]
    quotes = [q for c in cases for q in rows[c.id].get("citations", [])]
    facts = [(c, f) for c in answerable for f in c.facts]
    latencies = sorted(rows[c.id].get("timings", {}).get("total", 0.0) for c in cases)
    metrics = {
        "hit@1": _share(r is not None and r <= 1 for r in ranks),
        "hit@3": _share(r is not None and r <= 3 for r in ranks),
        "hit@5": _share(r is not None and r <= 5 for r in ranks),
        "mrr": sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0,
        "place purity": _share(all(_applies(q, _askers(c)) for q in rows[c.id].get("citations", [])) for c in located),
        "refusal recall": _share(rows[c.id].get("refused", False) for c in out_of_scope),
        "false refusals": _share(rows[c.id].get("refused", False) for c in answerable),
        "fact coverage": _share(without_whitespace(f) in without_whitespace(rows[c.id].get("answer", "")) for c, f in facts),
        # the answer's first sentence (its lead line) holds one of the case's facts, over the answered cases with facts
        "lead states a gold fact": _share(any(without_whitespace(f) in without_whitespace(lead_line(rows[c.id])) for f in c.facts)
                                          for c in answerable if c.facts and not rows[c.id].get("refused", False)),
        "c@1": c_at_1(answerable, rows, ranks),
        "verbatim": _share(without_whitespace(q["quote"]) in sources.get(q["source"]["file"], "") for q in quotes),
        "fully tagged": _share(bool(q["jurisdiction"]["name"] and q["document"]["title"] and q["clause"]) for q in quotes),
        "median quote chars": statistics.median(len(q["quote"]) for q in quotes) if quotes else 0.0,
        "latency p50 ms": latencies[len(latencies) // 2] if latencies else 0.0,
        "latency p95 ms": latencies[int(len(latencies) * 0.95)] if latencies else 0.0,
    }
    return metrics


def lead_line(row: dict) -> str:
    """What an asker reads first: the answer's first line (a place note, when there is one, comes after it)."""
    return (row.get("answer") or "").split("\n", 1)[0]


def c_at_1(answerable: list[Case], rows: dict[str, dict], ranks: list[int | None]) -> float:
    """ResPubliQA's c@1 over the answerable cases, (n_right + n_unanswered · n_right / n) / n: right is answered
    with the gold clause first; a declined case earns the system's accuracy instead of nothing."""
    n = len(answerable)
    if not n:
        return float("nan")
    declined = [rows[c.id].get("refused", False) for c in answerable]
    right = sum(1 for d, r in zip(declined, ranks) if not d and r == 1)
    return (right + sum(declined) * right / n) / n


def _share(values) -> float:
    values = list(values)
    return sum(1 for v in values if v) / len(values) if values else float("nan")


def _askers(case: Case) -> list[str]:
    """Where the asker is, as the rules asked about must apply: each place when the question sets places
    side by side (鲁山和湛河各自…, whoever asks), else the case's location, else the place the question
    names, else the place of an earlier turn; empty when nowhere covered. A place the question names inside the
    case's location is where the asker is (a city's portal, a caller who says her county)."""
    named = places.named_places(cleaned(case.question))
    side_by_side = places.side_by_side(named)
    if side_by_side:
        return [p.name for p in side_by_side]
    found = places.most_specific(named)
    located = places.resolve(case.location).place if case.location else None
    if located:
        inside = found is not None and found.name != located.name and places.applies_to(located.name, found.name)
        return [found.name if inside else located.name]
    for turn in reversed(case.history):
        if found is None and turn.get("role") == "user":
            found = places.most_specific(places.named_places(cleaned(turn.get("content", ""))))
    return [found.name] if found and found.covered else []


def _applies(citation: dict, askers: list[str]) -> bool:
    """Whether a citation binds one of the askers; an untagged citation cannot be shown to."""
    try:
        rule_place = places.place(citation["jurisdiction"]["name"]).name
    except KeyError:
        return False
    return any(places.applies_to(rule_place, asker) for asker in askers)


def run_system(assistant: Assistant, cases: list[Case]) -> dict[str, dict]:
    rows_in = io.StringIO("".join(json.dumps({"id": c.id, "question": c.question, "history": c.history, "location": c.location}, ensure_ascii=False) + "\n" for c in cases))
    rows_out = io.StringIO()
    run_batch(assistant, rows_in, rows_out)
    clause_text = {(c.source.file, c.source.start_line): evidence(c) for c in assistant.store.corpus.clauses}
    rows = {}
    for line in rows_out.getvalue().splitlines():
        row = json.loads(line)
        for citation in row.get("citations", []):
            source = citation["source"]
            citation["clause_text"] = clause_text.get((source["file"], source["start_line"]), citation["quote"])
        rows[row["id"]] = row
    return rows


def run_baseline(baseline: Baseline, cases: list[Case]) -> dict[str, dict]:
    rows = {}
    for case in cases:
        started = time.perf_counter()
        citations = baseline.search(case.question, 5)
        rows[case.id] = {"answer": "\n".join(c["quote"] for c in citations), "refused": False, "citations": citations,
                         "timings": {"total": (time.perf_counter() - started) * 1000}}
    return rows


def calibrate(assistant: Assistant, cases: list[Case]) -> float:
    """Sweep the refusal threshold on the dev split and recommend the one that declines most out-of-scope
    questions while wrongly declining at most half as many answerable ones as the false-refusal target
    allows; the lowest such threshold on a tie. Both targets are the eval issue's, so the rule serves them
    directly rather than trading one kind of error for the other at a fixed rate. The half is a margin
    for sampling error: on ~150 dev answers one wrong refusal moves the rate by 0.007, and a threshold
    chosen at the edge of the target on dev lands past it on new questions.

    Only the questions the threshold decides count: out-of-scope questions that the remit guard, the
    place check or the unstated-detail check decline whatever the threshold are left out, so a longer
    guard list neither lowers nor raises the threshold the other questions rely on.
    """
    original = assistant.retrieval
    dev = [c for c in cases if c.split == "dev"]
    assistant.retrieval = replace(original, min_relevance=0.0)
    declined_anyway = {case_id for case_id, row in run_system(assistant, dev).items() if row["refused"]}
    left = [c for c in dev if c.id not in declined_anyway or c.type != "out-of-scope"]
    print(f"{len(dev) - len(left)} dev out-of-scope questions are declined whatever the threshold; "
          f"{sum(c.type == 'out-of-scope' for c in left)} are left to it")
    allowed = TARGETS["false refusals"][1] / 2
    sweep = []  # (within the allowed false refusals, recall, -threshold): the best tuple wins
    for threshold in [x / 100 for x in range(40, 71, 2)]:
        assistant.retrieval = replace(original, min_relevance=threshold)
        m = score(left, run_system(assistant, left), {})
        print(f"min_relevance {threshold:.2f}: refusal recall {m['refusal recall']:.3f}, "
              f"false refusals {m['false refusals']:.3f}, hit@5 {m['hit@5']:.3f}")
        sweep.append((m["false refusals"] <= allowed, m["refusal recall"], -threshold))
    assistant.retrieval = original
    recommended = -max(sweep)[2]
    print(f"recommended min_relevance: {recommended}")
    return recommended


# the targets on the test split (issues 5 and 15): (comparison, bound); retrieval metrics must also beat every baseline
TARGETS: dict[str, tuple[str, float]] = {
    "hit@1": (">=", 0.85), "hit@5": (">=", 0.95), "place purity": (">=", 1.0), "refusal recall": (">=", 0.90),
    "false refusals": ("<=", 0.05), "verbatim": (">=", 1.0), "fact coverage": (">=", 0.85),
    "lead states a gold fact": (">=", 0.85),
}


def verdict(metric: str, systems: dict[str, dict[str, float]]) -> tuple[str, str]:
    """(target, met or MISSED) for our system's `metric`; blank when the metric has no target."""
    ours = systems["政策通"][metric]
    rules, checks = [], []
    if metric in TARGETS:
        op, bound = TARGETS[metric]
        rules.append(f"{'≥' if op == '>=' else '≤'} {bound:g}")
        checks.append(ours >= bound if op == ">=" else ours <= bound)
    if metric in RETRIEVAL_METRICS:
        rules.append("> every baseline")
        checks.append(all(ours > s[metric] for name, s in systems.items() if not name.startswith("政策通")))
    if not rules:
        return "", ""
    return " and ".join(rules), "met" if all(checks) else "**MISSED**"


BY_FILE_METRICS = ("hit@5", "refusal recall", "false refusals", "fact coverage")


def write_report(results: dict[str, dict[str, dict[str, float]]], config: RetrievalConfig, counts: dict[str, int],
                 command: str, by_file: dict[str, dict[str, tuple[int, dict[str, float]]]]) -> None:
    lines = ["# Evaluation report", "", f"Made by `{command}`. Cases: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
             f"Retrieval config: `{json.dumps(asdict(config))}`.",
             "Targets are the evaluation issue's and hold for the test split; dev is where the method was tuned.", ""]
    for split, systems in results.items():
        lines += [f"## Split: {split}", "", "| metric | " + " | ".join(systems) + " | target | 政策通 |", "|---" * (len(systems) + 3) + "|"]
        for metric in next(iter(systems.values())):
            target, met = verdict(metric, systems)
            lines.append(f"| {metric} | " + " | ".join(_fmt(s[metric]) for s in systems.values()) + f" | {target} | {met} |")
        ours = systems["政策通"]
        ratios = [f"{metric} {ours[metric] / s[metric]:.2f}× {name}" for name, s in systems.items() if not name.startswith("政策通") for metric in RETRIEVAL_METRICS if s[metric]]
        lines += ["", "Ratios (ours / baseline): " + "; ".join(ratios), ""]
        lines += [f"政策通 on the {split} cases of each case file (a weak group shows here before it moves the total):", "",
                  "| case file | cases | " + " | ".join(BY_FILE_METRICS) + " |", "|---" * (len(BY_FILE_METRICS) + 2) + "|"]
        for name, (count, metrics) in by_file[split].items():
            values = ["–" if math.isnan(metrics[m]) else _fmt(metrics[m]) for m in BY_FILE_METRICS]
            lines.append(f"| {name} | {count} | " + " | ".join(values) + " |")
        lines.append("")
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value > 2 else f"{value:.3f}"


def write_chart(results: dict[str, dict[str, dict[str, float]]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = results.get("test") or next(iter(results.values()))
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(systems)
    for i, (name, metrics) in enumerate(systems.items()):
        ax.bar([x + i * width for x in range(len(RETRIEVAL_METRICS))], [metrics[m] for m in RETRIEVAL_METRICS], width, label=name)
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(RETRIEVAL_METRICS))], RETRIEVAL_METRICS)
    ax.set_ylim(0, 1)
    ax.set_title("Retrieval on the test split")
    ax.legend(prop={"family": ["Noto Sans CJK SC", "DejaVu Sans"]})  # CJK names when the font is installed
    fig.tight_layout()
    fig.savefig(CHART, dpi=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval")
    parser.add_argument("--limit", type=int, help="only the first N cases of each split (a smoke run)")
    parser.add_argument("--calibrate", action="store_true", help="sweep the refusal threshold on the dev split")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--split", choices=("dev", "test"), help="only this split (default: both)")
    args = parser.parse_args(argv)
    settings = get_settings()
    assistant = Assistant.from_settings(settings)
    cases = with_copies(load_cases(), assistant.store.corpus)
    reader = assistant.reader
    if args.calibrate:
        calibrate(assistant, cases)
        return 0
    sources = {p.name: layout_free(p.read_text(encoding="utf-8")) for p in (settings.corpus_dir / "raw").glob("*.txt")}
    baselines = [] if args.no_baselines else [
        tutorial_pipeline(settings.corpus_dir / "raw", assistant.model, settings.data_dir / "eval-cache"),
        bm25_only(assistant.store), dense_only(assistant.store, assistant.model),
    ]
    results: dict[str, dict[str, dict[str, float]]] = {}
    counts = {}
    by_file: dict[str, dict[str, tuple[int, dict[str, float]]]] = {}
    for split in (args.split,) if args.split else ("dev", "test"):
        chosen = [c for c in cases if c.split == split][: args.limit]
        counts[split] = len(chosen)
        rows = run_system(assistant, chosen)
        systems = {"政策通": score(chosen, rows, sources)}
        if reader is not None:  # the same system with the reader left out, side by side
            assistant.reader = None
            systems["政策通 without the reader"] = score(chosen, run_system(assistant, chosen), sources)
            assistant.reader = reader
        groups: dict[str, list[Case]] = {}
        for case in chosen:
            groups.setdefault(case.file, []).append(case)
        by_file[split] = {name: (len(group), score(group, rows, sources)) for name, group in sorted(groups.items())}
        for baseline in baselines:
            systems[baseline.name] = score(chosen, run_baseline(baseline, chosen), sources)
        results[split] = systems
    command = "python -m eval" + (f" --split {args.split}" if args.split else "") + (f" --limit {args.limit}" if args.limit else "") + (" --no-baselines" if args.no_baselines else "")
    write_report(results, assistant.retrieval, counts, command, by_file)
    write_chart(results)
    print(REPORT.read_text(encoding="utf-8"))
    return 0
