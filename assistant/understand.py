"""(question, history, location) → Query: the asker's place, the topic, the kind of answer wanted.

People type as they speak: 繁體, English or mixed, typos and pinyin, a whole story before the question.
Everything is matched on the question's match key (`domain.normalize`); the words of the reviewed
lexicon bridge owners' words ("饭店", "房租", "rent") to the clauses' ("住宿餐饮", "经营用房"). A
follow-up ("找哪个部门？", "那湛河区呢？") keeps the topic and place of the conversation until the
asker changes them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from domain import places
from domain.lexicon import LEXICON
from domain.normalize import glossary_hits, is_english, match_key
from domain.text import cleaned, tokens
from domain.types import Qualifier, Query

FOLLOW_UP_MAX_CHARS = 14
LONG_MESSAGE_CHARS = 80  # beyond this a message is a story: its asking sentences carry the topic
SHORT_ASKING_CHARS = 10  # an asking sentence this short leans on the sentence before it
_PARTS = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_QUESTION_MARK = re.compile(r"[?？]")
_CLAUSES = re.compile(r"[^，,；;。！!？?\n]+[？?]?")
# how a sentence asks when no question mark says so; bare 几, 啥, 什么 are too common in a story to count
_ASKING = re.compile(r"吗|能不能|可不可以|可以不|是不是|是否|有没有|有无|怎么办|怎么|怎样|如何|多少|多久|哪个|哪些|哪里|什么时候|"
                     r"请问|想问|想知道|问一下|咨询|\b(can|could|how|what|which|who|when|where|is|are|do|does|will)\b")
_LATIN_ONLY = re.compile(r"^[a-z'&-]+$")
_TOPIC_WORDS = tuple(dict.fromkeys([*LEXICON.domain_terms, *LEXICON.synonyms]))  # words that name a topic


def understand(question: str, history: Sequence[dict[str, str]] = (), location: str | None = None,
               place_note: str | None = None) -> Query:
    """The query to search for. `location` is the asker's place (a gazetteer name) when the interface knows it;
    `place_note` says how an interface's place name was read (鲁山市 → 鲁山县), to be shown with the answer."""
    key = match_key(question)
    asking, story = _read_story(key)
    english = is_english(cleaned(question))
    earlier = [match_key(turn["content"]) for turn in history if turn.get("role") == "user" and turn.get("content")]
    follow_up = bool(earlier) and _is_follow_up(asking)
    # a story names many places (where the asker is from, works, looks at flats): the asking sentences say which counts
    # where the asker was (原来在郑州…当店长) is not where they are
    named = (_places(asking) if asking != key else []) or _places(LEXICON.asks["former"].sub("，", key))
    known = places.place(location) if location else None
    if known:  # 省里 asked from 济南 is 山东省's rules, not 河南省's
        named = [p for p in named if places.applies_to(p.name, known.name) or not places.said_only_relatively(p, key)]
    place = places.most_specific(named)
    if known:
        # the asker who names their own place (or a place in it) beside another is not in that other place:
        # "Our shop in Zhengzhou … half-price rent like the one Zhanhe offers?" asks from 郑州
        own = [p for p in named if places.applies_to(known.name, p.name)]
        place = _narrower(places.most_specific(own) if own else place, known)
    if not named:  # the place stays the one said last in the conversation until the asker names another
        for turn in reversed(earlier):
            said = places.most_specific(_places(turn))
            if said:
                place = _narrower(said, place) if place else said
                break
    compared = tuple(p.name for p in places.side_by_side(named))
    if compared:
        place = None
    topic_turns = _topic_turns(earlier) if follow_up else []
    topic = " ".join([*(asking_part(t) for t in topic_turns), *_terms(story), asking])
    topic_only = _without_places(topic)
    wants = _wants(asking) or next((w for w in map(_wants, reversed(topic_turns)) if w), None) or "rule"
    bridged = [word for word in LEXICON.synonyms if word in topic_only]
    glossed = glossary_hits(topic_only)
    terms = tuple(dict.fromkeys(
        bridged + [term for word in bridged for term in LEXICON.synonyms[word]] + [t for _, ts in glossed for t in ts]
    ))
    # a clause's coverage is measured on the Chinese words, and each English word or phrase counts once,
    # found when any of its Chinese terms is (see `retrieve.coverage`)
    words = [w for w in tokens(topic_only) if not _LATIN_ONLY.match(w)] + ["|".join(ts) for _, ts in glossed]
    remit = next((kind for kind in LEXICON.out_of_scope if kind.pattern.search(key if kind.whole_text else asking)), None)
    asks = LEXICON.asks
    return Query(
        question=question,
        out_of_scope=remit.reason_in("en" if english else "zh") if remit else None,
        search_text=" ".join([topic_only, *terms]),
        place=place.name if place else None,
        place_covered=place.covered if place else True,
        asks_local=_asks_uncovered_own_rules(place, asking, named),
        compared=compared,
        wants=wants,
        asks_figure=asks["figure"].search(asking) is not None,
        asks_when=asks["when"].search(asking) is not None,
        detail=next((kind for kind, detail in LEXICON.details.items() if detail.asked.search(asking)), None),
        terms=terms,
        words=tuple(dict.fromkeys(words)),
        language="en" if english else "zh",
        place_note=place_note,
        qualifiers=_qualifiers(topic, topic_only, _asked_parts(asking)),
    )


def _qualifiers(topic: str, topic_only: str, asked: str) -> tuple[Qualifier, ...]:
    """For each group of alternatives of which the topic names some members but not all, those members: a 县级
    base's question, a 商贸 firm's (each trade and service line), one about 国家级 and 省级 awards. When the parts
    of the question that ask (`_asked_parts`) name members of a group, those are the ones asked about, not what the
    asker tells they have or have seen: "2022年减了房租，2023年还能再减几个月不？" asks about 2023年 alone. What the
    asker says they are not names nothing."""
    in_topic = _named_members(topic, topic_only)
    in_asked = _named_members(asked, _without_places(asked)) if asked else {}
    qualifiers = []
    for group in LEXICON.alternatives.values():
        named = in_asked.get(group.name) or in_topic.get(group.name, {})
        if 0 < len(named) < len(group.members):
            qualifiers.append(Qualifier(group.name, frozenset(named), "、".join(dict.fromkeys(named.values()))))
    return tuple(qualifiers)


def _named_members(text: str, text_only: str) -> dict[str, dict[int, str]]:
    """Group name → the members `text` names (with what names them). The Chinese is read with its places (省级 is no
    place), the English without ("Lushan County" is no 县级), each English phrase by the members its first glossed
    term names, when its other terms name no others: "highly skilled" (中级工, 高级工) names neither, nor does
    "industrial enterprise" name 小微 for its 小微工业企业 or "price" 用电 for its 电价."""
    chinese = LEXICON.denied.sub("，", text)
    glossed = [terms for _, terms in glossary_hits(LEXICON.denied.sub("，", text_only))]
    found = {}
    for group in LEXICON.alternatives.values():
        named = group.named_in(chinese)
        for terms in glossed:
            said = group.named_in(terms[0])
            if said and group.named_in(" ".join(terms)).keys() == said.keys():
                named = {**said, **named}
        if named:
            found[group.name] = named
    return found


def _asked_parts(asking: str) -> str:
    """The parts (between commas) of the asking sentences that ask: with a question mark or worded as asking
    ("想问问：学员考的是初级工的，每人每年能补多少钱？" after "只看到中级工、高级工的数"). Empty when none is."""
    return "，".join(part for part in _CLAUSES.findall(asking)
                    if _QUESTION_MARK.search(part) or _ASKING.search(part) or LEXICON.asks["figure"].search(part))


def asking_part(text: str) -> str:
    """What a message asks: the whole of a short one; of a long one (a story, a pasted call) its asking
    sentences, those with a question mark if any has one (a very short one with the sentence before it:
    "减免几个月？"; when none names a topic, with the nearest sentence before them that does: "…市里对新引进的
    硕士有购房补贴。…像我这种情况能补多少钱？"), or its last two sentences when none asks."""
    return _read_story(text)[0]


def _read_story(text: str) -> tuple[str, str]:
    """`asking_part(text)`, and the sentence of a long message that sets the topic its asking sentences go on
    from when they name a topic of their own too ("…租国有房子的个体户能免房租。…像我这种情况，到底能免几个
    月？"). That sentence's domain terms are searched with them (`_terms`); it is not read for what is asked,
    so the story's 上学 or 打电话 is never taken for the request. Empty for a short message, or when the
    asking part holds that sentence already."""
    if len(text) <= LONG_MESSAGE_CHARS:
        return text, ""
    parts = [p.strip() for p in _PARTS.findall(text) if p.strip()]
    request, redirected = LEXICON.asks["request"], LEXICON.asks["redirected"]
    marked = [i for i, part in enumerate(parts) if _QUESTION_MARK.search(part)]
    chosen = marked or [i for i, part in enumerate(parts) if _ASKING.search(part) or request.search(part)]
    # a side question the hotline sent elsewhere is told of ("还问了驾驶证能不能异地办，我让他问交警"), not put to us
    chosen = [i for i in chosen if not redirected.search(parts[i])] or chosen
    if not marked:  # no question mark: of the sentences worded as asking, those that say what the asker wants to
        # know ("…是不是每个月都得报表，这个可以另外问统计局。他想知道市里奖励多少"); the others are told of
        requested = [i for i in chosen if request.search(parts[i])]
        chosen = [i for i in requested if _has_topic(parts[i])] or requested or chosen
    context = [i - 1 for i in chosen if i > 0 and len(parts[i]) < SHORT_ASKING_CHARS and i - 1 not in chosen]
    # the nearest sentence before the last asking one that names a topic
    leaning = next((j for j in range(max(chosen, default=0) - 1, -1, -1)
                    if j not in chosen and _has_topic(parts[j]) and not redirected.search(parts[j])), None)
    if leaning is not None and not any(_has_topic(parts[i]) for i in chosen):  # "像我这种情况能补多少钱？"
        context.append(leaning)
    keep = sorted({*chosen, *context}) or list(range(max(0, len(parts) - 2), len(parts)))
    topic = parts[leaning] if leaning is not None and leaning not in context else ""
    return "".join(parts[i] for i in keep), topic


def _asks_uncovered_own_rules(place: places.Place | None, text: str, named: list[places.Place]) -> bool:
    """Whether the text asks for the own rules of a place the corpus holds none of: 县里/区里 ask the asker's
    county, 市里 its city, 当地 or 郑州市的房租补贴 (a place named as the rules' owner: 我在深圳开店，广东省
    对房租有补贴吗) that place.
    "我在郑州开店" and "在县里办了个厂" only say where the asker is; 市里 asked from 温县 is 焦作市, whose
    rules the corpus has; and naming a covered place above the asker (孟州自己的措施跟焦作市的对不上) asks
    about that place's rules too."""
    if place is None or any(p.covered and p.level != "national" and places.applies_to(p.name, place.name) for p in named):
        return False
    targets = []
    for local in LEXICON.asks["local"].finditer(text):
        if text[max(0, local.start() - 1):local.start()] == "在":
            continue
        level = "city" if "市" in local.group(0) else "county" if re.search("[县区]", local.group(0)) else place.level
        targets.append(next((p for p in places.chain(place.name) if p.level == level), place))
    if targets:
        return not any(target.covered for target in targets)
    owned = LEXICON.asks["owned"].pattern
    return any(re.search(re.escape(name) + f"(?:{owned})", text)
               for p in [place, *named] if not p.covered for name in p.names)


def _is_follow_up(text: str) -> bool:
    return len(text) <= FOLLOW_UP_MAX_CHARS or LEXICON.asks["follow_up_start"].match(text) is not None


def _topic_turns(earlier: list[str]) -> list[str]:
    """The earlier turns that hold the conversation's topic: back to the last one that stood on its own."""
    for start in range(len(earlier) - 1, -1, -1):
        turn = asking_part(earlier[start])
        if start == 0 or not _is_follow_up(turn) or _has_topic(turn):
            return earlier[start:]
    return earlier


def _terms(text: str) -> list[str]:
    """The lexicon's topic words and domain terms in `text` (房租, 个体户), not the rest of the sentence: on the
    208 written story questions, searching the whole story sentence answered more but declined fewer of
    those the corpus cannot answer (8 of 28 against 11); its terms alone keep the 11."""
    return [word for word in _TOPIC_WORDS if word in text]


def _has_topic(text: str) -> bool:
    """Whether a short turn names a topic of its own (鲁山县的饭店房租能减免吗？), unlike 找哪个部门？."""
    return any(word in text for word in _TOPIC_WORDS)


def _wants(text: str) -> str | None:
    asks = LEXICON.asks
    return "department" if asks["department"].search(text) else "deadline" if asks["deadline"].search(text) else None


def _places(text: str) -> list[places.Place]:
    """Where the asker is or asks about, named in Chinese or in pinyin (Lushan County)."""
    named = places.asker_places(text)
    return named + [places.place(name) for name in places.latin_places(text) if name not in {p.name for p in named}]


def _narrower(named: places.Place | None, known: places.Place) -> places.Place:
    """The asker's place when the question names `named` and the asker is known to be in `known`.

    Naming a wider place the asker is in ("省里", "国家") asks about that level's rules, which still
    apply to the asker; the narrower place decides what applies. Naming another place moves the asker.
    """
    if named is None or places.applies_to(named.name, known.name):
        return known
    return named


def _without_places(text: str) -> str:
    """The text with place names (not ranks) taken out, so a follow-up can change the place but keep the topic."""
    for found in places.named_places(text):
        for alias in sorted(found.names, key=len, reverse=True):
            # with an English level word after it: the match key reads "Lushan County" as "鲁山 county"
            text = re.sub(rf"{re.escape(alias)}(?!级)(\s*{places.LATIN_LEVEL}\b)?", "", text, flags=re.IGNORECASE)
    return places.without_latin_places(text)
