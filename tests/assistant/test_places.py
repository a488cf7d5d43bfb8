from assistant import places


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
