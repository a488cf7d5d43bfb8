import pytest

from domain import places


def test_aliases_resolve_to_gazetteer_names():
    assert places.place("鲁山").name == "鲁山县"
    assert places.place("焦作").name == "焦作市"
    assert places.place("省里").name == "河南省"


def test_the_most_specific_place_named_wins():
    named = places.find_places("我在平顶山市鲁山开饭店")
    assert places.most_specific(named).name == "鲁山县"


def test_the_applicability_chain_runs_county_city_province_nation():
    assert [p.name for p in places.chain("鲁山县")] == ["鲁山县", "平顶山市", "河南省", "国家"]
    assert places.applies_to("平顶山市", "鲁山县")
    assert not places.applies_to("湛河区", "鲁山县")
    assert not places.applies_to("焦作市", "鲁山县")
    assert places.applies_to("焦作市", "孟州市")


def test_places_outside_the_corpus_are_known_but_not_covered():
    guangdong = places.place("广东")
    assert guangdong.level == "province" and not guangdong.covered


def _asker(text: str) -> list[str]:
    return [p.name for p in places.asker_places(text)]


def test_places_goods_money_or_a_listing_go_to_are_not_where_the_asker_is():
    assert _asker("我们公司要是去香港主板上市，市里一次性奖多少？") == []
    assert _asker("货发到山东，运费有补贴吗") == []
    assert _asker("一半的钱投到许昌的新项目上了，还能拿县里的奖励吗？") == []
    assert _asker("我在温县，山东的客户欠款不还怎么办") == ["温县"]
    # an exchange named after its city is where a firm lists or trades, not where the asker is
    assert _asker("咨询在香港联交所主板上市后市里奖励多少") == []
    assert _asker("在郑州商品交易所设交割库有补贴吗") == []


def test_a_branch_elsewhere_leaves_the_asker_at_home():
    assert _asker("我在新乡也有个分厂，这批货是给焦作一家单位供的") == ["焦作市"]


def test_the_place_one_comes_to_or_sets_up_in_is_where_the_asker_acts():
    assert _asker("我是山东的货车司机，经常来河南送货") == ["河南省"]
    assert _asker("我在鲁山，想去湛河区开店，房租能减吗") == ["湛河区"]
    assert _asker("我在鲁山县开饭店") == ["鲁山县"]
    # a place that says or gives something (焦作说对创业平台…, 焦作的创业补贴) is not one the asker sets up in
    assert "金水区" in _asker("我在金水区开了个众创空间，焦作说对创业平台以奖代补")


def test_places_set_side_by_side_are_all_kept():
    assert _asker("鲁山县和湛河区房租减免有啥不同") == ["鲁山县", "湛河区"]


def test_a_place_s_own_projects_still_place_the_asker():
    assert _asker("湛河区一般企业投资项目审批最多多少个工作日？") == ["湛河区"]


def test_a_direction_after_a_verb_or_a_verb_ending_in_到_is_not_a_trip():
    assert _asker("产品卖出去省里有奖励吗？") == ["河南省"]
    assert _asker("得到省里的认定后，县里还奖吗？") == ["河南省"]


def test_a_covered_place_s_listing_reward_is_that_place_s_rule():
    assert _asker("焦作市的上市奖励是多少？") == ["焦作市"]
    assert _asker("鲁山上市奖励分几步给？") == ["鲁山县"]
    assert _asker("我们打算在香港上市，县里有奖励吗？") == []


def test_every_covered_place_has_documents_and_every_document_place_is_covered(corpus):
    with_documents = {d.jurisdiction.name for d in corpus.documents}
    assert {p.name for p in places.covered_places()} == with_documents


def test_any_county_of_china_resolves_to_its_chain():
    assert [p.name for p in places.chain(places.resolve("郑州市金水区").place.name)] == ["金水区", "郑州市", "河南省", "国家"]
    assert places.resolve("杭州西湖区").place.parent == "杭州市"
    assert places.resolve("石家庄新华区").place.parent == "石家庄市"
    assert places.place("新华区").parent == "平顶山市"  # the corpus's province first when nothing else tells


@pytest.mark.parametrize("typed, meant", [("鲁山市", "鲁山县"), ("湛河县", "湛河区"), ("焦做", "焦作市"),
                                          ("魯山縣", "鲁山县"), ("Lushan County", "鲁山县"), ("wen county", "温县")])
def test_a_mistyped_place_resolves_to_the_nearest_one_with_a_note(typed, meant):
    resolved = places.resolve(typed)
    assert resolved.place.name == meant


def test_an_unknown_place_resolves_to_none_with_a_chinese_note():
    resolved = places.resolve("Atlantis")
    assert resolved.place is None and "Atlantis" in resolved.note


def test_common_words_are_not_read_as_places():
    assert places.asker_places("在中原股权交易中心挂牌有奖励吗") == []
    assert places.asker_places("惠民政策有哪些") == []


def test_the_scope_sentence_names_the_covered_places():
    from assistant.compose import SCOPE

    for p in places.covered_places():
        assert p.name in SCOPE or p.level == "national"


def test_a_county_mistyped_as_a_namesake_elsewhere_is_read_within_the_city_named_with_it():
    assert [p.name for p in places.asker_places("平顶山芦山县的企业")] == ["平顶山市", "鲁山县"]


def test_words_inside_policy_terms_are_not_places():
    assert [p.name for p in places.asker_places("省里技改示范项目能按多少比例补？")] == ["河南省"]


@pytest.mark.parametrize("text", ["我想知道县里对占道施工有没有要求", "是省里和县里一起出钱吗", "用云平台的年服务费县里能补多少",
                                  "我是平顶山市青云县的个体户"])
def test_a_two_character_county_inside_other_words_is_not_named(text):
    named = {p.name for p in places.asker_places(text)}
    assert not named & {"道县", "和县", "费县", "云县"}


def test_a_two_character_county_said_as_a_word_is_named():
    assert [p.name for p in places.asker_places("我在和县开了个店")] == ["和县"]
    assert [p.name for p in places.asker_places("我在温县城区开店")] == ["温县"]


@pytest.mark.parametrize("text", ["I run a restaurant in Lushan county, can I get rent relief?",
                                  "we are a shop in Zhanhe District", "our firm in Wen County"])
def test_an_english_place_is_taken_out_whole_with_its_level_word_after_a_sentence_word(text):
    # "in Lushan county" is not the two-word name "in lushan": the level word goes with the name, not into the topic
    assert len(places.latin_places(text)) == 1
    assert not {"county", "district"} & set(places.without_latin_places(text).lower().split())


@pytest.mark.parametrize("text", ["listed on the Shenzhen Stock Exchange", "an IPO on the Shanghai stock exchange",
                                  "在 Shenzhen Stock Exchange IPO 成功了，省里奖多少？"])
def test_a_stock_exchange_named_after_its_city_in_english_is_not_a_place_of_the_askers(text):
    assert places.latin_places(text) == []
    assert "exchange" in places.without_latin_places(text).lower()  # the market stays a topic word


def test_the_city_alone_in_english_is_still_a_place():
    assert places.latin_places("our firm is in Shenzhen") == ["深圳市"]


def test_the_province_said_as_省里_names_henan_only_for_an_asker_inside_it():
    henan = places.place("河南省")
    assert places.said_only_relatively(henan, "省里对小升规奖多少？")
    assert places.said_only_relatively(henan, "全省的房租减免政策是什么？")
    assert not places.said_only_relatively(henan, "河南省里对小升规奖多少？")
    assert places.said_only_relatively(henan, "省级专精特新企业，省里还奖多少？")  # 省级 is a rank, no name
    assert not places.said_only_relatively(places.place("焦作市"), "焦作市里有什么补贴？")
