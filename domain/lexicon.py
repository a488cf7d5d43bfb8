"""The reviewed domain knowledge, loaded from `domain/data/` and validated once, at import.

Vocabularies, kinds of request and English glossary are data files reviewed like code; this module
only reads and checks them (every pattern compiles, every kind is complete) and fails loudly on a
broken file rather than answering with half a lexicon.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


class LexiconError(ValueError):
    """A data file of the lexicon is missing a field or holds a pattern that does not compile."""


@dataclass(frozen=True)
class RemitKind:
    """A kind of request declined whatever the corpus holds, with the reason told to the asker."""

    name: str  # how the remit head (`assistant.remit`) names the kind it recognises
    reason: str
    reason_en: str
    pattern: re.Pattern[str]
    whole_text: bool = False  # looked for in the whole message, not only in its asking sentences
    hedged: str | None = None  # said when only the remit head read a request as this kind (default: `reason`)
    hedged_en: str | None = None

    def reason_in(self, language: str, read_by_head: bool = False) -> str:
        """The reason told to an asker who writes in `language` (zh or en); `read_by_head`: the remit head
        recognised the kind, no reviewed pattern worded it, so the hedged wording when the kind has one."""
        if language == "en":
            return (read_by_head and self.hedged_en) or self.reason_en
        return (read_by_head and self.hedged) or self.reason


@dataclass(frozen=True)
class DetailKind:
    """A detail a question may ask for (an amount, a phone number) that a clause may not state."""

    asked: re.Pattern[str]
    stated: re.Pattern[str]
    name: str
    name_en: str


@dataclass(frozen=True)
class Alternatives:
    """Qualifiers a rule names one or some of (国家级、省级、市级): what it states for them is not said of
    another member."""

    name: str
    members: tuple[re.Pattern[str], ...]  # "省级以上" names no single member

    def named_in(self, text: str) -> dict[int, str]:
        """The members `text` names, by index, each with the words it uses (its first), and the members a span from
        one member to a later one passes ("2022年1月1日至2024年12月31日" names 2023年 too; 第一季度至第三季度 the
        second): the members are in order where order means anything."""
        found = sorted((m.start(), m.end(), i, m.group()) for i, member in enumerate(self.members)
                       for m in member.finditer(text))
        first: dict[int, str] = {}
        for _, _, i, said in found:
            first.setdefault(i, said)
        named = dict(sorted(first.items()))
        for (_, end, low, said), (start, _, high, _) in zip(found, found[1:]):
            if low + 1 < high and _SPAN.fullmatch(text[end:start]):
                named.update({i: said for i in range(low + 1, high)})
        return named


_SPAN = re.compile(r"[^，,。；;]{0,10}(至|到|—|－|-|~)[^，,。；;]{0,3}")  # 1月1日至 between two years


@dataclass(frozen=True)
class Lexicon:
    domain_terms: tuple[str, ...]
    stop_words: frozenset[str]
    question_words: tuple[str, ...]  # repaired from a homophone as domain terms are (多绍 → 多少)
    synonyms: dict[str, tuple[str, ...]]
    asks: dict[str, re.Pattern[str]]  # one pattern for each name of ASKS
    out_of_scope: tuple[RemitKind, ...]
    details: dict[str, DetailKind]
    desk_topics: dict[str, tuple[str, ...]]
    scope_topics: str
    highlight_skip: frozenset[str]  # never marked in desk results (不能, 情况)
    draft_markers: tuple[str, ...]  # a document whose title carries one is a draft (讨论稿, 征求意见稿): not in force
    trial_markers: tuple[str, ...]  # in force on trial (试行)
    glossary: dict[str, tuple[str, ...]]  # English word or phrase (lower case) → Chinese terms clauses use
    taiwan_phrases: dict[str, str]  # Taiwan word → the mainland's (软体 → 软件), both in simplified characters
    assigns_responsibility: re.Pattern[str]  # a clause's text naming who is responsible (由市市场监管局负责)
    alternatives: dict[str, Alternatives]  # by name
    denied: re.Pattern[str]  # how an asker says what they are not: members named there are not the asker's


ASKS = ("department", "deadline", "figure", "when", "local", "owned", "follow_up_start", "request", "redirected",
        "former")


def _compile(pattern: object, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise LexiconError(f"{where}: a pattern must be a non-empty string")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise LexiconError(f"{where}: {error}") from None


def _field(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LexiconError(f"{where}: missing {key!r}")
    return value


def _hedged(table: dict, where: str) -> tuple[str | None, str | None]:
    """A kind's hedged wording: in both languages, or in neither (an English asker must not get the firm one)."""
    if "hedged" not in table and "hedged_en" not in table:
        return None, None
    return _field(table, "hedged", where), _field(table, "hedged_en", where)


def _tab_lines(path: Path) -> Iterator[tuple[str, str, str, str]]:
    """(where, left, tab, right) of each line of a `left<TAB>right` file that is not blank or a `#` comment."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield f"{path.name}:{number}", *line.partition("\t")


def read_glossary(path: Path) -> dict[str, tuple[str, ...]]:
    """`english<TAB>术语|术语` lines; `#` comments. Keys are unique, lower case, with 1–4 terms each."""
    glossary: dict[str, tuple[str, ...]] = {}
    for where, english, tab, chinese in _tab_lines(path):
        terms = tuple(t.strip() for t in chinese.split("|") if t.strip())
        if not tab or not english.strip() or not 1 <= len(terms) <= 4:
            raise LexiconError(f"{where}: expected 'english<TAB>术语|术语'")
        if english != english.strip().lower() or english in glossary:
            raise LexiconError(f"{where}: {english!r} must be lower case and appear once")
        glossary[english] = terms
    return glossary


def read_taiwan_phrases(path: Path) -> dict[str, str]:
    """`taiwan<TAB>mainland` lines; `#` comments. Each Taiwan phrase appears once and differs from its mainland word."""
    phrases: dict[str, str] = {}
    for where, taiwan, tab, mainland in _tab_lines(path):
        if not tab or not taiwan or not mainland or taiwan == mainland or taiwan in phrases:
            raise LexiconError(f"{where}: expected 'taiwan<TAB>mainland', each taiwan phrase once")
        phrases[taiwan] = mainland
    return phrases


def load(directory: Path = DATA_DIR) -> Lexicon:
    data = tomllib.loads((directory / "lexicon.toml").read_text(encoding="utf-8"))
    asks = data.get("asks", {})
    missing = [name for name in ASKS if name not in asks]
    if missing:
        raise LexiconError(f"lexicon.toml [asks]: missing {missing}")
    details = {
        kind: DetailKind(_compile(table.get("asked"), f"details.{kind}.asked"),
                         _compile(table.get("stated"), f"details.{kind}.stated"),
                         _field(table, "name", f"details.{kind}"), _field(table, "name_en", f"details.{kind}"))
        for kind, table in data.get("details", {}).items()
    }
    remit = tuple(
        RemitKind(_field(table, "name", f"out_of_scope[{i}]"),
                  _field(table, "reason", f"out_of_scope[{i}]"), _field(table, "reason_en", f"out_of_scope[{i}]"),
                  _compile(table.get("pattern"), f"out_of_scope[{i}].pattern"), bool(table.get("whole_text", False)),
                  *_hedged(table, f"out_of_scope[{i}]"))
        for i, table in enumerate(data.get("out_of_scope", []))
    )
    if len({kind.name for kind in remit}) < len(remit):
        raise LexiconError("lexicon.toml [[out_of_scope]]: each kind needs a name of its own")
    alternatives = {}
    for i, table in enumerate(data.get("alternatives", [])):
        name, members = _field(table, "name", f"alternatives[{i}]"), table.get("members")
        if not isinstance(members, list) or len(members) < 2 or name in alternatives:
            raise LexiconError(f"lexicon.toml [[alternatives]] {name}: needs a name of its own and two members or more")
        alternatives[name] = Alternatives(name, tuple(_compile(f"(?:{member})(?!及?以上)", f"alternatives.{name}")
                                                      for member in members))
    return Lexicon(
        domain_terms=tuple(_field(data, "domain_terms", "lexicon.toml").split()),
        stop_words=frozenset(_field(data, "stop_words", "lexicon.toml").split()),
        question_words=tuple(_field(data, "question_words", "lexicon.toml").split()),
        synonyms={word: tuple(terms) for word, terms in data.get("synonyms", {}).items()},
        asks={name: _compile(asks[name], f"asks.{name}") for name in ASKS},
        out_of_scope=remit,
        details=details,
        desk_topics={topic: tuple(words) for topic, words in data.get("desk_topics", {}).items()},
        scope_topics=_field(data, "scope_topics", "lexicon.toml"),
        highlight_skip=frozenset(_field(data, "highlight_skip", "lexicon.toml").split()),
        draft_markers=tuple(_field(data, "draft_markers", "lexicon.toml").split()),
        trial_markers=tuple(_field(data, "trial_markers", "lexicon.toml").split()),
        glossary=read_glossary(directory / "glossary_en.tsv"),
        taiwan_phrases=read_taiwan_phrases(directory / "taiwan_phrases.tsv"),
        assigns_responsibility=_compile(data.get("assigns_responsibility"), "assigns_responsibility"),
        alternatives=alternatives,
        denied=_compile(data.get("denied"), "denied"),
    )


LEXICON = load()
