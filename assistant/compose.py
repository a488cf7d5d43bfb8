"""Hits → Answer: a short extractive lead, then verbatim quotes tagged with where they come from.

Deterministic and offline. Every quote is a run of whole sentences of its clause, so it is
source text; the lead only repeats a quoted sentence and names its source. Nothing is claimed
beyond the quotes: too weak evidence, a place the corpus does not cover, or a detail asked for
(an amount, a phone number) that no quote states is a refusal.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from domain import places
from domain.types import Answer, Citation, Corpus, Hit, Jurisdiction, Qualifier, Query
from domain.lexicon import LEXICON
from domain.text import answerable_sentences, clause_reference, is_heading, sentences
from index.clauses import numbering

MAX_QUOTE_CHARS = 220
RERANK_MARGIN = 0.15  # a citation ranked this far below the best one is noise, not support


def _scope() -> str:
    """What the corpus covers, said from the covered places (places.toml) and the lexicon's topics."""
    covered = [p for p in places.covered_places() if p.level != "national"]
    named = "、".join(p.name if p.level != "county" else f"{p.parent}{p.name}" for p in covered)
    return f"本助手覆盖国家和{named}的惠企纾困政策：{LEXICON.scope_topics}。"


SCOPE = _scope()
SCOPE_EN = ("The assistant covers national enterprise-relief policies and those of " +
            ", ".join(p.name for p in places.covered_places() if p.level != "national") + ".")
# what a refusal or a lead says, in the asker's language (quotes stay the Chinese source)
_SAID = {
    "zh": {"sorry": "抱歉，", "rephrase": f"{SCOPE}您可以换个说法，或说明所在县区和具体事项（如房租、社保、贷款）。",
           "nothing": "现有政策库中没有找到能回答这个问题的条款。", "unclear": "现有政策原文中没有找到明确回答这个问题的条款。",
           "elsewhere": "{place}的政策不在本库中。",
           "own": "本库没有{place}本级的政策。", "ask_on": "具体可向负责部门或12345热线咨询。",
           "period": "这项措施的执行期限至{until}", "ended": "，已经结束", "no_date": "（这项规定没有写明截止日期，以原文为准。）"},
    "en": {"sorry": "Sorry: ", "rephrase": f" {SCOPE_EN} Try other words, or say your county and the matter (rent, social insurance, loans).",
           "nothing": "no clause in the policy library answers this question.",
           "unclear": "no clause of the policy texts clearly answers this question.", "elsewhere": "the policies of {place} are not in the library.",
           "own": "the library has no policies of {place} itself.", "ask_on": " Ask the responsible department or the 12345 hotline.",
           "period": "the measure runs until {until}", "ended": ", and has ended", "no_date": " (The rule states no end date; see the original.)"},
}
# a date as clauses state one: 2022年12月31日, 2022年6月底, 年底前, 至2023年; a year alone names a measure's
# year (2022年继续实施…), not when it ends
DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月\s*(底|末|\d{1,2}\s*日)|年底|年末|(至|到|截至|截止)\s*\d{4}\s*年")
_DEPARTMENT_LABEL = re.compile(r"^[^：:，,]{1,6}(单位|部门)[：:]")  # 牵头单位：… or 责任部门：…
# an amount, share, count or period as clauses state them: 20万元, 50%, 3个月, 1个工作日, 30分钟, 1次, 不超过一年
FIGURE = re.compile(r"\d[\d.,，]*\s*(%|％|万|亿|元|个月|个?工作日|年|天|日|小时|分钟|周|次|倍|家|人|户|项|平方米)"
                    r"|[一二三四五六七八九十两]+(个月|个?工作日|年|天|小时|分钟|周|倍|次)")


def best_quote(text: str, words: list[str], wanted: re.Pattern[str] | None = None, max_sentences: int = 3,
               around: str | None = None) -> str:
    """The sentence of `text` that answers best, with as many as `max_sentences` - 1 neighbours of the
    same numbered item as fit in MAX_QUOTE_CHARS: context helps (the period after a rule, the group
    it is for), and the run holding more query words wins among equals. With `around` (a sentence of
    `text`, the lead) only runs holding that sentence are quoted.

    A sentence answers by the query words it holds; stating the `wanted` kind of detail (a figure when
    the question asks how much, how long or until when) counts as one more: "最多能贷多少" is
    answered by the sentence with 20万元, not by the one that only names the loan.
    """
    parts = sentences(text)
    if not parts:
        return text.strip()
    quotable = [i for i, part in enumerate(parts) if not is_heading(part)] or list(range(len(parts)))
    candidates = [
        list(range(start, start + size))
        for start in quotable
        for size in range(1, max_sentences + 1)
        if all(i in quotable for i in range(start, start + size))
        and not any(numbering(parts[i]) for i in range(start + 1, start + size))  # never into the next item
        and (around is None or any(parts[i] == around for i in range(start, start + size)))
    ] or [[i] for i, part in enumerate(parts) if part == around]
    def value(span: list[int]) -> tuple[bool, int, int, int, int]:
        joined = "".join(parts[i] for i in span)
        fits = len(joined) <= MAX_QUOTE_CHARS or len(span) == 1
        return (fits, max(answers(parts[i], words, wanted) for i in span), answers(joined, words, wanted),
                len(span), -len(joined))

    chosen = max(candidates, key=value)
    return "".join(parts[i] for i in chosen).strip()


def answers(passage: str, words: Sequence[str], wanted: re.Pattern[str] | None = None) -> int:
    """How much of the question a passage answers, lexically: the query words it holds, and one more when it
    states the `wanted` kind of detail."""
    return sum(1 for w in dict.fromkeys(words) if _holds(passage, w)) + (1 if wanted and wanted.search(passage) else 0)


def _holds(passage: str, word: str) -> bool:
    """Whether the passage has the word; a number only as a whole number (10 of 折旧年限10年 is not in 100%)."""
    if word.isdigit():
        return re.search(rf"(?<![\d.]){word}(?![\d.])", passage) is not None
    return word in passage


def refusal(query: Query, location: Jurisdiction | None, why: str, timings: dict[str, float]) -> Answer:
    return _declined(query, location, why, _SAID[query.language]["rephrase"], timings)


def _declined(query: Query, location: Jurisdiction | None, why: str, advice: str, timings: dict[str, float]) -> Answer:
    note = f"{query.place_note}\n" if query.place_note else ""
    return Answer(
        question=query.question,
        text=f"{note}{_SAID[query.language]['sorry']}{why}{advice}",
        citations=(),
        refused=True,
        location=location,
        timings=timings,
        notice=why,
    )


def compose(
    query: Query,
    hits: list[Hit],
    corpus: Corpus,
    words: list[str],
    today: str,
    top_k: int,
    min_relevance: float,
    timings: dict[str, float],
    reader_floor: float | None = None,
    lead_sentence: Callable[[Citation, list[str], re.Pattern[str] | None], str] | None = None,
    reader_confident: float | None = None,
) -> Answer:
    """The answer to `query` from its ordered hits, or a refusal saying why.

    Declined when the remit or the place rules it out, when no shortlisted hit reaches `min_relevance`
    (unless the reader scored one `reader_confident` or more), when the reader read the shortlist and
    scored none above `reader_floor`, or when a detail is asked that no answering sentence of the top rule
    or of another place's rule states (`_top_and_wider`; any rule when places are compared).
    `lead_sentence` picks the leading rule's sentence that answers among its `lead_candidates`, given the
    detail asked (`asked_detail`; the reader's choice), and that rule is quoted around it; without it the
    sentence of the quotes stating what was asked leads, else the top quote's first."""
    location = places.place(query.place).jurisdiction if query.place else None
    said = _SAID[query.language]
    if query.out_of_scope:
        return refusal(query, location, query.out_of_scope, timings)
    shortlist = hits[:top_k]
    if location and not query.place_covered and query.asks_local and not _names_place(shortlist, corpus, query.place):
        # the wider places' rules apply, but the question is about the city's or county's own; unless a wider
        # rule states the place's part ("信阳 150家" of the province's 小升规 targets)
        return refusal(query, location, said["own"].format(place=location.name), timings)
    if not shortlist:
        return refusal(query, location, said["nothing"], timings)
    best_reading = max(h.scores.get("reader", -math.inf) for h in shortlist)
    on_topic = max(h.scores["relevance"] for h in shortlist) >= min_relevance
    if reader_floor is not None and best_reading <= reader_floor:  # the reader found no candidate that answers
        if on_topic:  # but the words found the topic
            nearest = cite(shortlist[0], corpus, words, today, asked_detail(query))
            return _declined(query, location, said["unclear"] + _nearest(nearest, query.language), said["ask_on"],
                             timings)
        return refusal(query, location, said["nothing"], timings)
    trusted = reader_confident is not None and best_reading >= reader_confident  # it read one that does
    if not on_topic and not trusted:
        return refusal(query, location, said["nothing"], timings)
    # noise is judged on the lexical scale the margin was set on; the order (the reader's included) ranks
    best_rerank = max(h.scores["rerank"] for h in shortlist)
    chosen = [shortlist[0], *(h for h in shortlist[1:] if h.scores["rerank"] >= best_rerank - RERANK_MARGIN)]
    if query.compared:
        chosen = _each_place_represented(chosen, hits, corpus, query.compared, min_relevance)
    asked = asked_detail(query)
    citations = [cite(h, corpus, words, today, asked) for h in chosen]
    nearest = citations[0]
    local = {c.jurisdiction.name for c in citations if c.jurisdiction.level in ("city", "county")}
    grouped = location is None and len(local) > 1  # rules differ by place: each place's quotes together
    if grouped:
        order = {name: i for i, name in enumerate(dict.fromkeys(c.jurisdiction.name for c in citations))}
        citations.sort(key=lambda c: order[c.jurisdiction.name])
    answering = citations if query.compared else _top_and_wider(citations)
    stating = _stating(answering, words, asked, query.qualifiers)
    if query.detail and stating is None:  # some rule's answering sentence must state it, not a figure beside it
        stating = _stating_among_equals(answering, words, asked, query.qualifiers)
    if stating is not None and stating[1] not in stating[0].quote:  # the rule's sentence for the asker: quote it
        citations, rule = _quoted_around(citations, *stating, words, asked)
        stating = (rule, stating[1])
        answering = citations if query.compared else _top_and_wider(citations)
    if stating is None and query.qualifiers and (other := _stating(answering, words, asked)):
        # what was asked is stated, but for others: "暂停铁路运输企业预缴增值税一年" does not answer 公路货运
        return unstated(query, location, nearest, timings, _named_instead(other[1], query.qualifiers))
    if query.detail and stating is None:
        return unstated(query, location, nearest, timings)
    notice = None
    if query.compared:
        notice = f"按地区对比（{'、'.join(query.compared)}），各地规定分别列出。"
    elif grouped:
        notice = f"这项政策各地不同（{'、'.join(sorted(local))}），以下按地区列出；告诉我您所在的县区可只看适用的规定。"
    elif location is not None and not query.place_covered:
        wider = [p.name for p in places.chain(location.name) if p.covered and p.name != location.name]
        notice = f"本库没有{location.name}本级的政策，以下是适用于{location.name}的{'、'.join(reversed(wider))}规定。"
    if query.place_note:
        notice = f"{query.place_note}{notice or ''}"
    drafts = draft_notice(citations, query.language)
    if drafts:
        notice = f"{notice}\n{drafts}" if notice else drafts
    lead = _leading(query, citations, stating, _stating(answering, words, DATE) if query.wants == "deadline" else None,
                    asked)
    if lead is not None and lead_sentence is not None:
        rule, chosen_by_words, wanted = lead
        # never a sentence stating it for others than the asker: "承租国有资产类经营用房的免收3个月房租" beside the
        # 非国有 one in the same clause does not answer a private landlord's tenant
        parts = [part for part in lead_candidates(rule.clause.text, wanted)
                 if not _named_instead(part, query.qualifiers)]
        sentence = lead_sentence(rule, parts or [chosen_by_words], asked)
        if sentence not in rule.quote:  # the reader's sentence lies outside the quote: quote the run holding it
            citations, rule = _quoted_around(citations, rule, sentence, words, wanted)
        lead = (rule, sentence, wanted)
    return Answer(
        question=query.question,
        text=_text(query, citations, lead, notice),
        citations=tuple(citations),
        refused=False,
        location=location,
        timings=timings,
        notice=notice,
    )


def _quoted_around(citations: list[Citation], rule: Citation, sentence: str, words: list[str],
                   wanted: re.Pattern[str] | None) -> tuple[list[Citation], Citation]:
    """The citations with `rule` quoted at the run of its clause holding `sentence`, and that citation: a lead
    repeats a quoted sentence, so a sentence chosen outside the quote brings its quote with it."""
    requoted = replace(rule, quote=best_quote(rule.clause.text, words, wanted, around=sentence))
    return [requoted if c is rule else c for c in citations], requoted


def _names_place(hits: list[Hit], corpus: Corpus, place: str) -> bool:
    """Whether a hit's clause names the place (by any of its names): a wider rule stating its part."""
    names = places.place(place).names
    return any(name in corpus.clause(h.clause_id).text for h in hits for name in names)


def _each_place_represented(chosen: list[Hit], hits: list[Hit], corpus: Corpus, compared: tuple[str, ...],
                            min_relevance: float) -> list[Hit]:
    """The chosen hits plus, for each compared place without one, its own best relevant hit, best first."""
    have = {corpus.document(h.doc_id).jurisdiction.name for h in chosen}
    extra = []
    for name in compared:
        if name not in have:
            own = next((h for h in hits if corpus.document(h.doc_id).jurisdiction.name == name), None)
            if own is not None and own.scores["relevance"] >= min_relevance:
                extra.append(own)
    return sorted(chosen + extra, key=lambda h: -h.scores["order"])


def asked_detail(query: Query) -> re.Pattern[str] | None:
    """The kind of detail the quotes should state: the one asked for, else who is responsible when that is
    asked, else any figure when one is."""
    if query.detail:
        return LEXICON.details[query.detail].stated
    if query.wants == "department":  # the sentence saying who runs it (由市金融工作局负责), not its neighbour
        return LEXICON.assigns_responsibility
    if query.asks_when:  # a when-question is answered by the sentence that states a date, not any figure
        return DATE
    return FIGURE if query.asks_figure else None


def unstated(query: Query, location: Jurisdiction | None, nearest: Citation, timings: dict[str, float],
             instead: tuple[Qualifier, list[str]] | None = None) -> Answer:
    """A refusal for a question whose topic the corpus has but whose asked detail it does not state, or
    states only `instead` for others than the asker (省级 for a 县级 question): it names the nearest clause
    and who is responsible, so the asker knows where to go on."""
    detail = LEXICON.details[query.detail] if query.detail else None
    if instead:
        qualifier, others = instead
        stated = (f"the policy text states this for {'、'.join(others)}, not for {qualifier.said}." if query.language == "en"
                  else f"现有政策原文写明的是{'、'.join(others)}的规定，没有写明{qualifier.said}的{detail.name if detail else '规定'}。")
    else:
        assert detail is not None
        stated = (f"the policy text does not state {detail.name_en}." if query.language == "en"
                  else f"现有政策原文没有写明{detail.name}。")
    return _declined(query, location, stated + _nearest(nearest, query.language), _SAID[query.language]["ask_on"],
                     timings)


def _nearest(citation: Citation, language: str = "zh") -> str:
    """The sentence naming the nearest rule and who is responsible for it, so a declined asker (or the hotline
    agent) knows where to go on."""
    reference = f"《{citation.document.title}》{clause_reference(citation.clause.label)}"
    departments = f"（{citation.clause.departments}）" if citation.clause.departments else ""
    if language == "en":
        return f" The nearest clause is {_where(citation, 'en')}'s {reference}{departments}."
    return f"最接近的是{_where(citation)}{reference}{departments}。"


def _where(citation: Citation, language: str = "zh") -> str:
    """Whose rule a citation is, as a lead says it: 国家层面 or the place's name."""
    if language == "en":
        return "the national level" if citation.jurisdiction.level == "national" else citation.jurisdiction.name
    return "国家层面" if citation.jurisdiction.level == "national" else citation.jurisdiction.name


def cite(hit: Hit, corpus: Corpus, words: list[str], today: str, wanted: re.Pattern[str] | None = None) -> Citation:
    """The citation a hit becomes: the best verbatim quote of its clause for `words`, tagged and dated."""
    clause = corpus.clause(hit.clause_id)
    document = corpus.document(hit.doc_id)
    valid_until = clause.valid_until or document.valid_until
    return Citation(
        quote=best_quote(clause.text, words, wanted),
        jurisdiction=document.jurisdiction,
        document=document,
        clause=clause,
        valid_until=valid_until,
        expired=bool(valid_until and valid_until < today),
        score=hit.scores["order"],
    )


def _leading(query: Query, citations: list[Citation], stating: tuple[Citation, str] | None,
             dated: tuple[Citation, str] | None, asked: re.Pattern[str] | None
             ) -> tuple[Citation, str, re.Pattern[str] | None] | None:
    """The rule whose sentence leads, that sentence as the words choose it, and the detail the lead should
    state: the sentence stating what was asked (a date when the deadline is), else the top quote's first,
    with a date, a typed detail or who is responsible still wanted (the words' best sentence may not state it
    where a neighbour does: "补足时间…延期至2022年12月31日" answers "啥时候之前要补交" though "暂退保证金"
    holds more of its words), but not any figure: that is read off loose words ("雇了几个人" in a story).
    None when the lead is not a sentence: who is responsible, or a measure's period when no quote states a date."""
    top = citations[0]
    if query.wants == "department" and top.clause.departments:
        return None
    if query.wants == "deadline" and dated:
        return (*dated, DATE)
    if query.wants == "deadline" and top.valid_until:
        return None
    return (*stating, asked) if stating else (top, sentences(top.quote)[0], None if asked is FIGURE else asked)


def lead_candidates(text: str, wanted: re.Pattern[str] | None = None) -> list[str]:
    """The sentences of a clause a lead may be: those stating the `wanted` detail when any does, else all but
    its headings. The whole clause, not its quote: the reader learnt to choose among all of a clause's
    sentences, and the quote is cut around its choice."""
    parts = answerable_sentences(text)
    return [p for p in parts if wanted and wanted.search(p)] or parts


def _text(query: Query, citations: list[Citation], lead: tuple[Citation, str, re.Pattern[str] | None] | None,
          notice: str | None) -> str:
    """The answer's text: the lead line (`_leading`'s sentence with its source, else who is responsible or the
    measure's period), the notice, then the tagged quotes."""
    top = citations[0]
    if lead is None and query.wants == "department":
        departments = top.clause.departments
        labelled = _DEPARTMENT_LABEL.match(departments)  # 牵头单位：…，责任单位：… says who leads
        line = f"{_where(top)}这项工作的{departments if labelled else '负责部门：' + departments}。"
        if query.language == "en":
            line = f"Responsible at {_where(top, 'en')} (original Chinese): {departments}."
    elif lead is None:
        line = f"At {_where(top, 'en')}, {_period(top, 'en')}." if query.language == "en" else f"{_where(top)}{_period(top)}。"
    else:
        rule, sentence, _ = lead
        line = f"据{_where(rule)}《{rule.document.title}》{clause_reference(rule.clause.label)}：{sentence}"
        if query.language == "en":  # the asker's language around the verbatim Chinese source
            line = (f"According to {_where(rule, 'en')}, 《{rule.document.title}》 {clause_reference(rule.clause.label)}"
                    f" (original Chinese): {sentence}")
        # a deadline: what the rule says, then the measure's period, or that no date is written (unless the
        # sentence itself states one: 2022年6月底前)
        if query.wants == "deadline" and rule.valid_until:
            line += f" ({_period(rule, 'en').capitalize()}.)" if query.language == "en" else f"（{_period(rule)}。）"
        elif query.wants == "deadline" and not DATE.search(sentence):
            line += _SAID[query.language]["no_date"]
    return "\n".join([line, *([notice] if notice else []), citation_block(citations)])


def _period(citation: Citation, language: str = "zh") -> str:
    said = _SAID[language]
    return said["period"].format(until=citation.valid_until) + (said["ended"] if citation.expired else "")


def _top_and_wider(citations: list[Citation]) -> list[Citation]:
    """The rules that may state what was asked: the top one, and other places' (a county's rule may only
    restate the province's figure). A lower rule of the top's own place is a neighbouring measure: the figure
    it states is its own ("压减至60个工作日以内" for investment projects, not 电力接入's 5个工作日)."""
    top = citations[0]
    return [top, *(c for c in citations[1:] if c.jurisdiction.name != top.jurisdiction.name)]


def _stating(citations: list[Citation], words: list[str], asked: re.Pattern[str] | None,
             qualifiers: tuple[Qualifier, ...] = ()) -> tuple[Citation, str] | None:
    """The first rule whose answering sentence states what was asked (a figure or a detail), with that
    sentence: a county's rule may only restate the province's figure. A sentence stating it for other members
    of a group the question names one of (市级 for a 县级 question) does not. None when none does or nothing was
    asked."""
    if asked:
        stated_for_others: set[Qualifier] = set()
        answered_for_others = 0  # the most query words a sentence stating it for others holds
        for citation in citations:
            sentence = _stated_sentence(citation, words, asked)
            if sentence is None:
                continue
            if instead := _named_instead(sentence, qualifiers):
                if own := _stated_for_asker(citation, sentence, words, asked, qualifiers):
                    return citation, own
                stated_for_others.add(instead[0])
                answered_for_others = max(answered_for_others, answers(sentence, words, asked))
            elif _names_each(sentence, stated_for_others) and answers(sentence, words, asked) >= answered_for_others:
                # once a rule states it for others, another's figure answers only if it names the asker's members
                # (not the 中央企业's monthly report "于每月5日前" after the 国有 months, for a private landlord's
                # tenant) and answers the question as fully: "争取第三季度发行完毕" of bonds is no 第三季度 award
                return citation, sentence
    return None


def _stated_sentence(citation: Citation, words: list[str], asked: re.Pattern[str]) -> str | None:
    """The rule's answering sentence when it states what was asked (or the 其中 sentence after it does)."""
    sentence = best_quote(citation.quote, words, asked, 1)
    if asked.search(sentence):
        return sentence
    sentence = _breakdown(citation.quote, sentence)
    return sentence if sentence is not None and asked.search(sentence) else None


def _breakdown(quote: str, sentence: str) -> str | None:
    """The quote's sentence after `sentence` when it opens with 其中: the figures of the measure `sentence` states
    ("对省级以上中小企业公共服务平台，根据考核结果给予奖励。其中，一等奖各奖励50万元")."""
    parts = sentences(quote)
    at = parts.index(sentence) if sentence in parts else len(parts)
    return parts[at + 1] if at + 1 < len(parts) and parts[at + 1].lstrip().startswith("其中") else None


def _stated_for_asker(citation: Citation, stated: str, words: list[str], asked: re.Pattern[str],
                      qualifiers: tuple[Qualifier, ...]) -> str | None:
    """The rule's sentence stating what was asked for the asker's members, when `stated` states it for others: one
    naming one of the asker's members of each group `stated` names others of, and no other member. A sentence
    split at ； goes on from one member to the next ("2021年第四季度部分税费…继续延长6个月；延缓缴纳2022年第一季度…缓缴
    期限为6个月" answers for 2022年). Another sentence of the rule must also answer as much of the question as
    `stated`: 焦作's 首次入库 award for 工业企业 answers a 工厂 beside the one for 服务业企业, but the province's 奖补 of
    rent subsidies for 非国有 premises is no months of rent waived. The members' own words are no figure (2022年 is
    no period)."""
    parts = sentences(citation.quote)
    if stated not in parts:
        return None
    at = parts.index(stated)
    start, end = at, at
    while start > 0 and parts[start - 1].rstrip().endswith(("；", ";")):
        start -= 1
    while end + 1 < len(parts) and parts[end].rstrip().endswith(("；", ";")):
        end += 1
    split = parts[start:end + 1]
    bar = answers(stated, words, asked)
    others = [p for p in answerable_sentences(citation.clause.text) if p not in split and answers(p, words, asked) >= bar]
    named_for_others = [q for q in qualifiers if _named_instead(stated, (q,))]
    for part in [*split, *others]:
        if part == stated or _named_instead(part, qualifiers) or not _names_each(part, named_for_others):
            continue  # a part naming nothing of a group goes on with what the sentence named of it
        unnamed = part
        for q in qualifiers:
            for said in LEXICON.alternatives[q.group].named_in(part).values():
                unnamed = unnamed.replace(said, "")
        if asked.search(unnamed):
            return part
    return None


def _stating_among_equals(citations: list[Citation], words: list[str], asked: re.Pattern[str],
                          qualifiers: tuple[Qualifier, ...] = ()) -> tuple[Citation, str] | None:
    """Before a typed detail is called unstated: the first rule with a sentence stating it that answers as
    much as the sentence `_stating` chose. The words alone cannot tell "给予5万元一次性奖励" from
    "有效推动“小升规”工作" for 小升规奖多少; only the first states what was asked."""
    # a rule's sentence stating it for others sets the bar, as in `_stating`: a tied sentence must name the asker's
    # member and answer as fully: after 第二季度's award "争取第三季度发行完毕" of bonds is no 第三季度 award, after the
    # 沪深 and 北交所 listing subsidy a 小巨人's 30% of equipment (naming no market) is no 新三板 one
    for_others = [(instead[0], answers(sentence, words, asked)) for citation in citations
                  if (sentence := _stated_sentence(citation, words, asked))
                  and (instead := _named_instead(sentence, qualifiers))]
    bar = max((answered for _, answered in for_others), default=0)
    stated_for_others = {qualifier for qualifier, _ in for_others}
    for citation in citations:
        most = max(bar, answers(best_quote(citation.quote, words, asked, 1), words, asked))
        tied = [part for part in sentences(citation.quote)
                if not is_heading(part) and asked.search(part) and answers(part, words, asked) >= most
                and not _named_instead(part, qualifiers) and _names_each(part, stated_for_others)]
        if tied:
            return citation, tied[0]
    return None


def _names_each(sentence: str, qualifiers: Iterable[Qualifier]) -> bool:
    """Whether `sentence` names one of the asker's members of each qualifier's group (a sentence naming none of the
    group says nothing of the asker's)."""
    return all(q.members & LEXICON.alternatives[q.group].named_in(sentence).keys() for q in qualifiers)


def _named_instead(sentence: str, qualifiers: tuple[Qualifier, ...]) -> tuple[Qualifier, list[str]] | None:
    """The question's qualifier that `sentence` names other members of its group for, not it, with what the
    sentence names: "分别给予国家级、省级、市级…50万元、20万元、10万元" states no 县级 figure."""
    for qualifier in qualifiers:
        named = LEXICON.alternatives[qualifier.group].named_in(sentence)
        if named and not qualifier.members & named.keys():
            return qualifier, list(dict.fromkeys(named.values()))
    return None


def citation_block(citations: list[Citation] | tuple[Citation, ...]) -> str:
    """The numbered, tagged verbatim quotes with their department and period: the evidence of an answer."""
    lines = []
    for number, citation in enumerate(citations, start=1):
        dated = f"（{citation.document.date}）" if citation.document.date else ""
        lines.append(f"\n{number}. {citation.tag}《{citation.document.title}》{dated}")
        lines.append(f"“{citation.quote}”")
        lines.extend(particulars(citation))
    return "\n".join(lines)


def draft_notice(citations: list[Citation], language: str = "zh") -> str | None:
    """What the lead must add when a quoted document is a draft: it is not a rule in force."""
    drafts = list(dict.fromkeys(c.document for c in citations if c.document.draft))
    if not drafts:
        return None
    if language == "en":
        return "Note: " + "; ".join(f"《{d.title}》 is a draft ({d.draft}), not a rule in force" for d in drafts) + "."
    return "注意：" + "；".join(f"《{d.title}》是{d.draft}，未正式施行，仅供参考" for d in drafts) + "。"


def particulars(citation: Citation) -> list[str]:
    """The lines that go with a quote: a status other than in force or ended (讨论稿, 试行), who is
    responsible, and until when the measure runs."""
    lines = [f"状态：{citation.status_label}"] if citation.status in ("draft", "trial") else []
    if citation.clause.departments:
        lines.append(f"负责部门：{citation.clause.departments}")
    if citation.valid_until:
        lines.append(f"执行期限：至{citation.valid_until}" + ("（已结束）" if citation.expired else ""))
    return lines
