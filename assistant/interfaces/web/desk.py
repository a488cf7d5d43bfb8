"""The 12345 hotline desk: find clauses fast, narrow them, copy a standard citation or a ticket summary.

The functions above `hotline_desk` are pure (corpus and hits in, text out), so the citation and
ticket formats are pinned by tests without a browser; `hotline_desk` only wires them to widgets.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import gradio as gr

from assistant.compose import cite
from assistant.core import Assistant
from domain.errors import InputError
from assistant.interfaces.web.render import LEVEL_NAMES, document_html, highlight, place_tag, status_badge, validity
from assistant.interfaces.web.text import question_problem
from domain.types import LEVELS, Citation, Corpus, Hit, Jurisdiction
from domain import places
from domain.lexicon import LEXICON
from domain.text import tokens

MAX_RESULTS = 10
TOPICS = LEXICON.desk_topics  # desk topic → words that put a clause under it (domain/data/lexicon.toml)
_ROLE = re.compile(r"(牵头单位|责任单位)\s*[:：]")
_LEAD = re.compile(r"牵头单位\s*[:：]([^；;]+)")
_UNIT_SPLIT = re.compile(r"[；;：:、，,\s]+")


@dataclass(frozen=True)
class Filters:
    """What a desk search is narrowed to; None means no narrowing. `place` is the caller's place."""

    place: str | None = None
    level: str | None = None
    doc_id: str | None = None
    department: str | None = None
    topic: str | None = None


def unit_names(departments: str | None) -> list[str]:
    """The single units named in a 牵头单位/责任单位 line, without role words and 各… catch-alls."""
    if not departments:
        return []
    names = _UNIT_SPLIT.split(_ROLE.sub(" ", departments))
    return [n for n in names if n and not n.startswith("各") and not re.search(r"[〔〕]", n) and n != "等有关单位"]


def lead_units(departments: str | None) -> list[str]:
    """The units a ticket goes to: the 牵头单位 when the line names them, else the first unit named
    (by drafting custom a list of 责任单位 starts with the one that leads)."""
    lead = _LEAD.search(departments or "")
    return unit_names(lead.group(1)) if lead else unit_names(departments)[:1]


def department_choices(corpus: Corpus) -> list[tuple[str, str]]:
    """Every unit named in the corpus with the place whose documents name it, as (label, value):
    grouped by place, county before city before province before national, and within a place the
    most often responsible unit first. The value `place|unit` filters on both."""
    counts = Counter((corpus.document(c.doc_id).jurisdiction, n) for c in corpus.clauses for n in unit_names(c.departments))
    depth = {level: i for i, level in enumerate(reversed(LEVELS))}
    ordered = sorted(counts.items(), key=lambda item: (depth[item[0][0].level], item[0][0].name, -item[1], item[0][1]))
    return [(f"{place_label(where)} · {unit}", f"{where.name}|{unit}") for (where, unit), _ in ordered]


def place_label(where: Jurisdiction) -> str:
    return "国家层面" if where.level == "national" else where.name


def meaningful_words(words: Sequence[str]) -> list[str]:
    """The query's words worth marking in a result: no single characters (人, 他) unless a topic word of
    the lexicon (税), none of its `highlight_skip` words (不能, 情况)."""
    return [w for w in dict.fromkeys(words)
            if w not in LEXICON.highlight_skip and (len(w) > 1 or w in LEXICON.synonyms)]


def matches(hit: Hit, corpus: Corpus, filters: Filters) -> bool:
    """Whether a hit passes the desk filters other than place (place is applied by the search itself)."""
    document, clause = corpus.document(hit.doc_id), corpus.clause(hit.clause_id)
    if filters.level and document.jurisdiction.level != filters.level:
        return False
    if filters.doc_id and hit.doc_id != filters.doc_id:
        return False
    if filters.department:
        where, _, unit = filters.department.rpartition("|")
        if unit not in (clause.departments or "") or (where and document.jurisdiction.name != where):
            return False
    if filters.topic:
        haystack = " ".join((document.title, clause.heading, clause.text))
        return any(word in haystack for word in TOPICS[filters.topic])
    return True


def narrowed(hits: Sequence[Hit], corpus: Corpus, filters: Filters, min_relevance: float,
             limit: int = MAX_RESULTS) -> list[Hit]:
    """The hits worth showing: relevant enough, passing the filters, best first, at most `limit`."""
    kept = [h for h in hits if h.scores["relevance"] >= min_relevance and matches(h, corpus, filters)]
    return kept[:limit]


def standard_citation(citation: Citation) -> str:
    """依据《标题》（文号）第X条第（X）项：“…” — the parentheses are left out when the document has no 文号;
    a draft says it is not in force."""
    number = f"（{citation.document.cited_number}）" if citation.document.cited_number else ""
    draft = f"（该文件为{citation.document.draft}，未正式施行）" if citation.status == "draft" else ""
    return f"依据《{citation.document.title}》{number}{citation.clause.reference}：“{citation.quote}”{draft}"


def caller_place(text: str, picked: str | None) -> str | None:
    """The caller's place for a ticket: the one the agent picked, else the one the call names (据来电内容)."""
    if picked:
        return picked
    named = places.most_specific(places.find_places(text))
    return f"{named.name}（据来电内容）" if named and named.level != "national" else None


def ticket_summary(question: str, place: str | None, citations: Sequence[Citation]) -> str:
    """A ticket-ready summary: the question, the caller's place, the applicable clauses and who handles them."""
    lines = ["【工单摘要】", f"来电问题：{question}", f"所在地区：{place or '未说明'}", "适用条款："]
    if not citations:
        lines.append("未检索到足够相关的条款，建议转政策主管部门核实。")
    for number, citation in enumerate(citations, start=1):
        lines.append(f"{number}. {standard_citation(citation)}")
        lines.append(f"   适用范围：{place_tag(citation)}；文件状态：{citation.status_label}；"
                     f"负责部门：{citation.clause.departments or '未写明'}")
        if citation.valid_until:
            lines.append(f"   有效期：{validity(citation.valid_until, citation.expired)}")
    units = list(dict.fromkeys(u for c in citations for u in lead_units(c.clause.departments)))
    lines.append(f"建议转办：{'、'.join(units) if units else '条款未写明负责部门，请按职责转办'}")
    return "\n".join(lines)


def results_html(citations: Sequence[Citation], words: Sequence[str]) -> str:
    """Ranked clauses for the desk: tag, status, title, score, the matching sentences with the query's
    meaningful words marked, and the whole clause folded under 展开全文 (a long clause is not read on a call)."""
    if not citations:
        return '<div class="pt-hit">没有足够相关的条款；换个关键词或放宽筛选条件试试。</div>'
    marked = meaningful_words(words)
    items = []
    for number, citation in enumerate(citations, start=1):
        whole = citation.clause.text.replace("\n", "")
        folded = "" if whole == citation.quote.replace("\n", "") else (
            f'<details class="pt-more"><summary>展开全文</summary>'
            f'<div class="pt-clause-text">{highlight(citation.clause.text, marked)}</div></details>')
        items.append(
            f'<div class="pt-hit"><div class="pt-hit-head">{number}. {escape(citation.tag)} {status_badge(citation)} '
            f'《{escape(citation.document.title)}》 · 相关度 {citation.score:.2f}</div>'
            f'<div class="pt-clause-text pt-sentence">{highlight(citation.quote, marked)}</div>{folded}</div>'
        )
    return "".join(items)


def hotline_desk(current: Callable[[], Assistant], place_names: Sequence[str]) -> tuple[Callable, list[gr.Dropdown]]:
    """The desk tab's widgets and events, inside the caller's `gr.Blocks`. Each search runs on `current()`,
    the Assistant over the index in service; its results are kept with the generation they came from.

    Returns a function and the dropdowns it updates, for the page's load event: the document and
    department choices of the index in service.
    """
    assistant = current()
    corpus = assistant.store.corpus
    max_chars = assistant.max_question_chars
    everything = [("全部", "")]

    def document_choices(corpus: Corpus) -> list[tuple[str, str]]:
        return everything + [(f"{d.title}（{d.cited_number or '未标注文号'}）", d.id) for d in corpus.documents]

    with gr.Row():
        query = gr.Textbox(label="来电问题或关键词", placeholder="例如：鲁山县 饭店 房租减免", scale=5)
        search = gr.Button("查找条款", variant="primary", scale=1)
    with gr.Row():
        place = gr.Dropdown(everything + list(place_names), value="", label="来电人所在地区")
        level = gr.Dropdown(everything + [(LEVEL_NAMES[level], level) for level in LEVELS], value="", label="层级")
        document = gr.Dropdown(document_choices(corpus), value="", label="文件")
        department = gr.Dropdown(everything + department_choices(corpus), value="", label="负责部门")
        topic = gr.Dropdown(everything + list(TOPICS), value="", label="主题")
    status = gr.Markdown()
    # side by side on a wide screen (the clause in its document beside the list); one under the other on a narrow one
    with gr.Row(equal_height=False):
        with gr.Column(scale=5, min_width=320):
            pick = gr.Radio(label="选择条款（查看全文、生成标准引用）", choices=[], elem_id="desk-pick")
            results = gr.HTML(elem_id="desk-results")
        with gr.Column(scale=6, min_width=320):
            citation = gr.Textbox(label="标准引用", lines=3, buttons=["copy"], elem_id="desk-citation")
            copy = gr.Button("复制引用", elem_id="desk-copy")
            viewer = gr.HTML(elem_id="desk-viewer")
            ticked = gr.CheckboxGroup(label="写入工单的条款（默认为当前选择的条款）", choices=[], elem_id="desk-ticked")
            ticket = gr.Button("生成工单摘要", elem_id="desk-ticket")
            summary = gr.Textbox(label="工单摘要", lines=8, buttons=["copy"], elem_id="desk-summary")
    nothing = {"citations": [], "words": [], "question": "", "place": None, "generation": None}
    found = gr.State(nothing)

    def run(text: str, place_name: str, level_name: str, doc_id: str, unit: str, topic_name: str):
        filters = Filters(place_name or None, level_name or None, doc_id or None, unit or None, topic_name or None)
        searching = current()
        corpus = searching.store.corpus
        problem, hits = question_problem(text, max_chars), []
        if not problem:
            try:
                hits = narrowed(searching.search(text, filters.place), corpus, filters, searching.retrieval.min_relevance)
            except InputError as error:  # text the assistant will not read (places never raise: they resolve or note)
                problem = str(error)
        if problem:
            return f"⚠️ {problem}", "", gr.update(choices=[], value=None), "", "", gr.update(choices=[], value=[]), nothing
        words = tokens(text)
        today = searching.today or dt.date.today().isoformat()
        cited = [cite(hit, corpus, words, today) for hit in hits]
        state = {"citations": cited, "words": words, "question": text.strip(), "place": caller_place(text, filters.place),
                 "generation": searching.store.generation}
        choices = [(f"{n}. {c.tag}", c.clause.id) for n, c in enumerate(cited, start=1)]
        return (f"找到 {len(cited)} 条相关条款。", results_html(cited, words),
                gr.update(choices=choices, value=None), "", "", gr.update(choices=choices, value=[]), state)

    def open_clause(clause_id: str | None, state: dict):
        chosen = [c for c in state["citations"] if c.clause.id == clause_id]
        if not chosen:
            return "", ""
        shown = chosen[0]
        clauses = current().store.corpus.clauses_of(shown.document.id)
        if not clauses:  # the index was rebuilt since the search and this document changed
            return standard_citation(shown), '<div class="pt-hit">政策库已更新，请重新查找后查看全文。</div>'
        return standard_citation(shown), document_html(shown.document, clauses, shown.clause.id,
                                                        meaningful_words(state["words"]))

    def summarize(state: dict, chosen: list[str] | None, picked: str | None) -> str:
        if not state["question"]:
            return "请先查找条款。"
        wanted = list(chosen or []) or ([picked] if picked else [])
        if not wanted:
            return "请先选择或勾选要写入工单的条款。"
        by_id = {c.clause.id: c for c in state["citations"]}
        return ticket_summary(state["question"], state["place"], [by_id[i] for i in wanted if i in by_id])

    def refresh_choices():
        corpus = current().store.corpus
        return gr.update(choices=document_choices(corpus)), gr.update(choices=everything + department_choices(corpus))

    to_clipboard = "(text) => { if (text) { navigator.clipboard.writeText(text); } }"
    # the chosen clause in view inside the document viewer, without moving the page away from the results
    show_focus = """() => { const focus = document.querySelector('#desk-viewer .pt-focus');
      const box = focus && focus.closest('.pt-doc');
      if (box) box.scrollTop = focus.offsetTop - box.offsetTop - 24; }"""
    searched = [status, results, pick, citation, viewer, ticked, found]
    search.click(run, [query, place, level, document, department, topic], searched)
    query.submit(run, [query, place, level, document, department, topic], searched)
    pick.change(open_clause, [pick, found], [citation, viewer]).then(None, None, None, js=show_focus)
    copy.click(None, [citation], None, js=to_clipboard)
    ticket.click(summarize, [found, ticked, pick], [summary]).then(None, [summary], None, js=to_clipboard)
    return refresh_choices, [document, department]
