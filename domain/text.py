"""The one text layer under both `index/` and `assistant/`: a typed text cleaned, words, sentences, headings
and term matching.

Search tokens come from jieba taught the domain's compound terms (the reviewed lexicon), so BM25
over the index and the question's words over a clause split the same way.
"""
from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jieba
import opencc

from domain.lexicon import LEXICON

_PUNCT = re.compile(r"^[\W_]+$")
_T2S = opencc.OpenCC("t2s")
_TW2S = opencc.OpenCC("tw2s")  # Taiwan character variants; Taiwan words are LEXICON.taiwan_phrases
_MARKUP = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)|<!--.*?(-->|$)|</?[a-zA-Z][^<>]{0,200}>", re.IGNORECASE | re.DOTALL)
_NOISE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")
_SPACES = re.compile(r"\s+")
_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])")  # what markup left between two words
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")


def simplified(text: str) -> str:
    """Traditional characters (and Taiwan words) as simplified; simplified text is left as it is.

    Not OpenCC's tw2sp: its phrase step also reads 线上, 执行, 新增 and 首批次 as computer terms (在线, 运行,
    添加, 首批量), and a policy question means them as written.
    """
    if _T2S.convert(text) == text:
        return text
    return _taiwan_phrases().sub(lambda found: LEXICON.taiwan_phrases[found.group()], _TW2S.convert(text))


def traditional(text: str) -> str:
    """The text in traditional characters (OpenCC s2t): the 繁體 form of a question that the reader trains on and
    `python -m eval.forms` asks, and that `simplified` reads back."""
    return _to_traditional().convert(text)


@lru_cache(maxsize=1)
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")  # on first use: the answer path never writes 繁體


@lru_cache(maxsize=1)
def _taiwan_phrases() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(LEXICON.taiwan_phrases, key=len, reverse=True))))


def cleaned(text: str) -> str:
    """NFKC (full-width forms), simplified, markup, emoji and invisible characters removed, spaces collapsed."""
    text = html.unescape(unicodedata.normalize("NFKC", text))
    text = _SPACES.sub(" ", _NOISE.sub("", _MARKUP.sub(" ", text)))
    return _BETWEEN_HAN.sub("", simplified(text)).strip()


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


def answerable_sentences(text: str) -> list[str]:
    """The sentences of a text a lead may be: every one but its headings (the heading if nothing else)."""
    return [p for p in sentences(text) if not is_heading(p)] or sentences(text) or [text]


_NUMBERED = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[．.、])")


def is_heading(sentence: str) -> bool:
    """A title, not a rule to quote: a short line with no closing punctuation (三、减轻房租压力), or a short
    numbered phrase run into its clause's first line (5．拓宽融资渠道。) that states no figure and has no clause
    break inside."""
    text = sentence.strip()
    if len(text) <= 40 and not text.endswith(("。", "；", "！", "？", "：", ":")):
        return True
    numbered = _NUMBERED.match(text)
    body = text[numbered.end():] if numbered else ""
    return bool(numbered) and len(body) <= 24 and not re.search(r"[\d，,；;：:]", body.rstrip("。；"))


def occurrences(text: str, needles: Iterable[str]) -> list[tuple[int, int, str]]:
    """(start, end, needle) of every occurrence of `needles` in `text`, in text order; where two would
    overlap, the longer needle wins, and of two as long the one that starts first (河南 in 河南平原, not 南平)."""
    present = set(text)  # most needles (every place name of China) cannot occur: skip them before searching
    found = []
    for needle in {n for n in needles if n and n[0] in present}:
        start = text.find(needle)
        while start != -1:
            found.append((start, start + len(needle), needle))
            start = text.find(needle, start + len(needle))
    taken = [False] * len(text)
    spans = []
    for start, end, needle in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            spans.append((start, end, needle))
    return sorted(spans)


_ARTICLE = re.compile(r"第([一二三四五六七八九十百零〇\d]+)(?:条|[，,、])|([一二三四五六七八九十百]{1,3})[、．.]")
_CHAPTER = re.compile(r"第[一二三四五六七八九十百]+章")
_ITEM = re.compile(r"[（(]([一二三四五六七八九十]{1,3}|\d{1,2})[）)]|(\d{1,2})[.．、]")
_SUB_LEVELS = ("项", "目")  # below an article: 第（三）项, then 第1目


def clause_reference(label: str) -> str:
    """A clause's numbering as a citation says it, in the document's own numbers: 三、 → 第三条,
    三、（二） → 第三条第（二）项, 一、3. → 第一条第3项, 三、（一）1． → 第三条第（一）项第1目, 第一， → 第一条;
    a label of another shape (导语, （二） at the top) stays as printed, without trailing punctuation."""
    rest, parts = label, []
    chapter = _CHAPTER.match(rest)
    if chapter:
        parts.append(chapter.group(0))
        rest = rest[chapter.end():]
    article = _ARTICLE.match(rest)
    if not article:
        return label.rstrip("．.、，, ") if not parts else "".join(parts) + rest
    parts.append(f"第{article.group(1) or article.group(2)}条")
    rest = rest[article.end():]
    level = 0
    while rest:
        item = _ITEM.match(rest)
        if not item or level >= len(_SUB_LEVELS):
            parts.append(rest.rstrip("．.、，, "))
            break
        number = f"（{item.group(1)}）" if item.group(1) else item.group(2)
        parts.append(f"第{number}{_SUB_LEVELS[level]}")
        level += 1
        rest = rest[item.end():]
    return "".join(parts)
