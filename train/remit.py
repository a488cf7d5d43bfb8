"""The remit head's data and fit: written requests outside the remit against the written policy questions.

    python -m train remit-requests [--source DIR]   gather the writers' requests into train/data/remit.jsonl
    python -m train remit                           fit; writes assistant/data/remit-head.npz and its card

Each text is read as the answer path reads it (`understand`: its asking part, bridged terms) and embedded
with the e5 query prefix, as the dense search embeds it. A multinomial logistic regression tells `policy`
from each out-of-scope kind; the decline threshold is the lowest that keeps out-of-fold false declines of
policy questions at `MAX_FALSE_DECLINES`, and the figures printed are on a seeded held-out part no fit saw.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.remit import HEAD, POLICY, RemitHead
from domain.lexicon import LEXICON
from train.questions import DATA, eval_texts, load_questions, near_paraphrases

REQUESTS = DATA / "remit.jsonl"
CARD = HEAD.with_name("remit-card.md")
# the writers' kinds → the lexicon's out-of-scope kinds (`policy`: a question the assistant answers)
WRITTEN_KINDS = {"fraud": "unlawful", "forge": "forgery", "inject": "instructions", "offtopic": "not-policy", "policy": POLICY}
HELD_OUT = 0.2
MAX_FALSE_DECLINES = 0.005  # out of fold, over the policy questions
FOLDS = 5
SEED = 0
C = 64.0  # inverse L2 strength of the logistic regression (out of fold: 4 → 0.80, 64 → 0.84 of requests declined)


def gather(source: Path) -> tuple[list[dict], dict[str, int]]:
    """The rows of every `remit_*.jsonl` in `source` with a known kind, repeats and eval overlap dropped, each
    marked held out or not (seeded, by kind)."""
    rows, seen, dropped = [], set(), Counter()
    for path in sorted(source.glob("remit_*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            text, kind = str(row.get("text", "")).strip(), WRITTEN_KINDS.get(row.get("kind"))
            if not text or kind is None:
                dropped["malformed"] += 1
            elif text in seen:
                dropped["repeated"] += 1
            else:
                seen.add(text)
                rows.append({"id": f"{path.stem}-{number}", "text": text, "kind": kind, "voice": row.get("voice", "")})
    overlap = near_paraphrases({r["id"]: r["text"] for r in rows}, eval_texts())
    dropped["eval question or near paraphrase"] = len(overlap)
    rows = [r for r in rows if r["id"] not in overlap]
    rng = random.Random(SEED)
    for kind in sorted({r["kind"] for r in rows}):
        members = [r for r in rows if r["kind"] == kind]
        for r in rng.sample(members, round(HELD_OUT * len(members))):
            r["held_out"] = True
    for r in rows:
        r.setdefault("held_out", False)
    return rows, dict(dropped)


def load_requests(path: Path = REQUESTS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_requests(rows: list[dict], path: Path = REQUESTS) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    held_out: bool
    voice: str


def examples() -> list[Example]:
    """The written requests and the written policy questions (a seeded 20 % of the questions held out)."""
    requests = [Example(r["text"], r["kind"], r["held_out"], r["voice"]) for r in load_requests()]
    rng = random.Random(SEED)
    questions = [Example(q["question"], POLICY, rng.random() < HELD_OUT, q["voice"]) for q in load_questions()]
    return requests + questions


def embedded(texts: list[str], model) -> np.ndarray:
    """Normalised e5 query vectors of the texts as the answer path reads them."""
    from assistant.understand import understand

    searched = [understand(text).search_text or text for text in texts]
    return np.asarray(model.encode_query(searched, convert_to_numpy=True, batch_size=64), dtype=np.float32)


def fit_head(vectors: np.ndarray, labels: np.ndarray, kinds: tuple[str, ...]) -> RemitHead:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, max_iter=5000)  # unweighted: balanced classes declined fewer requests out of fold
    model.fit(vectors, labels)
    order = [list(model.classes_).index(i) for i in range(len(kinds))]
    return RemitHead(kinds, model.coef_[order], model.intercept_[order], threshold=1.0)


def threshold_for(scores: np.ndarray, is_policy: np.ndarray) -> float:
    """The lowest threshold declining at most `MAX_FALSE_DECLINES` of the policy questions."""
    policy = np.sort(scores[is_policy])[::-1]
    allowed = int(MAX_FALSE_DECLINES * len(policy))
    return float(np.nextafter(policy[allowed], np.float32(1.0)))


def figures(head: RemitHead, probabilities: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Share declined of each out-of-scope kind (as that kind and as any), and of the policy questions."""
    chosen, score = RemitHead.strongest(probabilities)
    out = {}
    for index, kind in enumerate(head.kinds):
        rows = labels == index
        if index == 0:
            out["policy questions declined"] = round(float((score[rows] >= head.threshold).mean()), 4)
        else:
            out[f"{kind} declined"] = round(float((score[rows] >= head.threshold).mean()), 4)
            out[f"{kind} declined as {kind}"] = round(float(((score[rows] >= head.threshold) & (chosen[rows] == index)).mean()), 4)
        out[f"{kind} count"] = int(rows.sum())
    return out


def fit(model) -> tuple[RemitHead, dict]:
    """Fit on the training part, threshold out of fold, figures on the held-out part."""
    from sklearn.model_selection import StratifiedKFold

    data = examples()
    kinds = (POLICY, *[k.name for k in LEXICON.out_of_scope if k.name in {e.kind for e in data}])
    vectors = embedded([e.text for e in data], model)
    labels = np.array([kinds.index(e.kind) for e in data])
    held_out = np.array([e.held_out for e in data])
    train_vectors, train_labels = vectors[~held_out], labels[~held_out]
    out_of_fold = np.zeros((len(train_labels), len(kinds)), dtype=np.float32)
    for inner, outer in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(train_vectors, train_labels):
        out_of_fold[outer] = fit_head(train_vectors[inner], train_labels[inner], kinds).probabilities(train_vectors[outer])
    threshold = threshold_for(RemitHead.strongest(out_of_fold)[1], train_labels == 0)
    head = replace(fit_head(train_vectors, train_labels, kinds), threshold=threshold)
    voices = {}
    for voice in sorted({e.voice for e in data}):
        rows = np.array([e.voice == voice for e in data]) & held_out & (labels > 0)
        if rows.any():
            voices[voice] = round(float((head.strongest(head.probabilities(vectors[rows]))[1] >= threshold).mean()), 4)
    report = {
        "threshold": round(threshold, 4),
        "out of fold": figures(head, out_of_fold, train_labels),
        "held out": figures(head, head.probabilities(vectors[held_out]), labels[held_out]),
        "held-out requests declined by voice": voices,
    }
    return head, report


def write_card(report: dict, path: Path = CARD) -> None:
    lines = ["# The remit head", "", "Written by `python -m train remit` (see `train/remit.py`): a logistic regression on the",
             "e5 query vector, `policy` against the lexicon's out-of-scope kinds it has written requests for.", "",
             f"Decline threshold {report['threshold']} (out-of-fold false declines of policy questions ≤ {MAX_FALSE_DECLINES}).", ""]
    for part in ("out of fold", "held out"):
        lines += [f"## {part.capitalize()}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in report[part].items()] + [""]
    lines += ["## Held-out requests declined, by voice", "", "| voice | declined |", "|---|---|"]
    lines += [f"| {voice} | {value} |" for voice, value in report["held-out requests declined by voice"].items()] + [""]
    path.write_text("\n".join(lines), encoding="utf-8")
