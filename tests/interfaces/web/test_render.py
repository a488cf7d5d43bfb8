"""HTML for the pages: everything from documents or users is escaped; cards show every fact of a citation."""
from dataclasses import replace

from assistant.compose import cite, citation_block
from assistant.interfaces.web.render import answer_html, citation_card, document_html, highlight
from domain.types import Hit

SCRIPT = "<script>alert('x')</script>"


def _citation(corpus, today="2026-11-23"):
    clause = next(c for c in corpus.clauses if c.departments and c.valid_until)
    return cite(Hit("p", clause.id, clause.doc_id, {"rerank": 0.9, "order": 0.9}), corpus, ["房租"], today)


def test_highlight_marks_whole_words_longest_first_and_escapes_everything_else():
    assert highlight("减免房租<b>", ["房租", "减免房租", "b"]) == "<mark>减免房租</mark>&lt;<mark>b</mark>&gt;"
    assert highlight(SCRIPT, []) == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


def test_a_card_shows_place_title_number_date_clause_department_and_validity(corpus):
    citation = _citation(corpus)
    card = citation_card(citation)
    for fact in (citation.jurisdiction.name, citation.document.title, citation.document.date,
                 citation.clause.departments, citation.valid_until):
        assert fact and fact in card
    if citation.document.cited_number:
        assert citation.document.cited_number in card


def test_an_expired_measure_is_marked_on_its_card(corpus):
    ended = _citation(corpus, today="2099-01-01")
    running = _citation(corpus, today="2000-01-01")
    assert ended.expired and "已过期" in citation_card(ended) and "pt-card-expired" in citation_card(ended)
    assert not running.expired and "已过期" not in citation_card(running)


def test_a_script_in_a_clause_or_an_answer_shows_as_text(corpus):
    citation = _citation(corpus)
    hostile = replace(citation, quote=SCRIPT, document=replace(citation.document, title=SCRIPT))
    for html in (answer_html(SCRIPT, [hostile]),
                 document_html(hostile.document, [replace(hostile.clause, text=SCRIPT)], hostile.clause.id, ["alert"])):
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_document_viewer_shows_every_clause_and_marks_the_chosen_one(corpus):
    document = corpus.documents[0]
    clauses = corpus.clauses_of(document.id)
    html = document_html(document, clauses, clauses[2].id, ["企业"])
    assert html.count('class="pt-clause') == len(clauses) and html.count("pt-focus") == 1
    focused = html.split("pt-focus")[1].split("</section>")[0]
    assert "<mark>企业</mark>" in focused


def _cited(corpus, document, today="2026-11-23"):
    clause = corpus.clauses_of(document.id)[1]
    return cite(Hit("p", clause.id, document.id, {"rerank": 0.9, "order": 0.9}), corpus, ["房租"], today)


def test_every_card_shows_the_documents_status(corpus):
    draft = _cited(corpus, next(d for d in corpus.documents if d.draft))
    card = citation_card(draft)
    assert draft.status == "draft" and "讨论稿（未正式施行）" in card and "pt-card-draft" in card
    assert "现行有效" not in card
    running = _cited(corpus, next(d for d in corpus.documents if d.number and not d.draft), today="2000-01-01")
    assert running.status == "in_force" and "现行有效" in citation_card(running)


def test_a_missing_number_and_date_are_said_once_and_the_title_is_printed_once(corpus):
    bare = _cited(corpus, next(d for d in corpus.documents if not d.cited_number and not d.date))
    card = citation_card(bare)
    assert card.count("原文未标注文号和日期") == 1 and "未标注" not in card.replace("原文未标注文号和日期", "")
    assert card.count(bare.document.title) == 1
    assert bare.tag.count("《") == 0 and f"《{bare.document.title}》" in citation_block([bare])
    assert citation_block([bare]).count(bare.document.title) == 1
    shifanqu = _cited(corpus, next(d for d in corpus.documents if d.source.file.startswith("003")))
    assert "附件3" not in citation_card(shifanqu) and "附件3" not in shifanqu.tag


def test_a_card_names_the_clause_by_the_documents_own_numbering(corpus):
    clause = next(c for c in corpus.clauses if c.label == "一、1.")
    citation = cite(Hit("p", clause.id, clause.doc_id, {"rerank": 0.9, "order": 0.9}), corpus, [], "2026-11-23")
    assert "第一条第1项" in citation_card(citation) and "第一条第1项" in citation.tag
