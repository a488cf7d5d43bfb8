"""Clauses follow the documents' own numbering, stay verbatim and carry their departments."""
import re

from index.clauses import MAX_PASSAGE_CHARS, split_passages
from domain.text import without_whitespace
from index.clean import layout_free
from tests.conftest import RAW


def _sources():
    return {path.name: layout_free(path.read_text(encoding="utf-8")) for path in RAW.glob("*.txt")}


def test_every_clause_is_a_verbatim_excerpt_of_its_source(corpus):
    sources = _sources()
    assert corpus.clauses
    for clause in corpus.clauses:
        assert without_whitespace(clause.text) in sources[clause.source.file], clause.id


def test_every_passage_is_a_verbatim_part_of_its_clause(corpus):
    for passage in corpus.passages:
        clause = corpus.clause(passage.clause_id)
        assert without_whitespace(passage.text) in without_whitespace(clause.text)
        assert len(passage.text) <= MAX_PASSAGE_CHARS


def test_clause_line_spans_point_at_the_clause_in_the_raw_file(corpus):
    for clause in corpus.clauses:
        raw = (RAW / clause.source.file).read_text(encoding="utf-8").splitlines()
        span = without_whitespace("".join(raw[clause.source.start_line - 1 : clause.source.end_line]))
        first_line = without_whitespace(raw[clause.source.start_line - 1])
        assert without_whitespace(clause.text).startswith(first_line[:10]), clause.id
        assert len(span) >= 1


def test_numbering_schemes_nest_by_first_use(corpus):
    lushan_small_firms = next(d for d in corpus.documents if d.title == "鲁山县推动小微工业企业上规模实施方案")
    labels = [c.label for c in corpus.clauses_of(lushan_small_firms.id)]
    assert "四、（三）" in labels
    reward = next(c for c in corpus.clauses_of(lushan_small_firms.id) if c.label == "四、（三）")
    assert reward.path == ("四、主要举措", "（三）加大“小升规”奖励考核")
    assert "5万元一次性奖励" in reward.text
    measures = next(d for d in corpus.documents if d.title == "6方面33项稳经济措施")
    assert "二、10." in [c.label for c in corpus.clauses_of(measures.id)]  # numbering runs on across sections


def test_a_bare_heading_lives_in_its_childrens_paths_not_as_a_clause(corpus):
    ancestors = {(c.doc_id, c.path[0]) for c in corpus.clauses if len(c.path) > 1}
    for clause in corpus.clauses:
        if len(clause.path) == 1 and (clause.doc_id, clause.path[0]) in ancestors:
            own_words = len(clause.text) > 40 or "\n" in clause.text or re.search(r"[，。；：]", clause.text)
            assert own_words, clause.text  # a sentence of its own (…且符合以下条件的企业：), not a bare heading
    assert ("0", "一、总体要求") not in {(c.doc_id, c.text) for c in corpus.clauses}
    assert all(c.text != "一、总体要求" for c in corpus.clauses)


def _departments_of(corpus, file_prefix):
    clauses = [c for c in corpus.clauses if c.source.file.startswith(file_prefix) and c.label not in ("导语", "结语")]
    return clauses, [c for c in clauses if c.departments]


def test_lead_and_responsible_units_lines_are_attached_in_000(corpus):
    notice = next(d for d in corpus.documents if d.number == "鲁政办〔2022〕23号" and d.attachment is None)
    clauses = [c for c in corpus.clauses_of(notice.id) if c.label not in ("导语", "结语")]
    assert all(c.departments and c.departments.startswith("牵头单位") for c in clauses)
    rent = next(c for c in corpus.clauses if c.source.file.startswith("000") and "减轻房租压力" in c.text)
    assert rent.departments == "牵头单位：县财政局；责任单位：县商务局、县机关事务中心，各乡镇政府"
    assert "牵头单位" not in rent.text


def test_bracketed_departments_are_attached_in_001_003_and_004(corpus):
    zhanhe_rent = next(c for c in corpus.clauses if c.source.file.startswith("001") and "减轻房租压力" in c.text)
    assert zhanhe_rent.departments and "区财政局" in zhanhe_rent.departments
    shifanqu, attached = _departments_of(corpus, "003")
    assert any("责任单位" in (c.departments or "") for c in shifanqu)
    jiaozuo = [c for c in corpus.clauses if c.source.file.startswith("004") and c.departments]
    assert len(jiaozuo) > 100
    assert all(re.match(r"^(牵头单位|责任单位|配合单位)", part) for c in jiaozuo for part in c.departments.split("；"))


def test_long_clauses_become_sentence_bounded_passages(corpus):
    longest = max(corpus.clauses, key=lambda c: len(c.text))
    passages = split_passages(longest)
    assert len(passages) > 1
    assert without_whitespace("".join(p.text for p in passages)) == without_whitespace(longest.text)
    assert {p.clause_id for p in passages} == {longest.id}


def test_a_clause_span_covers_its_department_lines(corpus):
    listing = next(c for c in corpus.clauses if c.source.file.startswith("000") and "大力服务企业上市" in c.text)
    raw = (RAW / listing.source.file).read_text(encoding="utf-8").splitlines()
    assert raw[listing.source.end_line - 1].startswith("责任单位")


def test_a_numbered_line_as_long_as_a_printed_line_runs_on_into_the_next():
    from index.clauses import parse_clauses
    from index.clean import Line

    body = [Line(1, "一、中小微企业在2022年1月1日至2022年12月"), Line(2, "31日期间新购置的设备、器具，单位价值在500万元以上的，可在当年一次性税前扣除。"),
            Line(3, "二、减轻房租压力"), Line(4, "对承租国有房屋的小微企业，免除3个月租金。")]
    first, second = parse_clauses("doc", "f.txt", body)
    assert first.text.startswith("一、中小微企业在2022年1月1日至2022年12月31日期间")
    assert second.text == "二、减轻房租压力\n对承租国有房屋的小微企业，免除3个月租金。"
