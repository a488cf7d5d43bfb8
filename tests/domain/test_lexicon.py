"""The reviewed knowledge files load, every pattern compiles, and a broken file fails loudly."""
import re
import shutil
from pathlib import Path

import pytest

from domain import lexicon
from domain.lexicon import LEXICON, LexiconError, load


def _data_with(directory: Path, name: str, edit) -> Path:
    """A copy of the reviewed data files in `directory`, with file `name`'s text passed through `edit`."""
    shutil.copytree(lexicon.DATA_DIR, directory, dirs_exist_ok=True)
    path = directory / name
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return directory


def test_every_kind_of_request_and_detail_is_complete_in_both_languages():
    assert len(LEXICON.out_of_scope) >= 8
    for kind in LEXICON.out_of_scope:
        assert kind.name and kind.reason and kind.reason_en and isinstance(kind.pattern, re.Pattern)
    for detail in LEXICON.details.values():
        assert detail.name and detail.name_en


@pytest.mark.parametrize("sentence", ["释放的2.2万亿元资金", "增加退税1400多亿元", "给予5万元一次性奖励", "最高奖励三十万元"])
def test_a_sum_of_money_states_an_amount_in_any_of_its_units(sentence):
    assert LEXICON.details["amount"].stated.search(sentence)


def test_a_time_limit_is_stated_in_days_or_hours_not_by_a_date_or_a_share():
    stated = LEXICON.details["time_limit"].stated
    for sentence in ("电力接入线上并联审批时限不超过5个工作日", "24小时受理", "3个月内拨付到位", "当日办结"):
        assert stated.search(sentence), sentence
    for sentence in ("2022年1月1日起执行", "按照80%的比例暂退", "及时拨付"):
        assert not stated.search(sentence), sentence


def test_a_fee_named_手续费_does_not_state_the_documents_required():
    materials = LEXICON.details["materials"].stated
    assert materials.search("需提交营业执照复印件等材料")
    assert not materials.search("免收交易手续费")


def test_the_english_glossary_has_a_few_hundred_terms_that_occur_in_the_corpus(corpus):
    text = "".join(c.text for c in corpus.clauses) + "".join(c.departments or "" for c in corpus.clauses)
    assert 250 <= len(LEXICON.glossary) <= 800  # a few hundred: the words of the corpus's topics, not a dictionary
    missing = {t for terms in LEXICON.glossary.values() for t in terms if t not in text}
    assert len(missing) <= 0.05 * sum(len(ts) for ts in LEXICON.glossary.values()), sorted(missing)[:20]


def test_a_pattern_that_does_not_compile_is_an_error_naming_where_it_is(tmp_path: Path):
    broken = _data_with(tmp_path, "lexicon.toml", lambda text: text.replace("deadline = '截止", "deadline = '(截止", 1))
    with pytest.raises(LexiconError, match="asks.deadline"):
        load(broken)


def test_two_out_of_scope_kinds_with_one_name_are_an_error(tmp_path: Path):
    """The remit head names the kinds it declines: a name must point at one kind."""
    doubled = _data_with(tmp_path, "lexicon.toml", lambda text: text.replace("name = 'forgery'", "name = 'unlawful'"))
    with pytest.raises(LexiconError, match="name of its own"):
        load(doubled)


def test_a_channel_is_stated_by_a_named_one_in_use_not_by_a_platform_party_to_the_measure():
    channel = LEXICON.details["channel"].stated
    assert channel.search("依托省金融服务共享平台平顶山分行开展线上银企对接活动")
    assert channel.search("通过手机在“支付宝”-“豫事办”提前报备")
    assert not channel.search("鼓励电商平台出台阶段性费率优惠措施")


def test_a_group_of_alternatives_names_each_member_a_range_or_a_list_spans():
    levels = LEXICON.alternatives["级别"]
    assert levels.named_in("对新认定的国家级、省级、市级星创天地") == {0: "国家级", 1: "省级", 2: "市级"}
    assert levels.named_in("省级以上中小企业公共服务示范平台") == {0: "省级以上", 1: "省级以上"}  # a range: each level
    assert levels.named_in("对新获评国家、省企业技术中心") == {0: "国家", 1: "省"}  # a list of levels
    # a payer named by its level names none: the level asked about is the recognition's
    assert levels.named_in("争取省级财政资金对国家级专精特新小巨人") == {0: "国家级"}
    assert levels.named_in("咨询市级奖励金额") == {} and levels.named_in("县级一次性奖励多少") == {}
    grades = LEXICON.alternatives["技能等级"]
    assert grades.named_in("高级技师") == {4: "高级技师"}  # not also 技师
    boards = LEXICON.alternatives["挂牌板块"]  # a member by any of its names: 北京证券交易所 is 北交所
    assert boards.named_in("对主板、科创板、创业板及北京证券交易所上市的企业") == {1: "北京证券交易所", 2: "主板"}
    assert boards.named_in("我们要去深圳证券交易所上市") == {2: "深圳证券交易所"}  # the 沪深 markets by their names
    # an overseas market is its own member: 香港证券交易所's 主板 is not the 沪深 主板
    assert boards.named_in("对在纽约证券交易所、纳斯达克证券交易所、香港证券交易所主板上市的企业") == {5: "纽约证券交易所"}
    assert boards.named_in("去香港交易所主板上市") == {5: "香港交易所"}
    owners = LEXICON.alternatives["房屋产权"]  # a 中央企业's premises are state-owned; 非国有 is not 国有
    assert owners.named_in("承租中央企业房屋的服务业小微企业") == {0: "中央企业房屋"}
    assert owners.named_in("对承租非国有资产类经营用房的") == {1: "非国有"}
    assert levels.named_in("争取省级财政资金对国家级专精特新“小巨人”企业") == {0: "国家级"}  # 省级 pays
    # a programme's level: 国家科技重大专项 is the 国家's, a 省重大科技专项 the province's
    assert levels.named_in("对承担国家科技重大专项、重点研发计划的单位") == {0: "国家"}
    assert levels.named_in("企业承担的是省重大科技专项") == {1: "省"}
    sizes = LEXICON.alternatives["企业规模"]  # 中小微企业 are 中型 and 小微; 大中小企业 are all three
    assert sizes.named_in("将中小微企业返还比例从60%最高提至90%") == {1: "中小微企业", 2: "中小微企业"}
    assert sizes.named_in("推动大中小企业融通发展") == {0: "大中小", 1: "大中小", 2: "大中小"}
    assert sizes.named_in("对小型微利企业年应纳税所得额") == {2: "小型"}
    assert sizes.named_in("大型企业、龙头企业") == {0: "大型企业"}
    rungs = LEXICON.alternatives["企业梯度"]  # 专精特新“小巨人” names both rungs
    assert rungs.named_in("对首次认定的国家级专精特新“小巨人”企业") == {1: "专精特新", 2: "小巨人"}
    size_line = LEXICON.alternatives["规上规下"]  # a firm not yet in is 规下; 规下升规上 names both
    assert size_line.named_in("俺这小厂还没进规上") == {1: "没进规上"} and size_line.named_in("进了规上统计库") == {0: "规上"}
    assert set(size_line.named_in("累计新增规下升规上小微企业1100家以上")) == {0, 1}
    years = LEXICON.alternatives["年份"]  # a period names each year it spans
    assert years.named_in("2022 年1月1日至2023年12月31日") == {4: "2022 年", 5: "2023年"}
    assert set(years.named_in("本公告执行期限为2022年1月1日至2024年12月31日")) == {4, 5, 6}  # 2023年 within
    assert set(years.named_in("2022年和2024年")) == {4, 6}  # two years, no span
    assert set(LEXICON.alternatives["季度"].named_in("第一季度至第三季度")) == {0, 1, 2}
    groups = LEXICON.alternatives["重点群体"]  # a 就业创业证 marked for graduates names them, though not by name
    assert groups.named_in("对自主就业退役士兵从事个体经营的") == {0: "退役士兵"}
    assert groups.named_in("持《就业创业证》（注明“毕业年度内自主创业税收政策”）") == {1: "毕业年度"}
    assert groups.named_in("对大中专学生、退役军人、失业人员、返乡创业农民工创办的实体") == {0: "退役军人", 1: "大中专学生", 2: "农民工"}
    taxes = LEXICON.alternatives["税费种类"]  # 六税两费 names the six taxes and two surcharges; a bare 所得税 no one's
    assert len(taxes.named_in("扩大“六税两费”适用范围")) == 7 and not taxes.named_in("个体户的所得税")
    assert taxes.named_in("减按20%的税率缴纳企业所得税") == {1: "企业所得税"}
    assert taxes.named_in("有关税费政策") == {}  # 有关税费 is no 关税
    assert list(taxes.named_in("确实无力足额缴纳失业、工伤保险费的企业，可申请缓缴3个月").values()) == ["工伤保险"]
    utilities = LEXICON.alternatives["水电气暖"]  # 水电气 names three; 暖气费 is no 气费
    assert utilities.named_in("生产经营用水用气用电实行“欠费不停供”") == {0: "用水", 1: "用电", 2: "用气"}
    assert set(utilities.named_in("水电气欠费")) == {0, 1, 2} and utilities.named_in("暖气费能缓交吗") == {3: "暖气"}
    quarters = LEXICON.alternatives["季度"]  # a span of quarters names each
    assert quarters.named_in("对2022年第二季度满负荷生产的") == {1: "第二季度"}
    assert set(quarters.named_in("前三季度")) == {0, 1, 2} and set(quarters.named_in("延缓缴纳第一、二季度税费")) == {0, 1}
    firsts = LEXICON.alternatives["首台套"]
    assert firsts.named_in("推动首台套、首批次产品首购") == {0: "首台", 1: "首批次"}
    lines = LEXICON.alternatives["行业"]  # 服务业 and 商贸 are every service line; a 绿色工厂 is a title, not a factory
    assert lines.named_in("对首次入库的工业企业") == {0: "工业"} and lines.named_in("我开饭店") == {2: "饭店"}
    assert set(lines.named_in("服务业小微企业和个体工商户承租国有房屋")) == {1, 2, 3, 4}
    assert set(lines.named_in("对餐饮、零售、旅游、民航、公路水路铁路运输企业")) == {1, 2, 3, 4}
    assert lines.named_in("省级绿色工厂") == {} and lines.named_in("县工业和信息化局") == {}
    vehicles = LEXICON.alternatives["车辆"]  # 客货运 is both kinds of carriage, 运营车辆 each vehicle run for hire
    assert vehicles.named_in("对货车司机、出租车司机等灵活就业主体") == {0: "货车", 1: "出租车"}
    assert set(vehicles.named_in("客货运司机等在异地核酸检测")) == {0, 2}
    assert set(vehicles.named_in("延长运营车辆年审业务3个月办理期限")) == {0, 1, 2}
    years = LEXICON.alternatives["年份"]  # an English question's bare year names it; a 文号's 〔2022〕 names none
    assert years.named_in("Is there a reward for Q1 2023?") == {5: "2023"}
    assert years.named_in("按照《通知》（平政办〔2022〕15号）精神") == {}
    homes = LEXICON.alternatives["新房二手房"]
    assert homes.named_in("促进新建商品房、二手房消费") == {0: "新建商品", 1: "二手房"}
    assert homes.named_in("购买已取得商品房预售许可证且在房管部门备案的自住商品住房") == {0: "已取得商品房预售许可证"}
    subsidies = LEXICON.alternatives["就业补贴"]  # a firm's 稳岗 alone is no subsidy; 留工培训 is not any training's
    assert subsidies.named_in("按照当地最低工资标准的70%给予就业见习补贴") == {2: "见习"}
    assert subsidies.named_in("利用失业保险基金支持企业稳岗，落实一次性吸纳就业补贴") == {0: "吸纳就业补贴"}
    assert subsidies.named_in("留工培训补助扩大至所有困难参保企业") == {5: "留工培训"}
    assert subsidies.named_in("稳岗补贴每人能领多少") == {3: "稳岗补贴"}
    platforms = LEXICON.alternatives["认定平台"]  # a list of platforms names each; a generic 研发平台 none
    assert platforms.named_in("对新创建的国家重点实验室、工程研究中心、技术创新中心等国家级科技研发平台") == {
        1: "重点实验室", 2: "工程研究中心", 4: "技术创新中心"}
    assert platforms.named_in("对认定为省级制造业创新中心的") == {5: "制造业创新中心"}  # not a 技术创新中心
    assert platforms.named_in("建设一批高水平研发平台") == {}


def test_what_an_asker_says_they_are_not_is_found_and_a_question_is_not_a_denial():
    assert LEXICON.denied.search("租的是村集体的房子，不是国有的").group() == "不是国有的"
    assert LEXICON.denied.search("we are a medium-sized firm, not a small one").group().startswith("not a small")
    assert LEXICON.denied.search("是不是只有国有的房子才能免") is None
    assert LEXICON.denied.search("拟在展示板挂牌（非交易板），奖励多少").group() == "非交易板"
    assert LEXICON.denied.search("租的门面（非国有）") is None  # a member of its own
    assert LEXICON.denied.search("能跟工厂一样拿满负荷奖励不").group() == "跟工厂一样"  # likened to, not theirs
    assert LEXICON.denied.search("像我们这种中型企业呢") is None
    assert LEXICON.denied.search("尚未获评国家级小巨人").group() == "尚未获评国家级小巨人"  # not yet recognised
    assert LEXICON.denied.search("还没评上小巨人").group() == "没评上小巨人"
    assert LEXICON.denied.search("尚未纳入规上统计") is None  # a member of 规上规下
    assert LEXICON.denied.search("a percentage reward like for national projects?").group() == "like for national projects"
    assert LEXICON.denied.search("we would like to know the national rate") is None
    for asking in ("我们算不算小型微利企业", "够不够市级的标准", "属不属于中小微企业"):
        assert LEXICON.denied.search(asking) is None, asking


def test_a_group_of_alternatives_with_one_member_is_an_error(tmp_path: Path):
    single = _data_with(tmp_path, "lexicon.toml", lambda text: text.replace("members = ['省内', '省外']", "members = ['省内']"))
    with pytest.raises(LexiconError, match="two members"):
        load(single)


def test_a_hedged_reason_without_its_english_is_an_error(tmp_path: Path):
    unmatched = _data_with(tmp_path, "lexicon.toml", lambda text: re.sub(r"(?m)^hedged_en = .*$", "", text, count=1))
    with pytest.raises(LexiconError, match="hedged_en"):
        load(unmatched)


def test_a_glossary_line_without_its_chinese_side_is_an_error(tmp_path: Path):
    broken = _data_with(tmp_path, "glossary_en.tsv", lambda text: "rent\t房租\nloan\n")
    with pytest.raises(LexiconError, match="glossary_en.tsv:2"):
        load(broken)


def test_a_taiwan_phrase_given_twice_is_an_error(tmp_path: Path):
    doubled = _data_with(tmp_path, "taiwan_phrases.tsv", lambda text: text + "软体\t软件\n")
    with pytest.raises(LexiconError, match="taiwan_phrases.tsv"):
        load(doubled)


def test_no_taiwan_phrase_is_a_word_the_policy_texts_use(corpus):
    """OpenCC reads 线上, 执行, 新增 as Taiwan computer terms; in a policy question they mean what the texts mean."""
    text = "".join(c.text for c in corpus.clauses)
    assert 500 <= len(LEXICON.taiwan_phrases)
    assert LEXICON.taiwan_phrases["软体"] == "软件"
    assert not [phrase for phrase in LEXICON.taiwan_phrases if phrase in text]


def test_index_never_imports_assistant():
    for path in Path("index").glob("*.py"):
        assert not re.search(r"^\s*(from|import) assistant", path.read_text(encoding="utf-8"), re.MULTILINE), path
    for path in Path("domain").glob("*.py"):
        assert not re.search(r"^\s*(from|import) (assistant|index)", path.read_text(encoding="utf-8"), re.MULTILINE), path


def test_the_domain_modules_import_one_way():
    order = ["errors", "lexicon", "text", "types", "places", "normalize"]
    assert sorted(order) == sorted(p.stem for p in Path("domain").glob("*.py") if p.stem != "__init__")
    for i, name in enumerate(order):
        source = (Path("domain") / f"{name}.py").read_text(encoding="utf-8")
        imported = set(re.findall(r"^\s*from domain(?:\.(\w+)| import (\w+))", source, re.MULTILINE))
        assert {a or b for a, b in imported} <= set(order[:i]), name
