"""Clause references follow the document's own numbering (第三条第（二）项, never 第一条3); headings are never quoted."""
import re

import pytest

from domain.text import clause_reference, is_heading, tokens


@pytest.mark.parametrize("label, reference", [
    ("三、", "第三条"),
    ("三、（二）", "第三条第（二）项"),
    ("四、(六)", "第四条第（六）项"),
    ("一、3.", "第一条第3项"),
    ("五、28．", "第五条第28项"),
    ("四、（一）2．", "第四条第（一）项第2目"),
    ("十二、（三）", "第十二条第（三）项"),
    ("第一，", "第一条"),
    ("第五条", "第五条"),
    ("第二章第五条", "第二章第五条"),
    ("导语", "导语"),
    ("（二）", "（二）"),
])
def test_a_clause_label_reads_as_the_article_and_item_of_a_citation(label, reference):
    assert clause_reference(label) == reference


WELL_FORMED = re.compile(r"第[一二三四五六七八九十百]+条(第（[一二三四五六七八九十]+）项|第\d+项)?(第\d+目)?|导语|结语")


def test_every_clause_of_the_corpus_has_a_well_formed_reference(corpus):
    malformed = {c.label: c.reference for c in corpus.clauses if not WELL_FORMED.fullmatch(c.reference)}
    assert not malformed
    assert not [c.reference for c in corpus.clauses if re.search(r"条\d", c.reference)]  # the old 第一条3


@pytest.mark.parametrize("sentence, heading", [
    ("三、减轻房租压力", True),
    ("5．拓宽融资渠道。", True),  # a numbered phrase run into the clause's first line
    ("（三）加大“小升规”奖励考核。", True),
    ("（二）对新招用人员给予1000元补贴。", False),  # states a figure: a rule
    ("1．加大中小微企业设备器具税前扣除力度，中小微企业新购置的设备器具可一次性税前扣除。", False),
    ("对首次入库的企业给予10万元一次性奖励。", False),
])
def test_a_heading_is_a_title_line_or_a_short_numbered_phrase_never_a_rule(sentence, heading):
    assert is_heading(sentence) is heading


@pytest.mark.parametrize("asked, words", [
    ("俺们想贷点钱周转", ["贷点", "钱", "周转"]),
    ("咱就是想问问那种信用贷", ["问问", "信用", "贷"]),
    ("听说这个政策要是评上了有奖励", ["政策", "评上", "奖励"]),
    ("我是一般纳税人，能退吗", ["一般", "纳税", "纳税人", "退"]),
])
def test_an_owners_filler_words_are_not_search_words_but_a_taxpayers_kind_is(asked, words):
    """俺, 咱, 那种, 听说 … name no topic, yet a clause lacking them would count as missing a word the corpus never uses."""
    assert tokens(asked) == words
