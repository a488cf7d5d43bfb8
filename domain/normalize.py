"""What a question is matched on: the asker's text as simplified Chinese, with typing noise repaired.

People type 繁體, full-width letters, emoji, stray markup, homophone typos (社宝, 增直税), pinyin
(shebao) and pinyin initials (zjtx), or write in English. `match_key` turns all of that into the
words the lexicon and the corpus use; it is used for matching only. What is shown back to the
asker is their own text, and quotes are always the source's.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from domain.lexicon import LEXICON
from domain.places import GAZETTEER
from domain.text import cleaned, is_dictionary_word, word_bounds

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z][a-z'&-]*")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_ENGLISH_WORD = re.compile(r"[a-z0-9&+]+")  # a word as the glossary is matched: letters, digits, r&d, c++


def is_english(text: str) -> bool:
    """Whether the asker wrote mostly English (more Latin letters than Chinese characters): answer in English."""
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 2 * len(_HAN.findall(text)) and latin >= 6


SPELLED_MIN = 4  # letters of the shortest pinyin read as a term: two syllables (lixi); one (fang) is too ambiguous
_FUZZY = ((re.compile(r"([zcs])h"), r"\1"), (re.compile(r"(?<=[aei])ng\b"), "n"))  # 鲁三 = 鲁山: zh/z, ch/c, sh/s, ang/an …


def _pinyin(word: str) -> str:
    return "".join(lazy_pinyin(word)).lower()


@lru_cache(maxsize=65536)
def _sound(word: str) -> str:
    """Pinyin with the confusions of many speakers folded (zh/z, ch/c, sh/s, -ng/-n), syllables kept apart."""
    sound = " ".join(lazy_pinyin(word)).lower()
    for pattern, replacement in _FUZZY:
        sound = pattern.sub(replacement, sound)
    return sound


def _initials(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER)).lower()


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, list[str]], dict[str, str], dict[str, str], set[tuple[int, str]]]:
    """The domain's own terms and the words people ask with (多少, 几年) by their pinyin (all that sound alike:
    延期 and 央企), by their pinyin initials (terms of three characters or more, only where the initials name
    one term) and by their pinyin spelled out (four letters or more); and each (length, character) of a term,
    as a typo shares a character with the term it stands for. A covered place's full name (湛河区) is heard
    only: its initials would crowd out a term's (zzs is 增值税, not 郑州市)."""
    def han(words) -> set[str]:
        return {t for t in words if 2 <= len(t) <= 6 and all(_HAN.fullmatch(c) for c in t)}

    terms = han({*LEXICON.domain_terms, *LEXICON.question_words,
                 *LEXICON.synonyms, *(t for ts in LEXICON.synonyms.values() for t in ts),
                 *(t for ts in LEXICON.glossary.values() for t in ts),
                 *(a for p in GAZETTEER if p.covered or p.home for a in p.aliases)})  # 焦做 → 焦作
    heard = terms | han(p.name for p in GAZETTEER if p.covered or p.home)  # 湛河渠 → 湛河区
    by_sound: dict[str, list[str]] = {}
    for term in sorted(heard):  # sorted: the same reading in every process, whatever the hash seed
        by_sound.setdefault(_sound(term), []).append(term)
    by_initials: dict[str, set[str]] = {}
    for term in sorted(t for t in terms if len(t) >= 3):
        by_initials.setdefault(_initials(term), set()).add(term)
    unique_initials = {key: next(iter(found)) for key, found in by_initials.items() if len(found) == 1}
    spelled = {_pinyin(term): term for term in sorted(terms, key=lambda t: (-len(t), t)) if len(_pinyin(term)) >= SPELLED_MIN}
    return by_sound, unique_initials, spelled, {(len(term), char) for term in heard for char in term}


def repaired(text: str) -> str:
    """Homophone typos of domain terms replaced by the term (社宝 → 社保, 增直税 → 增值税, 焦做 → 焦作), and
    pinyin words or initials that spell one (shebao → 社保, zjtx → 专精特新). A run that is itself a word
    jieba knows, or a term, is never changed, nor a function word opening a run before a word as written (是政府);
    a candidate must share a character with the term (宴期 → 延期, not 央企, which sounds alike to many
    speakers). Pinyin of four letters (lixi → 利息, fuze → 负责) is read only in Chinese text: in English, such a
    word is more likely English."""
    by_sound, by_initials, spelled, in_terms = _vocabulary()
    shortest = SPELLED_MIN if not is_english(text) else SPELLED_MIN + 1

    def fix_run(match: re.Match[str]) -> str:
        run = match.group(0)
        bounds = word_bounds(run)  # a typo is whole words of its own: 新项 in 新项目 is not one
        out, i = [], 0
        while i < len(run):
            for size in range(min(6, len(run) - i), 1, -1) if i in bounds else ():
                window = run[i:i + size]
                if i + size not in bounds or not any((size, char) in in_terms for char in window):
                    continue  # cheap tests first: pinyin is the slow part
                alike = by_sound.get(_sound(window), ())
                term = next((t for t in alike if set(t) & set(window)), None)
                if term and window not in alike and not is_dictionary_word(window) \
                        and not _function_word_before_a_word(window, term, sorted(b - i for b in bounds if i <= b <= i + size)):
                    out.append(term)
                    i += size
                    break
            else:
                out.append(run[i])
                i += 1
        return "".join(out)

    def fix_latin(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in LEXICON.glossary or _english_form(word) in _glossary_forms():
            return word
        return (spelled.get(word) if len(word) >= shortest else None) or by_initials.get(word) or word

    text = _HAN_RUN.sub(fix_run, text)
    return _LATIN_WORD.sub(fix_latin, text.lower())


def _function_word_before_a_word(window: str, term: str, bounds: list[int]) -> bool:
    """Whether the window opens with a function word (a stop word) the term would change, before a word of two
    characters or more kept as written: 是政府 is "is the government", not 市政府, and 在贷款到期前 is not 再贷款.
    Inside or after a term a function word is a typo often enough to be repaired (承对期限, 绿色通到, 健康吗)."""
    if len(bounds) < 3:  # bounds[0] is the window's start
        return False
    second, third = bounds[1], bounds[2]
    opening, after = window[:second], window[second:third]
    return (opening in LEXICON.stop_words and opening != term[:second]
            and len(after) >= 2 and after == term[second:third])


def glossary_hits(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The English words and phrases of `text` the glossary knows, longest phrase first, each with its terms.
    Matched in `_english_form`: plurals, British spellings and hyphens find the entry (subsidies, recognised
    firms, work-injury)."""
    lowered = f" {_english_words(text)} "
    hits = []
    for phrase, (entry, terms) in _glossary_forms().items():
        if f" {phrase} " in lowered:
            hits.append((entry, terms))
            lowered = lowered.replace(f" {phrase} ", "  ")
    return hits


# suffixes read back to the form a glossary entry has; words ending in ss, us or is keep theirs (business, bonus)
_INFLECTIONS = (("isation", "ization"), ("ised", "ized"), ("ies", "y"), ("sses", "ss"), ("ches", "ch"),
                ("shes", "sh"), ("xes", "x"), ("ss", "ss"), ("us", "us"), ("is", "is"), ("s", ""))


def _english_words(text: str) -> str:
    """The English words of `text`, each in `_english_form`, a space between (hyphens and punctuation part them)."""
    return " ".join(map(_english_form, _ENGLISH_WORD.findall(text.lower())))


def _english_form(word: str) -> str:
    """An English word singular and in American spelling: subsidies → subsidy, recognised → recognized."""
    for suffix, replacement in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: len(word) - len(suffix)] + replacement
    return word


@lru_cache(maxsize=1)
def _glossary_forms() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each glossary entry by its words in `_english_form`, longest first: form → (entry, terms)."""
    forms: dict[str, tuple[str, tuple[str, ...]]] = {}
    for entry in sorted(LEXICON.glossary, key=lambda e: (-len(e), e)):
        forms.setdefault(_english_words(entry), (entry, LEXICON.glossary[entry]))
    return forms


def match_key(text: str) -> str:
    """The text as the answer path matches it: cleaned, simplified, typos and pinyin repaired, lower case."""
    return repaired(cleaned(text))
