"""The hotline desk's filters, standard citation and ticket summary, on real search results."""
import re

import pytest

from assistant.compose import cite
from assistant.interfaces.web.desk import (
    TOPICS,
    Filters,
    caller_place,
    department_choices,
    lead_units,
    meaningful_words,
    narrowed,
    results_html,
    standard_citation,
    ticket_summary,
)
from domain.types import Hit
from domain.text import tokens

TODAY = "2026-11-23"


@pytest.fixture(scope="module")
def rent_hits(assistant):
    return assistant.search("房租减免")


def _citations(hits, corpus, text="房租减免"):
    return [cite(h, corpus, tokens(text), TODAY) for h in hits]


def test_the_standard_citation_names_title_number_article_and_quotes_verbatim(assistant, corpus, rent_hits):
    citation = _citations([h for h in rent_hits if corpus.document(h.doc_id).cited_number][:1], corpus)[0]
    text = standard_citation(citation)
    assert text == (f"依据《{citation.document.title}》（{citation.document.cited_number}）"
                    f"{citation.clause.reference}：“{citation.quote}”")
    assert re.fullmatch(r"依据《[^》]+》（[^）]+）第[一二三四五六七八九十]+条(第（[一二三四五六七八九十]+）项|第\d+项)?(第\d+目)?：“.+”",
                        text, re.S)
    assert citation.quote.replace("\n", "") in citation.clause.text.replace("\n", "")


def test_without_a_number_the_citation_leaves_the_parentheses_out(corpus):
    document = next(d for d in corpus.documents if not d.cited_number)
    clause = corpus.clauses_of(document.id)[1]
    citation = cite(Hit("p", clause.id, document.id, {"rerank": 1.0, "order": 1.0}), corpus, [], TODAY)
    assert standard_citation(citation).startswith(f"依据《{document.title}》{clause.reference}：“")


def test_each_filter_narrows_to_what_it_names(assistant, corpus, rent_hits):
    floor = assistant.retrieval.min_relevance
    everything = narrowed(rent_hits, corpus, Filters(), floor, limit=100)
    assert everything and all(h.scores["relevance"] >= floor for h in everything)
    county = narrowed(rent_hits, corpus, Filters(level="county"), floor, limit=100)
    assert 0 < len(county) < len(everything)
    assert all(corpus.document(h.doc_id).jurisdiction.level == "county" for h in county)
    one_document = everything[0].doc_id
    assert {h.doc_id for h in narrowed(rent_hits, corpus, Filters(doc_id=one_document), floor)} == {one_document}
    finance = narrowed(rent_hits, corpus, Filters(department="县财政局"), floor)
    assert finance and all("县财政局" in corpus.clause(h.clause_id).departments for h in finance)
    loans = narrowed(rent_hits, corpus, Filters(topic="融资贷款"), floor, limit=100)
    assert all(any(w in corpus.clause(h.clause_id).text or w in corpus.document(h.doc_id).title
                   or w in corpus.clause(h.clause_id).heading for w in TOPICS["融资贷款"]) for h in loans)
    assert len(loans) < len(everything)


def test_the_department_filter_offers_single_units_each_with_its_place_grouped_by_place(corpus):
    choices = department_choices(corpus)
    values = [value for _, value in choices]
    assert "鲁山县|县财政局" in values and "焦作市|市工业和信息化局" in values
    units = [value.split("|")[1] for value in values]
    assert not [u for u in units if u in ("牵头单位", "责任单位") or u.startswith("各") or "〔" in u]
    assert all(label == f"{value.split('|')[0].replace('国家', '国家层面')} · {value.split('|')[1]}"
               or label.startswith("国家层面 · ") for label, value in choices)
    places_in_order = [value.split("|")[0] for value in values]
    blocks = [p for i, p in enumerate(places_in_order) if i == 0 or places_in_order[i - 1] != p]
    assert len(blocks) == len(set(blocks))  # each place's units together
    depth = ["county", "city", "province", "national"]
    levels = [depth.index(corpus_level(corpus, place)) for place in blocks]
    assert levels == sorted(levels) and levels[0] == 0  # the caller's county first, the wider places after


def corpus_level(corpus, name):
    return next(d.jurisdiction.level for d in corpus.documents if d.jurisdiction.name == name)


def test_a_department_of_one_place_filters_on_that_place(assistant, corpus, rent_hits):
    floor = assistant.retrieval.min_relevance
    lushan = narrowed(rent_hits, corpus, Filters(department="鲁山县|县财政局"), floor, limit=100)
    assert lushan and all(corpus.document(h.doc_id).jurisdiction.name == "鲁山县" for h in lushan)
    assert not narrowed(rent_hits, corpus, Filters(department="湛河区|县财政局"), floor, limit=100)


def test_only_the_meaningful_words_of_a_call_are_marked():
    words = tokens("他不能交房租了，店里的人很着急，能减免吗")
    kept = meaningful_words(words)
    assert "房租" in kept and "减免" in kept
    assert not {"他", "人", "不能", "店"} & set(kept)
    assert meaningful_words(["税", "人", "他"]) == ["税"]  # a single character only when a topic word


@pytest.mark.parametrize("departments, units", [
    ("牵头单位：县财政局；责任单位：县商务局、县机关事务中心，各乡镇政府", ["县财政局"]),
    ("牵头单位:县金融工作局、县财政局；责任单位:人行鲁山支行", ["县金融工作局", "县财政局"]),
    ("责任单位：区商务局、区财政局，曹镇乡政府", ["区商务局"]),
    (None, []),
])
def test_a_ticket_goes_to_the_lead_unit(departments, units):
    assert lead_units(departments) == units


def test_the_ticket_summary_has_question_place_clauses_with_numbers_and_the_lead_units(assistant, corpus):
    hits = narrowed(assistant.search("饭店房租减免", "鲁山县"), corpus, Filters(place="鲁山县"),
                    assistant.retrieval.min_relevance)
    citations = _citations(hits[:3], corpus, "饭店房租减免")
    summary = ticket_summary("饭店房租减免", "鲁山县", citations)
    lines = summary.splitlines()
    assert lines[:4] == ["【工单摘要】", "来电问题：饭店房租减免", "所在地区：鲁山县", "适用条款："]
    numbered = [c for c in citations if c.document.cited_number]
    assert numbered and all(c.document.cited_number in summary for c in numbered)
    for citation in citations:
        assert standard_citation(citation) in summary
    units = [u for c in citations for u in lead_units(c.clause.departments)]
    assert units and lines[-1].startswith("建议转办：") and all(u in lines[-1] for u in units)


def test_a_ticket_without_clauses_says_so():
    summary = ticket_summary("火星移民补贴", None, [])
    assert "所在地区：未说明" in summary and "未检索到足够相关的条款" in summary


def test_results_mark_the_matched_words_and_escape_the_rest(corpus, rent_hits):
    html = results_html(_citations(rent_hits[:3], corpus), tokens("房租减免"))
    assert "<mark>房租</mark>" in html and html.count('class="pt-hit"') == 3
    assert "没有足够相关的条款" in results_html([], [])


def test_a_result_shows_its_matching_sentences_and_folds_the_rest_of_the_clause(corpus, rent_hits):
    citations = _citations(rent_hits[:10], corpus, "他不能交房租怎么办")
    long = next(c for c in citations if len(c.clause.text) > len(c.quote) + 40)
    html = results_html([long], tokens("他不能交房租怎么办"))
    shown, folded = html.split('<details class="pt-more">')
    assert "<summary>展开全文</summary>" in folded
    assert re.sub(r"<[^>]+>", "", shown).count(long.quote[:30]) == 1
    assert "<mark>他</mark>" not in html and "<mark>不能</mark>" not in html and "<mark>房租</mark>" in html


def test_a_draft_is_cited_with_its_status(corpus):
    draft = next(d for d in corpus.documents if d.draft)
    clause = corpus.clauses_of(draft.id)[1]
    text = standard_citation(cite(Hit("p", clause.id, draft.id, {"rerank": 1.0, "order": 1.0}), corpus, [], TODAY))
    assert text.endswith("”（该文件为讨论稿，未正式施行）")


def test_a_ticket_names_the_place_the_agent_picked_else_the_one_the_call_names():
    assert caller_place("鲁山县饭店房租能减免吗", "湛河区") == "湛河区"
    assert caller_place("我在鲁山县开饭店，房租能减免吗", None) == "鲁山县（据来电内容）"
    assert caller_place("房租能减免吗", None) is None
