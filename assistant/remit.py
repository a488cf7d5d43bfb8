"""The remit head: a linear read of the question's e5 vector that recognises a request outside the assistant's
remit in words the lexicon's patterns do not list.

The patterns (`domain/data/lexicon.toml`, `[[out_of_scope]]`) decline the wordings reviewed by hand; people
ask for a forged 红头文件, a way round a subsidy's checks or the assistant's instructions in many more ways,
and in every language. The head is fitted by `python -m train remit` on written requests of each kind and on
the written policy questions (`train/data/`); it reads the vector the dense search embeds anyway, so it costs
one small matrix product. Its threshold was chosen out of fold for few false declines of policy questions.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from domain.lexicon import LEXICON, LexiconError, RemitKind

HEAD = Path(__file__).parent / "data" / "remit-head.npz"
POLICY = "policy"  # the class of questions the assistant answers


@dataclass(frozen=True)
class RemitHead:
    kinds: tuple[str, ...]  # class names: `POLICY`, then lexicon out-of-scope kind names
    weights: np.ndarray  # (classes, dimensions)
    bias: np.ndarray  # (classes,)
    threshold: float  # a kind is recognised when its probability reaches this

    @classmethod
    def load(cls, path: Path = HEAD) -> RemitHead:
        with np.load(path, allow_pickle=False) as stored:
            head = cls(tuple(str(k) for k in stored["kinds"]), stored["weights"].astype(np.float32),
                       stored["bias"].astype(np.float32), float(stored["threshold"]))
        unknown = set(head.kinds) - {POLICY} - {kind.name for kind in LEXICON.out_of_scope}
        if unknown or head.kinds[0] != POLICY or head.weights.shape[0] != len(head.kinds):
            raise LexiconError(f"{path.name}: classes {head.kinds} do not match the lexicon's out-of-scope kinds")
        return head

    def save(self, path: Path = HEAD) -> None:
        np.savez(path, kinds=np.array(self.kinds), weights=self.weights.astype(np.float32),
                 bias=self.bias.astype(np.float32), threshold=np.float32(self.threshold))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(n, classes) softmax probabilities for (n, dimensions) normalised e5 query vectors."""
        logits = np.atleast_2d(vectors) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    @staticmethod
    def strongest(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each row of `probabilities`: the class index of its most likely out-of-scope kind, and that
        kind's probability (what the threshold is held against)."""
        best = probabilities[:, 1:].argmax(axis=1) + 1
        return best, probabilities[np.arange(len(best)), best]

    def recognised(self, vector: np.ndarray) -> RemitKind | None:
        """The out-of-scope kind the question is, when the head is sure enough; None for a policy question."""
        best, probability = self.strongest(self.probabilities(vector))
        if probability[0] < self.threshold:
            return None
        return next(kind for kind in LEXICON.out_of_scope if kind.name == self.kinds[best[0]])
