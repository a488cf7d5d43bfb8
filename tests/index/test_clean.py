from domain.text import without_whitespace
from index.clean import clean_lines, is_page_number, squeeze_spaces


def test_page_numbers_are_recognised():
    assert is_page_number("- 7 -")
    assert is_page_number(" - 140 - ")
    assert not is_page_number("7.今年专项债8月底前基本使用到位")


def test_stray_spaces_inside_numbers_and_chinese_are_removed():
    assert squeeze_spaces("免收 3 个月房租，1 0 0 万元") == "免收3个月房租，100万元"


def test_spaces_between_latin_words_are_kept():
    assert squeeze_spaces("Wi Fi 覆盖") == "Wi Fi覆盖"


def test_cleaning_drops_blank_and_page_lines_and_keeps_raw_line_numbers():
    lines = clean_lines("第一行\n\n- 7 -\n 第 二 行 \n")
    assert [(line.number, line.text) for line in lines] == [(1, "第一行"), (4, "第二行")]


def test_cleaning_changes_no_character_of_the_wording():
    raw = "对月销售额未超过 15 万元(按季度缴纳的季度销售额\n\n- 3 -\n未超过 45 万元)"
    cleaned = "".join(line.text for line in clean_lines(raw))
    assert without_whitespace(cleaned) == without_whitespace(raw.replace("- 3 -", ""))


def test_occurrences_prefer_the_longer_term_and_never_overlap():
    from domain.text import occurrences

    assert occurrences("鲁山县和鲁山的政策", ["鲁山", "鲁山县"]) == [(0, 3, "鲁山县"), (4, 6, "鲁山")]
    assert occurrences("无", ["", "有"]) == []
    assert occurrences("河南平原光电", ["南平", "河南"]) == [(0, 2, "河南")]  # as long: the first to start
