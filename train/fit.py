"""Train the reader listwise and report it on the held-out questions.

    python -m train fit          (make reader: assemble first)

Each step takes a few questions' candidate lists: a question's positives and its hardest negatives
(the nearest clause, another place's rule, its heading, the assistant's top-ranked others) go
through the model together, and a softmax over the list plus a learned "none" logit is asked to
pick a positive, or "none" for a question the corpus does not answer; where the list has its gold
clause's sentences, a second softmax over them alone (no "none": each is part of a rule that answers)
is asked to pick the sentence holding the answer, as the lead is chosen. Only the joint top layers
and the head learn: the lower states of every distinct question and passage are computed once,
before the first step (`ReaderNet`). Seeded and single-process on `threads` cores.

The held-out 15 % of the written questions are scored once, by the fp16 delta as saved, over
their full candidate lists: pair accuracy (score above or below the none logit), AUC of
answerable against unanswerable by the best score among the assistant's top 10, and hit@1 over
those top 10, beside the assistant's own ranking.
"""
from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from assistant.reader import (
    PASSAGE_PREFIX,
    PASSAGE_TOKENS,
    QUERY_PREFIX,
    QUESTION_TOKENS,
    Reader,
    ReaderCard,
    ReaderNet,
    load_delta,
    save_delta,
    save_tensors,
)
from assistant.retrieve import blended

SPECIAL = ("nearest", "other-place", "heading")  # the negatives every training list keeps


@dataclass(frozen=True)
class FitConfig:
    joint_layers: int = 2  # two read the pair deeper than one: dev hit@1 of the blend 0.871 against 0.850, at twice the cost a pair
    coverage: bool = False  # the head also reads each question token's best match in the passage (`ReaderNet.coverage`)
    epochs: int = 3  # the first over the written questions, each next over one of their variants where there are any
    list_size: int = 6  # candidates of one question in a step
    lists_per_step: int = 4
    learning_rate: float = 2e-4  # joint layers
    head_learning_rate: float = 1e-3  # head and none logit
    weight_decay: float = 0.01
    warmup: float = 0.06
    seed: int = 20261201
    threads: int = 2
    question_tokens: int = QUESTION_TOKENS
    passage_tokens: int = PASSAGE_TOKENS
    batch: int = 64  # texts per forward pass when computing lower states
    # lists past max_steps × lists_per_step are not drawn (the last epochs cut short), so the schedule decays over
    # the steps taken and the delta does not hang on the machine's pace: 3,500 steps at 0.72 s each (AVX-512 BF16, 2
    # cores) keep `make reader` within the hour with the budget untouched
    max_steps: int = 3500
    budget_minutes: float = 48.0  # training stops here whatever is left, so `make reader` stays within the hour
    sentence_weight: float = 0.5  # of the loss over a gold clause's sentences, beside the loss over the list
    sentence_negatives: int = 2  # of a list's other sentences in a step (sampled), beside the answering one
    # the joint layers' matmuls in bfloat16 (weights and optimiser stay fp32) where the CPU has it natively: 1.8x
    # the steps a minute with AVX-512 BF16, which lets a third epoch into the budget; emulated (AVX2 only) it is
    # some 40x slower than fp32, and the budget would end training in its first epoch
    bfloat16: bool = field(default_factory=lambda: torch.ops.mkldnn._is_mkldnn_bf16_supported())


def training_lists(lists: list[dict], epoch: int, rng: random.Random) -> list[dict]:
    """One list per training question for `epoch`: the written question first, then a variant where there is one."""
    by_origin: dict[str, list[dict]] = {}
    for row in lists:
        if row["split"] == "train":
            by_origin.setdefault(row["origin"], []).append(row)
    chosen = []
    for origin in sorted(by_origin):
        rows = by_origin[origin]
        variants = [r for r in rows if r["variant"] != "written"]
        chosen.append(rng.choice(variants) if epoch > 0 and variants else rows[0])
    rng.shuffle(chosen)
    return chosen


def capped(epochs: list[list[dict]], most: int) -> list[list[dict]]:
    """The epochs' lists in order up to `most` in all: the last epochs are cut short, never the first."""
    kept = []
    for epoch in epochs:
        if most <= 0:
            break
        kept.append(epoch[:most])
        most -= len(kept[-1])
    return kept


def sampled(row: dict, size: int, rng: random.Random) -> list[dict]:
    """Up to two positives, then one of each special negative (the nearest clause, the first other place's
    rule, the heading), then the best-ranked negatives, `size` in all."""
    positives = [c for c in row["candidates"] if c["label"]]
    rng.shuffle(positives)
    negatives = [c for c in row["candidates"] if not c["label"]]
    special = [c for c in (next((c for c in negatives if c["source"] == s), None) for s in SPECIAL) if c]
    ranked = sorted((c for c in negatives if c["source"] not in SPECIAL), key=lambda c: c["rank"] or 99)
    return (positives[:2] + special + ranked)[:size]


def sampled_sentences(row: dict, negatives: int, rng: random.Random) -> list[dict]:
    """The answering sentence of the row's gold clause and `negatives` of its others, at random; none without."""
    told = row.get("sentences", [])
    others = [c for c in told if not c["label"]]
    if not others:
        return []
    return [c for c in told if c["label"]] + rng.sample(others, min(negatives, len(others)))


def pickable(row: dict, size: int) -> list[dict]:
    """Every candidate `sampled` may pick for the row: all positives, whichever of them it shuffles first."""
    positives = [c for c in row["candidates"] if c["label"]]
    return positives + [c for c in sampled(row, size, random.Random(0)) if not c["label"]]


def listwise_loss(scores: torch.Tensor, labels: torch.Tensor, none: torch.Tensor | None) -> torch.Tensor:
    """−log of the softmax mass on the positives (or on "none" when there is no positive), over the list and none;
    with `none` None, over the list alone (the sentences of a rule that answers: which one does)."""
    logits = scores if none is None else torch.cat([scores, none.reshape(1)])
    total = torch.logsumexp(logits, 0)
    if labels.any():
        return total - torch.logsumexp(scores[labels.bool()], 0)
    return total - none


def joint_scores(net: ReaderNet, questions: list[torch.Tensor], passages: list[torch.Tensor],
                 bfloat16: bool) -> torch.Tensor:
    """The joint layers' fp32 scores of (question, passage) pairs of kept lower states, their matmuls in
    bfloat16 when asked (training only: the answer path reads in fp32)."""
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
        return net.joint(questions, passages).float()


def fit(lists: list[dict], data_dir: Path, delta: Path, config: FitConfig = FitConfig(), log=print,
        scores_out: Path | None = None) -> dict:
    """Train, save the delta (fp16) with its checksum, score the held-out lists with the saved delta (each list's
    scores into `scores_out`, when given, for reading them later); returns figures."""
    from index.reader_base import load_base

    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    rng = random.Random(config.seed)
    started = time.perf_counter()
    bert, tokenizer = load_base(data_dir)
    net = ReaderNet(bert, config.joint_layers, config.coverage).eval()
    for parameter in net.parameters():
        parameter.requires_grad = False
    epochs = capped([training_lists(lists, epoch, rng) for epoch in range(config.epochs)],
                    config.max_steps * config.lists_per_step)
    rows = [row for epoch in epochs for row in epoch]
    questions = lower_states(net, tokenizer, {r["question"] for r in rows}, QUERY_PREFIX, config.question_tokens,
                             config.batch)
    passages = lower_states(net, tokenizer, {c["passage"] for r in rows
                                             for c in pickable(r, config.list_size) + r.get("sentences", [])},
                            PASSAGE_PREFIX, config.passage_tokens, config.batch)
    log(f"lower states of {len(questions)} questions and {len(passages)} passages in "
        f"{(time.perf_counter() - started) / 60:.1f} min")
    named = dict(net.named_parameters())
    for name in net.trained_state():
        named[name].requires_grad = True
    body = [p for n, p in named.items() if p.requires_grad and n.startswith("layers.")]
    head = [p for n, p in named.items() if p.requires_grad and not n.startswith("layers.")]
    optimizer = torch.optim.AdamW([{"params": body, "lr": config.learning_rate},
                                   {"params": head, "lr": config.head_learning_rate}], weight_decay=config.weight_decay)
    steps = sum(math.ceil(len(e) / config.lists_per_step) for e in epochs)
    warmup = max(1, int(config.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    step, running, stopped = 0, 0.0, False
    stepping = (time.perf_counter() - started) / 60  # minutes spent before the first step
    log(f"training {sum(p.numel() for p in body + head) / 1e6:.2f} M parameters on {len(rows)} lists, "
        f"{steps} steps, {config.threads} threads")
    net.train()
    for layer in net.layers[:len(net.layers) - config.joint_layers]:
        layer.eval()
    for epoch, epoch_rows in enumerate(epochs):
        for start in range(0, len(epoch_rows), config.lists_per_step):
            group = [(row, sampled(row, config.list_size, rng), sampled_sentences(row, config.sentence_negatives, rng))
                     for row in epoch_rows[start:start + config.lists_per_step]]
            # the sentences apart: shorter than the lists' windows, padded with them they would cost as much
            sentence_pairs = [(row["question"], c["passage"]) for row, _, told in group for c in told]
            scores = joint_scores(net, [questions[row["question"]] for row, chosen, _ in group for _ in chosen],
                                  [passages[c["passage"]] for _, chosen, _ in group for c in chosen], config.bfloat16)
            told_scores = joint_scores(net, [questions[q] for q, _ in sentence_pairs],
                                       [passages[p] for _, p in sentence_pairs], config.bfloat16) if sentence_pairs else None
            losses, at, told_at = [], 0, 0
            for _, chosen, told in group:
                labels = torch.tensor([c["label"] for c in chosen])
                losses.append(listwise_loss(scores[at:at + len(chosen)], labels, net.none))
                at += len(chosen)
                if told:
                    labels = torch.tensor([c["label"] for c in told])
                    losses[-1] = losses[-1] + config.sentence_weight * listwise_loss(
                        told_scores[told_at:told_at + len(told)], labels, None)
                    told_at += len(told)
            loss = torch.stack(losses).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + head, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            minutes = (time.perf_counter() - started) / 60
            if step % 100 == 0:
                log(f"epoch {epoch + 1} step {step}/{steps} loss {running:.3f} {minutes:.1f} min")
            if step == 100 and (projected := minutes + (steps - step) * (minutes - stepping) / step) > config.budget_minutes:
                log(f"at this machine's pace the fit needs {projected:.0f} min: the budget of {config.budget_minutes} min "
                    f"will stop it short of its {steps} steps, the learning rate not yet decayed (--budget to finish)")
            if minutes > config.budget_minutes:
                log(f"time budget of {config.budget_minutes} min reached at step {step}/{steps}")
                stopped = True
                break
        if stopped:
            break
    minutes = (time.perf_counter() - started) / 60
    net.eval()
    card = ReaderCard(joint_layers=config.joint_layers, threshold=round(net.none.item(), 4),
                      question_tokens=config.question_tokens, passage_tokens=config.passage_tokens,
                      coverage=config.coverage)
    save_delta(net, card, delta)
    figures = {"train minutes": round(minutes, 1), "steps": step, "of steps": steps,
               **held_out_figures(lists, data_dir, delta, config.threads, scores_out)}
    return {"config": asdict(config), "figures": figures}


def held_out_figures(lists: list[dict], data_dir: Path, delta: Path, threads: int = 2,
                     scores_out: Path | None = None) -> dict:
    """Score the held-out lists with the delta as saved (fp16 on the base), choose the decline threshold on
    those scores, write it into the delta's card (a new checksum) and return the figures; each list's
    scores go into `scores_out` when it is given."""
    reader = Reader.load(data_dir, delta, threads)
    held_out = [row for row in lists if row["split"] == "held-out"]
    scores = [reader.score(row["question"], [c["passage"] for c in row["candidates"]]) for row in held_out]
    if scores_out is not None:
        _write_scores(scores_out, held_out, scores)
    best = [max((s for s, c in zip(row_scores, row["candidates"]) if c["rank"]), default=-99.0)
            for row, row_scores in zip(held_out, scores)]
    answerable = [row["kind"] == "answerable" for row in held_out]
    threshold = decline_threshold(best, answerable)
    state, card = load_delta(delta)
    digest = save_tensors(state, replace(card, threshold=round(threshold, 4)), delta)
    halves = [(best[k::2], answerable[k::2]) for k in (0, 1)]
    out_of_fold = [balanced_accuracy(*halves[k], decline_threshold(*halves[1 - k])) for k in (0, 1)]
    return {"sha256": digest, "delta bytes": delta.stat().st_size,
            **metrics(held_out, scores, reader.none),
            **sentence_metrics(held_out, reader),
            "decline threshold (held-out, best balanced accuracy)": round(threshold, 4),
            "decline balanced accuracy, threshold chosen on the other half": round(sum(out_of_fold) / 2, 4)}


def sentence_metrics(rows: list[dict], reader: Reader) -> dict[str, float]:
    """How often the reader alone puts the gold clause's answering sentence above the others of the list."""
    told = [row for row in rows if row.get("sentences")]
    hits = [max(zip(reader.score(row["question"], [c["passage"] for c in row["sentences"]]), row["sentences"]),
                key=lambda x: x[0])[1]["label"] for row in told]
    return {"sentence lists (the gold clause's sentences)": len(told),
            "sentence hit@1 reader (answering sentence first)": round(sum(hits) / max(1, len(hits)), 4)}


def balanced_accuracy(best: list[float], answerable: list[bool], threshold: float) -> float:
    """Mean of the shares of answerable questions answered and of unanswerable ones declined."""
    answered = [b > threshold for b, a in zip(best, answerable) if a]
    declined = [b <= threshold for b, a in zip(best, answerable) if not a]
    return (sum(answered) / max(1, len(answered)) + sum(declined) / max(1, len(declined))) / 2


def decline_threshold(best: list[float], answerable: list[bool]) -> float:
    """The threshold on the best score with the highest balanced accuracy (the lowest such on a tie)."""
    values = sorted(set(best))
    cuts = [values[0] - 1.0] + [(a + b) / 2 for a, b in zip(values, values[1:])]
    return max(cuts, key=lambda t: (balanced_accuracy(best, answerable, t), -t))


def lower_states(net: ReaderNet, tokenizer, texts: set[str], prefix: str, tokens: int, batch: int) -> dict[str, torch.Tensor]:
    """Text → its lower states (fp16), computed in batches of similar length."""
    ordered = sorted(texts, key=lambda t: (len(t), t))
    states: dict[str, torch.Tensor] = {}
    for start in range(0, len(ordered), batch):
        chunk = ordered[start:start + batch]
        encoded = tokenizer.encode([prefix + t for t in chunk], max_length=tokens)
        with torch.no_grad():  # not inference mode: the states go into the joint layers' autograd graph
            states.update(zip(chunk, net.lower(encoded["input_ids"], encoded["attention_mask"])))
    return states


def auc(positives: list[float], negatives: list[float]) -> float:
    """Probability that a random positive outscores a random negative (ties count half)."""
    if not positives or not negatives:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def metrics(rows: list[dict], scores: list[list[float]], threshold: float) -> dict[str, float]:
    """Held-out figures of the reader (and of the assistant's own ranking on the same lists)."""
    pairs = [(s, c["label"]) for row, row_scores in zip(rows, scores) for s, c in zip(row_scores, row["candidates"])]
    pairwise = [sp > sn for row, row_scores in zip(rows, scores)
                for sp, cp in zip(row_scores, row["candidates"]) if cp["label"]
                for sn, cn in zip(row_scores, row["candidates"]) if not cn["label"]]
    top = [[(s, c) for s, c in zip(row_scores, row["candidates"]) if c["rank"]] for row_scores, row in zip(scores, rows)]
    answerable = [(row, t) for row, t in zip(rows, top) if row["kind"] == "answerable"]
    reachable = [t for _, t in answerable if any(c["label"] for _, c in t)]
    best = [max((s for s, _ in t), default=-99.0) for t in top]
    relevance = [max((c["relevance"] for _, c in t), default=0.0) for t in top]
    is_answerable = [row["kind"] == "answerable" for row in rows]

    def split(values: list[float]) -> tuple[list[float], list[float]]:
        return ([v for v, a in zip(values, is_answerable) if a], [v for v, a in zip(values, is_answerable) if not a])

    return {
        "held-out questions": len(rows),
        "answerable": sum(is_answerable),
        "pairs": len(pairs),
        "pair accuracy (score above the learned none logit = answers)": round(sum((s > threshold) == bool(label) for s, label in pairs) / len(pairs), 4),
        "pairwise accuracy (positive above negative, same list)": round(sum(pairwise) / len(pairwise), 4),
        "answerable with a positive in the top 10": len(reachable),
        "hit@1 reader (top 10)": round(sum(max(t, key=lambda x: x[0])[1]["label"] for t in reachable) / len(reachable), 4),
        "hit@1 assistant (top 10)": round(sum(min(t, key=lambda x: x[1]["rank"])[1]["label"] for t in reachable) / len(reachable), 4),
        "hit@1 reader (all candidates)": round(sum(
            max(zip(s, row["candidates"]), key=lambda x: x[0])[1]["label"] for row, s in zip(rows, scores)
            if row["kind"] == "answerable") / max(1, sum(is_answerable)), 4),
        "AUC answerable vs unanswerable, reader max (top 10)": round(auc(*split(best)), 4),
        "AUC answerable vs unanswerable, assistant relevance max (top 10)": round(auc(*split(relevance)), 4),
        "decline accuracy at the learned none logit": round(sum((b > threshold) == a for b, a in zip(best, is_answerable)) / len(rows), 4),
        "hit@1 rerank + w·sigmoid(reader), w out of fold (top 10)": blended_hit1(rows, scores)[0],
        "w chosen on each half": blended_hit1(rows, scores)[1],
    }


BLEND_WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)


def blended_hit1(rows: list[dict], scores: list[list[float]]) -> tuple[float, list[float]]:
    """Hit@1 over the top 10 when the assistant's rerank gets w × sigmoid(reader score), with w chosen
    out of fold: on the even-numbered questions for the odd ones and the other way round.
    Returns the hit@1 and the two weights chosen."""
    lists = [[(c["rerank"], s, c["label"]) for s, c in zip(row_scores, row["candidates"]) if c["rank"]]
             for row, row_scores in zip(rows, scores) if row["kind"] == "answerable"]
    lists = [t for t in lists if any(label for *_, label in t)]

    def hit1(part: list, w: float) -> float:
        return sum(max(t, key=lambda x: blended(x[0], x[1], w))[2] for t in part) / max(1, len(part))

    folds = [lists[0::2], lists[1::2]]
    chosen = [max(BLEND_WEIGHTS, key=lambda w: (hit1(folds[1 - k], w), -w)) for k in (0, 1)]
    hits = sum(hit1(folds[k], chosen[k]) * len(folds[k]) for k in (0, 1)) / max(1, len(lists))
    return round(hits, 4), chosen


def _write_scores(path: Path, rows: list[dict], scores: list[list[float]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row, row_scores in zip(rows, scores):
            f.write(json.dumps({"id": row["id"], "kind": row["kind"], "scores": [round(s, 4) for s in row_scores],
                                "labels": [c["label"] for c in row["candidates"]],
                                "ranks": [c["rank"] for c in row["candidates"]]}) + "\n")
