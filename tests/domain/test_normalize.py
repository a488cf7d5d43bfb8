"""How people type is matched on: 繁體, full-width, markup, homophone typos, pinyin and initials."""
import pytest

from domain.normalize import glossary_hits, is_english, match_key
from domain.text import cleaned, traditional


def test_traditional_becomes_simplified_and_simplified_stays_as_it_is():
    assert cleaned("我們在魯山縣開店，房租能減免嗎？").startswith("我们在鲁山县开店")
    assert cleaned("这么多的税费怎么办") == "这么多的税费怎么办"  # 么 is not turned into 幺


def test_a_question_written_in_繁體_by_the_tools_reads_back_as_written():
    question = "鲁山县的小微企业线上审批新增的首批次产品，执行期限多久？"
    assert traditional(question) != question and cleaned(traditional(question)) == cleaned(question)


@pytest.mark.parametrize("typed, meant", [
    ("魯山新廠要接電，線上審批得等幾天？", "线上审批"), ("六稅兩費減徵政策執行到哪年", "执行到哪年"),
    ("今年要新增多少家規上工業企業", "新增多少家"), ("新材料首批次應用保險補貼", "首批次"),
    ("申請要準備哪些文件", "哪些文件"), ("建立小升規工作推進機制", "建立小升规"),
    ("我們是做軟體的，網路平臺", "做软件的,网络平台"), ("跑計程車的", "跑出租车"),
])
def test_繁體_reads_as_the_policy_texts_write_it_taiwan_words_included(typed, meant):
    assert meant in cleaned(typed)


def test_markup_emoji_and_full_width_forms_are_removed_from_the_match_key():
    assert match_key("<script>alert(1)</script>社保😀能缓缴吗") == "社保能缓缴吗"
    assert match_key("ＶＡＴ免征吗") == "vat免征吗"


@pytest.mark.parametrize("typed, meant", [
    ("社宝能缓缴吗", "社保"), ("增直税", "增值税"), ("小升归", "小升规"), ("zjtx企业", "专精特新"),
    ("shebao能缓缴吗", "社保"), ("留底退税", "留抵退税"), ("焦做的企业", "焦作"), ("我在鲁三县", "鲁山县"),
    ("中华老子号有补助吗", "老字号"), ("kfq用地审批", "开发区"),  # terms of the English glossary are repaired too
    ("湛河渠的奖励差多少", "湛河区"),  # a covered place by its full name too
    ("zzs电子专票咋申领", "增值税"),  # initials of a term, not of a place's full name (郑州市)
])
def test_homophone_typos_pinyin_and_initials_become_the_domain_term(typed, meant):
    assert meant in match_key(typed)


@pytest.mark.parametrize("typed, meant", [
    ("公积金最多能贷多绍？", "贷多少"), ("预缴增值税暂停几念", "暂停几年"), ("自询县对院士团队的扶持资金", "咨询"),
    ("实否可以申请缓缴", "是否可以"),
])
def test_a_homophone_of_a_word_people_ask_with_is_repaired_so_what_is_asked_is_seen(typed, meant):
    assert meant in match_key(typed)


@pytest.mark.parametrize("word", ["纪念品", "那里能办", "多达十家企业", "召开联席会议"])
def test_a_real_word_sounding_like_a_question_word_stays(word):
    assert match_key(word) == word


def test_pinyin_of_two_syllables_is_read_in_chinese_text_and_left_alone_in_english():
    assert "利息" in match_key("创业担保贷款的lixi是政府全出吗") and "企业" in match_key("小微qiye怎么界定")
    assert match_key("a fuze for the heater") == "a fuze for the heater"  # fuze spells 负责, but this is English


def test_of_terms_that_sound_alike_a_typo_becomes_the_one_it_shares_a_character_with():
    """延期 and 央企 sound alike to many speakers (yan/yang): 宴期 is the first, in every process."""
    assert "延期" in match_key("税交不上能宴期吗")
    assert "央企" in match_key("秧企的子公司")


@pytest.mark.parametrize("word", ["水费能缓交吗", "诊断服务", "招工补贴", "税费减免",
                                  "我们企业在焦作", "我们公司在郑州", "开了家店", "融资担保能增信吗"])
def test_real_words_are_never_taken_for_typos(word):
    assert match_key(word) == word


@pytest.mark.parametrize("said", ["利息是政府全部贴还是贴一部分", "要在贷款到期前多少天申请", "这是政府工程"])
def test_a_function_word_before_a_word_is_not_a_typo_of_a_term_sounding_alike(said):
    # 是政府 sounds like 市政府 and 在贷款 like 再贷款, but say "is the government" and "before the loan"
    assert match_key(said) == said


@pytest.mark.parametrize("typed, meant", [("承对期限", "承兑期限"), ("绿色通到", "绿色通道"), ("健康吗异常", "健康码")])
def test_a_function_word_inside_or_after_a_term_is_still_repaired(typed, meant):
    assert meant in match_key(typed)


def test_english_is_told_from_chinese_with_english_words():
    assert is_english("Can I defer social insurance payments?")
    assert not is_english("我们company在湛河区，rent能减免吗")


def test_the_glossary_bridges_english_phrases_longest_first():
    hits = dict(glossary_hits("can I defer social insurance payments"))
    assert "social insurance" in hits and "社会保险" in "".join(hits["social insurance"])


def test_the_glossary_finds_plurals_british_spellings_and_hyphenated_words():
    terms = {t for _, ts in glossary_hits("Are recognised firms in the cultivation pools given subsidies for work-injury insurance?")
             for t in ts}
    assert {"认定", "培育库", "补贴", "工伤保险"} <= terms
    assert {t for _, ts in glossary_hits("value-added taxes") for t in ts} >= {"增值税"}
