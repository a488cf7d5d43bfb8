"""The gazetteer: places, their aliases and the chain of jurisdictions that apply to an asker.

A rule applies to an asker when its place is the asker's place or one of its ancestors
(county → city → province → national).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.types import Jurisdiction, Level
from index.clean import occurrences

NATIONAL = "国家"


@dataclass(frozen=True)
class Place:
    name: str
    level: Level
    parent: str | None
    aliases: tuple[str, ...] = ()
    covered: bool = True  # False: a place whose own policies the corpus does not hold

    @property
    def jurisdiction(self) -> Jurisdiction:
        return Jurisdiction(level=self.level, name=self.name, parent=self.parent)


def _counties(city: str, names: str, covered: bool = True) -> list[Place]:
    """Counties given as 'full:alias,alias …'; the name less its suffix is an alias too, unless the entry says 'full:-'."""
    places = []
    for entry in names.split():
        full, _, extra = entry.partition(":")
        aliases = tuple(a for a in extra.split(",") if a and a != "-")
        short = re.sub(r"(县|区|市)$", "", full)
        if extra != "-" and len(short) >= 2 and short not in aliases:
            aliases = (short, *aliases)
        places.append(Place(full, "county", city, aliases, covered))
    return places


_HENAN_CITIES = (
    "郑州市 开封市 洛阳市 安阳市 鹤壁市 新乡市 濮阳市 许昌市 漯河市 三门峡市 南阳市 商丘市 信阳市 周口市 驻马店市"
)
_OTHER_PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 内蒙古自治区 广西壮族自治区 "
    "西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
)
_OTHER_CITIES = "深圳市:广东省 广州市:广东省 杭州市:浙江省 苏州市:江苏省 南京市:江苏省 武汉市:湖北省 成都市:四川省 西安市:陕西省 济南市:山东省 青岛市:山东省 厦门市:福建省 长沙市:湖南省 合肥市:安徽省 石家庄市:河北省"


def _short(name: str) -> str:
    return re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", name)


def _build_gazetteer() -> tuple[Place, ...]:
    places = [
        Place(NATIONAL, "national", None, ("全国", "国家层面", "国务院")),
        Place("河南省", "province", NATIONAL, ("河南", "省里", "省级", "全省")),
        Place("平顶山市", "city", "河南省", ("平顶山", "鹰城", "平市")),
        Place("焦作市", "city", "河南省", ("焦作",)),
        Place("示范区", "county", "平顶山市", ("平顶山示范区", "平顶山市城乡一体化示范区")),
        Place("焦作市城乡一体化示范区", "county", "焦作市", ("焦作示范区",)),
        Place("济源市", "city", "河南省", ("济源", "济源示范区"), covered=False),
    ]
    places += _counties("平顶山市", "鲁山县 湛河区 新华区 卫东区 石龙区 舞钢市 汝州市 宝丰县 叶县:叶县 郏县:郏县")
    places += _counties("焦作市", "解放区:- 中站区 马村区 山阳区 修武县 博爱县 武陟县 温县:温县 沁阳市 孟州市")
    places += [Place(c, "city", "河南省", (_short(c),), covered=False) for c in _HENAN_CITIES.split()]
    places += [Place(p, "province", NATIONAL, (_short(p),), covered=False) for p in _OTHER_PROVINCES.split()]
    for entry in _OTHER_CITIES.split():
        city, province = entry.split(":")
        places.append(Place(city, "city", province, (_short(city),), covered=False))
    return tuple(places)


GAZETTEER: tuple[Place, ...] = _build_gazetteer()
_BY_NAME = {p.name: p for p in GAZETTEER}
_BY_ALIAS = {alias: p for p in GAZETTEER for alias in (p.name, *p.aliases)}
_LEVEL_RANK = {"national": 0, "province": 1, "city": 2, "county": 3}


def place(name: str) -> Place:
    """The place called `name` (a full name or an alias); KeyError when unknown."""
    return _BY_NAME.get(name) or _BY_ALIAS[name]


def find_places(text: str) -> list[Place]:
    """Places named in `text`, longest names first, each once, in order of appearance."""
    named = (_BY_ALIAS[alias] for _, _, alias in occurrences(text, _BY_ALIAS))
    return list({p.name: p for p in named}.values())


RANK = re.compile(r"(国家|省|市|县|区)级")  # 省级专精特新, 国家级小巨人: the rank of a firm or platform


def named_places(text: str) -> list[Place]:
    """Places a person names in `text` as where they are or ask about; ranks such as 省级 are not places."""
    return find_places(RANK.sub("", text))


# A place can be named without being where the asker is or asks about: where goods or money go
# (发到山东, 投到许昌的新项目), where a firm lists (香港主板, 在香港上市: never a place the corpus
# covers, whose 上市奖励 is its own rule), where a trip leads (去上海参展), or
# where a branch, project or counterparty sits (新乡也有个分厂, 山东的客户). A place one comes to
# (来河南送货) or sets up in (去湛河区开店) is where the asker acts, whatever their home (我是山东的).
# 去 as a verb of going (去香港上市), not a direction after another verb (卖出去, 送过去); a bare 到 is too
# often part of a verb (得到, 受到, 达到) to mark a destination by itself
_PASSING_BEFORE = re.compile(r"(投到|投资到|投向|发到|发往|运到|运往|销往|卖到|卖往|寄到|寄往|出口到|供货到|(?<![出回过上下进])去|赴)$")
_SETTLING_AFTER = re.compile(r"^[^，,。；？！]{0,3}(开店|开厂|办厂|建厂|设厂|开公司|注册|落户|创业|经营|开饭店|开超市)")
_INCIDENTAL_AFTER = re.compile(r"^(主板|创业板|科创板|证券交易所|交易所)|^的新?项目|^[^，,。；？！]{0,6}(分厂|分公司|子公司|客户|供应商|厂家|合作方)")
_LISTED_AFTER = re.compile(r"^(上市|挂牌)")
_ARRIVING_BEFORE = re.compile(r"(来|回)$")


def asker_places(text: str) -> list[Place]:
    """The places of `named_places(text)` that say where the asker is or what they ask about:
    incidental mentions left out, and only the place they come to when they come to one."""
    text = RANK.sub("", text)
    kept, arrived = [], []
    for start, end, alias in occurrences(text, _BY_ALIAS):
        before, after = text[max(0, start - 3):start], text[end:end + 8]
        settling = _SETTLING_AFTER.match(after) is not None
        found = _BY_ALIAS[alias]
        venue = not found.covered and _LISTED_AFTER.match(after)
        if (_PASSING_BEFORE.search(before) and not settling) or _INCIDENTAL_AFTER.match(after) or venue:
            continue
        comes = settling or _ARRIVING_BEFORE.search(before) is not None
        (arrived if comes else kept).append(found)
    return list({p.name: p for p in (arrived or kept)}.values())


def most_specific(places: list[Place]) -> Place | None:
    """The deepest of the given places (a county over its city), the first named on a tie."""
    if not places:
        return None
    return max(places, key=lambda p: _LEVEL_RANK[p.level])


def chain(name: str) -> list[Place]:
    """The place and its ancestors up to the national level, nearest first."""
    places = []
    current: str | None = name
    while current is not None:
        p = _BY_NAME[current]
        places.append(p)
        current = p.parent
    return places


def scope(askers: list[str]) -> list[str] | None:
    """Names of the places whose rules bind at least one of `askers`; None (everything) when no asker is known."""
    if not askers:
        return None
    return list(dict.fromkeys(p.name for asker in askers for p in chain(asker)))


def side_by_side(named: list[Place]) -> list[Place]:
    """The covered places named as alternatives: two or more, none inside another (鲁山县 and 湛河区,
    not 平顶山市 and 鲁山县). Empty when the text is not a comparison of places."""
    covered = [p for p in named if p.covered and p.level != "national"]
    apart = [p for p in covered if not any(o is not p and applies_to(p.name, o.name) for o in covered)]
    return apart if len(apart) >= 2 else []


def applies_to(rule_place: str, asker_place: str) -> bool:
    """Whether a rule issued for `rule_place` binds an asker located in `asker_place`."""
    return any(p.name == rule_place for p in chain(asker_place))
