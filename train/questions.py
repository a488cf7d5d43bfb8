"""The written questions: gathered from the helpers' files into `train/data/questions.jsonl`, kept apart
from the eval set.

    python -m train questions [--source /work/scratch/train]

A row is dropped when its gold or nearest quote is not on one line of the named corpus file, when
it repeats an earlier question, or when it is an eval question or a near paraphrase of one: a
character-bigram Jaccard of 0.6 or more (on the cleaned, simplified text) to any eval question or
earlier turn. The eval cases are read for that check only.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from domain.text import cleaned

DATA = Path(__file__).parent / "data"
QUESTIONS = DATA / "questions.jsonl"
# pairs of an answerable question and a near miss, for checking the answer path (`python -m train check`), never
# trained on: `contrast` was read while changing the answer path, `contrast2` written later and only counted
CONTRAST = DATA / "contrast.jsonl"
CONTRAST2 = DATA / "contrast2.jsonl"
CONTRAST_ROUNDS = {"contrast": CONTRAST, "contrast2": CONTRAST2}  # set name → its pairs
NEAR_PARAPHRASE = 0.6
KINDS = ("answerable", "unanswerable")
VOICES = ("owner", "hotline", "formal", "traditional", "english", "mixed", "typo", "story")
WHYS = ("detail-not-stated", "neighbour-figure", "other-place", "topic-absent")
_NOT_WORD = re.compile(r"[\W_]+")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the cleaned, simplified, lower-case text without spaces or punctuation."""
    bare = _NOT_WORD.sub("", cleaned(text).lower())
    return frozenset(bare[i:i + 2] for i in range(len(bare) - 1)) or frozenset([bare])


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_paraphrases(questions: dict[str, str], others: Iterable[str], limit: float = NEAR_PARAPHRASE) -> dict[str, float]:
    """Id → highest Jaccard, for each of `questions` that is `limit` or more like one of `others`."""
    index: dict[str, list[int]] = {}
    other_grams = [bigrams(text) for text in others]
    for number, grams in enumerate(other_grams):
        for gram in grams:
            index.setdefault(gram, []).append(number)
    found = {}
    for qid, text in questions.items():
        grams = bigrams(text)
        shared = Counter(n for gram in grams for n in index.get(gram, ()))
        best = max((jaccard(grams, other_grams[n]) for n, count in shared.items()
                    if count >= limit * len(grams)), default=0.0)
        if best >= limit:
            found[qid] = best
    return found


def eval_texts() -> list[str]:
    """Every eval question and earlier user turn (all splits): what training questions must not be."""
    from eval.cases import load_cases

    return [text for case in load_cases() for text in
            (case.question, *(t["content"] for t in case.history if t.get("role") == "user"))]


@dataclass(frozen=True)
class Gathered:
    rows: list[dict]
    dropped: dict[str, list[str]]  # reason → ids


def gather(source: Path, corpus_dir: Path) -> Gathered:
    """The rows of every `t*.jsonl` in `source`, checked; rows that fail a check are dropped with the reason."""
    lines = corpus_lines(corpus_dir)
    rows, dropped, seen = [], {"quote not in corpus": [], "repeated": [], "malformed": []}, set()
    for path in sorted(source.glob("t*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if not _well_formed(row):
                dropped["malformed"].append(str(row.get("id")))
                continue
            if not all(on_one_line(row[k], lines) for k in ("gold", "nearest") if row.get(k)):
                dropped["quote not in corpus"].append(row["id"])
                continue
            if row["question"] in seen:
                dropped["repeated"].append(row["id"])
                continue
            seen.add(row["question"])
            rows.append({k: row.get(k) for k in ("id", "question", "location", "voice", "kind", "gold", "answer", "nearest", "why")
                         if row.get(k) is not None or k in ("location", "gold")})
    overlap = near_paraphrases({r["id"]: r["question"] for r in rows}, eval_texts())
    dropped["eval question or near paraphrase"] = sorted(overlap)
    return Gathered([r for r in rows if r["id"] not in overlap], dropped)


def _well_formed(row: dict) -> bool:
    answerable = row.get("kind") == "answerable"
    return (isinstance(row.get("id"), str) and isinstance(row.get("question"), str) and row["question"].strip() != ""
            and row.get("kind") in KINDS and row.get("voice") in VOICES
            and (bool(row.get("gold")) if answerable else bool(row.get("nearest")) and row.get("why") in WHYS))


def corpus_lines(corpus_dir: Path) -> dict[str, list[str]]:
    """File name → the lines of each corpus text, as a writer's quote must lie on one of them."""
    return {p.name: p.read_text(encoding="utf-8").splitlines() for p in sorted((corpus_dir / "raw").glob("*.txt"))}


def on_one_line(quote: dict, lines: dict[str, list[str]]) -> bool:
    return quote.get("file") in lines and any(quote.get("quote", "\0") in line for line in lines[quote["file"]])


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_questions(rows: list[dict], path: Path = QUESTIONS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def counts(rows: list[dict]) -> dict[str, Counter]:
    return {
        "kind": Counter(r["kind"] for r in rows),
        "voice": Counter(r["voice"] for r in rows),
        "why": Counter(r["why"] for r in rows if r["kind"] == "unanswerable"),
        "slice": Counter(r["id"].split("-")[0] for r in rows),
    }
