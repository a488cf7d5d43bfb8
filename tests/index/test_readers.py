"""Reading policy files: what extraction garbles is mended, the wording is not touched."""
from index.readers import ideographs


def test_radical_code_points_become_the_characters_they_stand_for():
    assert ideographs("鲁⼭县⼈⺠政府关于⽀持⼩微企业的通知") == "鲁山县人民政府关于支持小微企业的通知"


def test_the_documents_own_full_width_punctuation_and_digits_stay():
    text = "（一）对承租国有房屋的，免收３个月房租：“减半收取”。"
    assert ideographs(text) == text
