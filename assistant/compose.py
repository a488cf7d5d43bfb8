"""Hits → Answer: a short extractive lead, then verbatim quotes tagged with where they come from.

Deterministic and offline. Every quote is a run of whole sentences of its clause, so it is
source text; the lead only repeats a quoted sentence and names its source. Nothing is claimed
beyond the quotes; too weak evidence, or a place the corpus does not cover, is a refusal.
"""
from __future__ import annotations

import re

from assistant import places
from assistant.types import Answer, Citation, Corpus, Hit, Jurisdiction, Query

MAX_QUOTE_CHARS = 220
RERANK_MARGIN = 0.15  # a citation ranked this far below the best one is noise, not support
SCOPE = (
    "本助手覆盖国家、河南省、平顶山市（鲁山县、湛河区、示范区）和焦作市的惠企纾困政策："
    "减税降费、房租减免、社保缓缴、融资贷款、稳岗就业、水电气、小升规、专精特新等。"
)
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")


def sentences(text: str) -> list[str]:
    """The sentences of a clause; a line break ends one too (headings stand on lines of their own)."""
    return [s for line in text.split("\n") for s in _SENTENCE.findall(line) if s.strip()]


def is_heading(sentence: str) -> bool:
    """A short line with no closing punctuation, e.g. 三、减轻房租压力: a title, not a rule to quote."""
    return len(sentence) <= 40 and not sentence.rstrip().endswith(("。", "；", "！", "？", "：", ":"))


def best_quote(text: str, words: list[str]) -> str:
    """The run of one or two whole sentences that covers most query words (two when they fit: context
    helps), kept under MAX_QUOTE_CHARS."""
    parts = sentences(text)
    if not parts:
        return text.strip()
    quotable = [i for i, part in enumerate(parts) if not is_heading(part)] or list(range(len(parts)))
    candidates = [[i] for i in quotable] + [[i, i + 1] for i in quotable if i + 1 in quotable]

    def value(span: list[int]) -> tuple[float, int]:
        joined = "".join(parts[i] for i in span)
        hits = sum(1 for w in dict.fromkeys(words) if w in joined)
        too_long = len(joined) > MAX_QUOTE_CHARS
        return (hits - (2 if too_long else 0) + 0.01 * (len(span) - 1), -len(joined))

    chosen = max(candidates, key=value)
    return "".join(parts[i] for i in chosen).strip()


_CHINESE_NUMBER = "一二三四五六七八九十百零〇"


def clause_reference(label: str) -> str:
    """A clause label as the 第X条 of a citation: 三、（二）→ 第三条（二）, 第一，→ 第一条; 导语 stays 导语."""
    numbered = re.match(rf"^(?:第)?([{_CHINESE_NUMBER}]+)(?:、|[，,]|$)(.*)$", label)
    if not numbered:
        return label
    return f"第{numbered.group(1)}条{numbered.group(2)}".rstrip("．.、，, ")


def refusal(query: Query, location: Jurisdiction | None, why: str, timings: dict[str, float]) -> Answer:
    return Answer(
        question=query.question,
        text=f"抱歉，{why}{SCOPE}您可以换个说法，或说明所在县区和具体事项（如房租、社保、贷款）。",
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
) -> Answer:
    location = places.place(query.place).jurisdiction if query.place else None
    if query.out_of_scope:
        return refusal(query, location, query.out_of_scope, timings)
    if location and not query.place_covered:
        if not places.applies_to("河南省", location.name):
            return refusal(query, location, f"{location.name}的政策不在本库中。", timings)
        if query.asks_local:  # the province's rules apply, but the question is about the city's or county's own
            return refusal(query, location, f"本库没有{location.name}本级的政策。", timings)
    shortlist = hits[:top_k]
    if not shortlist or max(h.scores["relevance"] for h in shortlist) < min_relevance:
        return refusal(query, location, "现有政策库中没有找到能回答这个问题的条款。", timings)
    chosen = [h for h in shortlist if h.scores["rerank"] >= shortlist[0].scores["rerank"] - RERANK_MARGIN]
    if query.compared:
        chosen = _each_place_represented(chosen, hits, corpus, query.compared, min_relevance)
    citations = [cite(h, corpus, words, today) for h in chosen]
    local = {c.jurisdiction.name for c in citations if c.jurisdiction.level in ("city", "county")}
    grouped = location is None and len(local) > 1  # rules differ by place: each place's quotes together
    if grouped:
        order = {name: i for i, name in enumerate(dict.fromkeys(c.jurisdiction.name for c in citations))}
        citations.sort(key=lambda c: order[c.jurisdiction.name])
    notice = None
    if query.compared:
        notice = f"按地区对比（{'、'.join(query.compared)}），各地规定分别列出。"
    elif grouped:
        notice = f"这项政策各地不同（{'、'.join(sorted(local))}），以下按地区列出；告诉我您所在的县区可只看适用的规定。"
    elif location is not None and not query.place_covered:
        notice = f"本库没有{location.name}本级的政策，以下是适用于{location.name}的国家和河南省规定。"
    return Answer(
        question=query.question,
        text=_text(query, citations, notice),
        citations=tuple(citations),
        refused=False,
        location=location,
        timings=timings,
        notice=notice,
    )


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
    return sorted(chosen + extra, key=lambda h: -h.scores["rerank"])


def cite(hit: Hit, corpus: Corpus, words: list[str], today: str) -> Citation:
    """The citation a hit becomes: the best verbatim quote of its clause for `words`, tagged and dated."""
    clause = corpus.clause(hit.clause_id)
    document = corpus.document(hit.doc_id)
    valid_until = clause.valid_until or document.valid_until
    return Citation(
        quote=best_quote(clause.text, words),
        jurisdiction=document.jurisdiction,
        document=document,
        clause=clause,
        valid_until=valid_until,
        expired=bool(valid_until and valid_until < today),
        score=hit.scores["rerank"],
    )


def _text(query: Query, citations: list[Citation], notice: str | None) -> str:
    top = citations[0]
    where = "国家层面" if top.jurisdiction.level == "national" else top.jurisdiction.name
    if query.wants == "department" and top.clause.departments:
        lead = f"{where}这项工作的负责部门：{top.clause.departments}。"
    elif query.wants == "deadline":
        lead = (
            f"{where}这项措施的执行期限至{top.valid_until}" + ("，已经结束。" if top.expired else "。")
            if top.valid_until
            else f"{where}的这项规定没有写明截止日期，以原文为准。"
        )
    else:
        lead = f"据{where}《{top.document.title}》{clause_reference(top.clause.label)}：{sentences(top.quote)[0]}"
    return "\n".join([lead, *([notice] if notice else []), citation_block(citations)])


def citation_block(citations: list[Citation] | tuple[Citation, ...]) -> str:
    """The numbered, tagged verbatim quotes with their department and period: the evidence of an answer."""
    lines = []
    for number, citation in enumerate(citations, start=1):
        dated = f"（{citation.document.date}）" if citation.document.date else ""
        lines.append(f"\n{number}. {citation.tag}《{citation.document.title}》{dated}")
        lines.append(f"“{citation.quote}”")
        lines.extend(particulars(citation))
    return "\n".join(lines)


def particulars(citation: Citation) -> list[str]:
    """The lines that go with a quote: who is responsible, and until when the measure runs."""
    lines = [f"负责部门：{citation.clause.departments}"] if citation.clause.departments else []
    if citation.valid_until:
        lines.append(f"执行期限：至{citation.valid_until}" + ("（已结束）" if citation.expired else ""))
    return lines
