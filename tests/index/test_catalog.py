"""The catalogue: every document of the five seed files, none invented, each placed where it applies."""
import pytest

from domain.errors import IngestError
from index.catalog import parse_text


def by_number(corpus, number):
    return [d for d in corpus.documents if d.number == number]


def test_the_seed_files_hold_34_documents(corpus):
    assert len(corpus.documents) == 34
    per_file = {}
    for d in corpus.documents:
        per_file[d.source.file[:3]] = per_file.get(d.source.file[:3], 0) + 1
    assert per_file == {"000": 4, "001": 4, "002": 1, "003": 1, "004": 24}


@pytest.mark.parametrize(
    "number, place, level",
    [("鲁政办〔2022〕23号", "鲁山县", "county"), ("平湛政办〔2022〕8号", "湛河区", "county"), ("豫政办〔2022〕14号", "河南省", "province")],
)
def test_numbered_notices_and_their_attachments_are_placed_by_their_issuer(corpus, number, place, level):
    documents = by_number(corpus, number)
    assert len(documents) == 4  # the notice and 附件1–3
    assert {(d.jurisdiction.name, d.jurisdiction.level) for d in documents} == {(place, level)}
    notice = next(d for d in documents if d.attachment is None)
    assert [d.attachment for d in documents if d.parent_id == notice.id] == ["附件1", "附件2", "附件3"]


def test_attachments_are_documents_of_their_own_and_not_merged_into_neighbours(corpus):
    lushan = [d for d in corpus.documents if d.source.file.startswith("000")]
    assert [d.title for d in lushan[1:]] == [
        "支持小微商贸企业个体工商户恢复发展若干措施",
        "鲁山县推动小微工业企业上规模实施方案",
        "鲁山县促进“专精特新”中小企业高质量发展实施方案",
    ]
    spans = [(d.source.start_line, d.source.end_line) for d in lushan]
    assert all(a[1] < b[0] for a, b in zip(spans, spans[1:]))


def test_the_compilation_is_split_by_level(corpus):
    levels = [d.jurisdiction.level for d in corpus.documents if d.source.file.startswith("004")]
    assert levels == ["national"] * 6 + ["province"] * 7 + ["city"] * 11
    titles = [d.title for d in corpus.documents if d.source.file.startswith("004")]
    assert "关于促进服务业领域困难行业恢复发展的若干政策" in titles  # wrapped over two lines
    assert "焦作市物流保通保畅促进产业链供应链稳定二十条措施" in titles


def test_places_dates_and_periods_come_from_the_text(corpus):
    shifanqu = next(d for d in corpus.documents if d.source.file.startswith("003"))
    assert (shifanqu.jurisdiction.name, shifanqu.jurisdiction.parent) == ("示范区", "平顶山市")
    lushan = by_number(corpus, "鲁政办〔2022〕23号")[0]
    assert lushan.date == "2022-06-01"  # signed at the end of the file, after the attachments
    zhanhe = by_number(corpus, "平湛政办〔2022〕8号")[0]
    assert zhanhe.date == "2022-06-05"
    six_taxes = next(d for d in corpus.documents if "六税两费" in d.title)
    assert six_taxes.valid_until == "2024-12-31"
    thirty = next(d for d in corpus.documents if "三十条" in d.title)
    assert thirty.valid_until == "2022-06-30"


def test_a_text_without_any_title_is_an_ingest_error():
    with pytest.raises(IngestError):
        parse_text("这是一段没有标题的文字。\n只有句子。\n", "x.txt")


def test_a_document_without_a_place_needs_one_from_the_caller():
    text = "促进个体工商户发展若干措施\n一、减免房租。对承租国有房屋的个体工商户免收3个月房租。\n"
    with pytest.raises(IngestError):
        parse_text(text, "new.txt")
    documents, clauses = parse_text(text, "new.txt", place="鲁山县")
    assert documents[0].jurisdiction.name == "鲁山县"
    assert clauses[0].label == "一、"


def test_a_draft_is_known_by_the_marker_in_its_own_title_and_nothing_else_is_a_draft(corpus):
    drafts = [d for d in corpus.documents if d.draft]
    assert [(d.jurisdiction.name, d.draft, d.trial) for d in drafts] == [("焦作市", "讨论稿", True)]
    assert "讨论稿" in drafts[0].title
    assert not [d for d in corpus.documents if d.trial and not d.draft]  # no other says 试行 of itself


def test_the_status_markers_are_read_from_the_header_not_the_body():
    text = ("鲁山县支持个体工商户发展若干措施（征求意见稿）\n一、减免房租。参照《某某办法（试行）》免收3个月房租。\n")
    documents, _ = parse_text(text, "new.txt", place="鲁山县")
    assert (documents[0].draft, documents[0].trial) == ("征求意见稿", False)


def test_an_override_settles_a_documents_status(tmp_path):
    from index.catalog import Override

    text = "鲁山县支持个体工商户发展若干措施（讨论稿）\n一、减免房租。免收3个月房租。\n"
    title = "鲁山县支持个体工商户发展若干措施（讨论稿）"
    overrides = {("new.txt", title): Override("new.txt", title, draft="", trial=True)}
    documents, _ = parse_text(text, "new.txt", overrides, place="鲁山县")
    assert (documents[0].draft, documents[0].trial) == (None, True)


def test_an_attachment_without_its_notice_has_no_number_its_label_is_not_one(corpus):
    shifanqu = next(d for d in corpus.documents if d.source.file.startswith("003"))
    assert shifanqu.attachment == "附件3" and shifanqu.cited_number is None
    assert all(not (d.cited_number or "").startswith("附件") for d in corpus.documents)
