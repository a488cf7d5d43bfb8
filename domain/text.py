"""The one text layer under both `index/` and `assistant/`: words, sentences, headings and term matching.

Search tokens come from jieba taught the domain's compound terms (the reviewed lexicon), so BM25
over the index and the question's words over a clause split the same way.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

import jieba

from domain.lexicon import LEXICON

_PUNCT = re.compile(r"^[\W_]+$")
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for term in LEXICON.domain_terms:
        tokenizer.add_word(term, freq=20000)
    return tokenizer


def tokens(text: str) -> list[str]:
    """Search tokens of `text`: jieba words in search mode, no stop words or punctuation."""
    return [
        word
        for word in _jieba().lcut_for_search(text)
        if word.strip() and word not in LEXICON.stop_words and not _PUNCT.match(word)
    ]


def is_dictionary_word(word: str) -> bool:
    """Whether jieba knows `word` as a word of its own (a real word is never taken for a typo)."""
    tokenizer = _jieba()
    tokenizer.check_initialized()
    return tokenizer.FREQ.get(word, 0) > 0


def word_bounds(text: str) -> set[int]:
    """Offsets where the dictionary words of `text` start or end."""
    bounds, offset = {0}, 0
    for word in _jieba().lcut(text, HMM=False):  # unknown runs stay single characters
        offset += len(word)
        bounds.add(offset)
    return bounds


def without_whitespace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sentences(text: str) -> list[str]:
    """The sentences of a clause; a line break ends one too (headings stand on lines of their own)."""
    return [s for line in text.split("\n") for s in _SENTENCE.findall(line) if s.strip()]


def is_heading(sentence: str) -> bool:
    """A short line with no closing punctuation, e.g. 三、减轻房租压力: a title, not a rule to quote."""
    return len(sentence) <= 40 and not sentence.rstrip().endswith(("。", "；", "！", "？", "：", ":"))


def occurrences(text: str, needles: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, needle) of every occurrence of `needles` in `text`, in text order; where two would
    overlap, the longer needle wins (they are tried longest first)."""
    taken = [False] * len(text)
    spans = []
    for needle in sorted({n for n in needles if n}, key=len, reverse=True):
        start = text.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(needle)
                spans.append((start, end, needle))
            start = text.find(needle, end)
    return sorted(spans)
