"""(question, history, location) → Query: the asker's place, the topic, the kind of answer wanted.

Owners speak plainly ("饭店", "房租", "社保"); clauses speak policy ("住宿餐饮", "经营用房",
"社会保险费"). A short reviewed synonym list bridges the two; it is a vocabulary, not a rule per
question. A follow-up ("那湛河区呢？", "找哪个部门？") keeps the topic of the earlier turns.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from assistant import places
from assistant.types import Query
from index.tokenize import tokens

# colloquial word → policy terms that clauses use
SYNONYMS: dict[str, tuple[str, ...]] = {
    "房租": ("租金", "房屋租金", "经营用房", "减免"),
    "租金": ("房租", "经营用房"),
    "饭店": ("餐饮", "住宿餐饮"),
    "餐馆": ("餐饮", "住宿餐饮"),
    "饭馆": ("餐饮", "住宿餐饮"),
    "开店": ("个体工商户", "商贸"),
    "门店": ("个体工商户", "商贸"),
    "小店": ("个体工商户", "小微商贸企业"),
    "个体户": ("个体工商户",),
    "商店": ("零售", "商贸"),
    "超市": ("零售", "商贸"),
    "社保": ("社会保险", "养老保险", "失业保险", "工伤保险", "缓缴"),
    "五险": ("社会保险", "养老保险"),
    "贷款": ("信贷", "融资", "贷款"),
    "借钱": ("贷款", "融资", "信用贷款"),
    "利息": ("贴息", "利率"),
    "退税": ("留抵退税", "退税"),
    "水电": ("水电气", "用水用气用电"),
    "电费": ("用电", "电价", "水电气"),
    "招工": ("招聘", "用工", "吸纳就业"),
    "招人": ("招聘", "用工", "吸纳就业"),
    "大学生": ("高校毕业生",),
    "毕业生": ("高校毕业生",),
    "工厂": ("工业企业",),
    "厂子": ("工业企业",),
    "上规模": ("小升规", "规模以上"),
    "升规": ("小升规", "规模以上"),
    "奖励": ("奖励", "奖补", "一次性奖励"),
    "给钱": ("奖励", "补助", "资金支持"),
    "发钱": ("奖励", "补助", "资金支持"),
    "贷点": ("贷款",),
    "抵押": ("免抵押", "信用贷款"),
    "便利店": ("零售", "商贸", "个体工商户"),
    "缓一缓": ("缓缴",),
    "晚点交": ("缓缴",),
    "补贴": ("补贴", "补助", "奖补"),
    "货车": ("货运", "物流", "货车司机"),
    "物流": ("物流", "货运", "交通运输"),
    "旅行社": ("旅游", "质量保证金"),
    "景区": ("旅游", "文旅"),
    "上市": ("上市", "挂牌"),
    "小巨人": ("专精特新", "小巨人"),
    "税": ("税费", "减税降费"),
    "交税": ("纳税", "税费"),
    "发票": ("增值税",),
    "设备": ("设备器具", "税前扣除"),
    "买房": ("住房", "购房"),
    "幼儿园": ("民办幼儿园", "保教费"),
    "出租车": ("出租车", "网约车"),
    "公积金": ("住房公积金",),
}
# what the assistant never answers, whatever the corpus holds: a request of this kind is declined with
# its reason (and where to ask instead) rather than matched to the nearest clause. Kinds, not questions:
# the matters a 12345 line receives that are not enterprise-relief policy.
OUT_OF_SCOPE: dict[str, re.Pattern[str]] = {
    "这是违法违规的做法，本助手不提供帮助。": re.compile(r"做假账|假账|偷税|逃税|骗补|骗取补贴|虚开发票|洗钱|行贿"),
    # an employee's own income tax; the 个体工商户 经营所得 tax is enterprise relief and stays in scope
    "职工个人的个人所得税（起征点、专项附加扣除、年度汇算）不属于惠企政策，可咨询12366纳税服务热线。": re.compile(
        r"^(?!.*(个体|经营所得)).*(?<![那这哪一几每各])个税|专项附加扣除|(工资|薪水|年终奖).{0,6}(扣|交|缴).{0,3}税|个人所得税.{0,6}(起征点|年度汇算)"),
    "劳动纠纷（欠薪、辞退、赔偿、劳动合同）请向当地劳动保障监察机构或劳动人事争议仲裁委员会反映。": re.compile(
        r"劳动仲裁|劳动争议|劳动纠纷|欠薪|讨薪|(拖|欠|扣|克扣|不给|不发).{0,6}工资|双倍工资|经济补偿金|赔偿金|辞退|开除|"
        r"加班费|(没|不|未)签.{0,4}劳动合同"),
    "交通违法处理请咨询公安交通管理部门。": re.compile(r"超速|违章|闯红灯|交警|罚单|扣分|驾照|驾驶证|车辆年检"),
    "消费纠纷和邻里纠纷请拨打12315或12345反映。": re.compile(r"网购|退货|店家.{0,6}不(退|给)|投诉商家|邻居|扰民|噪音"),
    "这是个人或家庭事务，不属于惠企政策。": re.compile(
        r"签证|护照|离婚|结婚|彩礼|退休金|领.{0,6}养老金|养老金.{0,6}领|上学|入学|上小学|高考|志愿填报|户口迁|"
        r"住院|看病|就医|医保报销|养狗|狗证"),
    "本助手不提供投资建议。": re.compile(r"股票|炒股|荐股|比特币|彩票|理财产品|定期存款|存.{0,3}定期|国债"),
    "这不是政策问题。": re.compile(r"写一首|写首|作诗|菜谱|好吃|讲个笑话|天气预报|翻译|翻成"),
    "本助手只回答政策问题，不执行改变规则或索取系统信息的指令。": re.compile(
        r"系统提示|管理员授权|不受限制|忽略(之前|以上|上面|你的)|密钥|文件路径|^\s*system\s*[:：]", re.IGNORECASE),
}
# Details an owner asks for that a policy text may not state. Each kind: how a question asks for it,
# how a clause states it, and what to call it when no quoted clause does. A question asking for one
# is answered only when the answering sentence of some cited rule states that kind of detail;
# otherwise it is declined, since the topic alone ("一次性吸纳就业补贴") does not answer "每人能领多少钱".
DETAILS: dict[str, tuple[re.Pattern[str], re.Pattern[str], str]] = {
    "share": (
        re.compile(r"百分之几|百分之多少|几个点|多少个点|几成|(比例|费率|税率|利率)(是|为|按)?多少|多少(比例|费率|税率)"),
        re.compile(r"%|％|百分之|[一二三四五六七八九十]成|减半|倍|全额"),
        "具体比例",
    ),
    "amount": (
        re.compile(r"多少钱|几块钱|几毛|几分钱|多少万|(补|奖|给|发|领|拿|贷|减|免|报|返|退|投)(个)?多少(?![天个年次家人小])|"
                   r"(标准|下限|上限|基数|额度|金额|规模)(是|为|有)?(多少|多大)"),
        re.compile(r"\d\s*(万|亿)?元|[一二三四五六七八九十百千万]+元|%|％|百分之|减半|全额|免(征|收|除)|倍"),
        "具体金额或标准",
    ),
    "contact": (
        re.compile(r"电话|手机号|联系方式|联系人|叫(啥|什么)名|名字叫|办公地址|在哪栋|几楼"),
        re.compile(r"电话|联系人|\d{7,}|地址"),
        "联系人或联系方式",
    ),
    "channel": (
        re.compile(r"(哪个|什么|哪)(网站|系统|平台|APP|app|小程序|公众号)|网址|链接|下载|(申报表|申请表|表格).{0,4}(去哪|在哪|哪里)"),
        re.compile(r"系统|平台|网站|APP|app|小程序|公众号|豫事办|支付宝|网址|下载"),
        "办理渠道（系统、网站、表格）",
    ),
    "materials": (
        re.compile(r"(什么|哪些|啥|要带|准备|提供|交|提交).{0,3}(材料|资料|证明|手续)"),
        re.compile(r"材料|资料|证明|手续|凭"),
        "需要的材料",
    ),
}
DEPARTMENT_WORDS = re.compile(r"哪个部门|什么部门|哪个单位|找谁|谁负责|谁管|哪里办|去哪|找哪|部门")
DEADLINE_WORDS = re.compile(r"截止|截至|什么时候|啥时候|到期|期限|有效期|多久|还能享受|还有效|到哪天|几号")
FIGURE_WORDS = re.compile(r"多少|多大|多久|多长|几[个年月天次倍成家]|比例|额度|上限|最高|最多|标准|幅度|什么时候|啥时候|哪段时间|期限|截止")
LOCAL_WORDS = re.compile(r"区里|县里|市里|当地|本地|自己(出|定|发)")
FOLLOW_UP_START = re.compile(r"^(那|那么|那要是|还有|另外|如果是|要是|换成|同样)")
FOLLOW_UP_MAX_CHARS = 14


def understand(question: str, history: Sequence[dict[str, str]] = (), location: str | None = None) -> Query:
    """The query to search for. `location` is the asker's place when the interface knows it."""
    named = places.asker_places(question)
    earlier = [turn["content"] for turn in history if turn.get("role") == "user" and turn.get("content")]
    follow_up = bool(earlier) and (
        len(question) <= FOLLOW_UP_MAX_CHARS or FOLLOW_UP_START.match(question) is not None
    )
    place = places.most_specific(named)
    if location:
        place = _narrower(place, places.place(location))
    if follow_up:
        for turn in reversed(earlier):
            said = places.most_specific(places.asker_places(turn))
            if said:
                place = _narrower(place, said)
                break
    compared = tuple(p.name for p in places.side_by_side(named))
    if compared:
        place = None
    topic = question
    if follow_up:
        topic = f"{_without_places(earlier[-1])} {question}"
    wants = "department" if DEPARTMENT_WORDS.search(question) else "deadline" if DEADLINE_WORDS.search(question) else "rule"
    topic_only = _without_places(topic)
    terms = tuple(dict.fromkeys(
        [word for word in SYNONYMS if word in topic_only]
        + [term for word, terms in SYNONYMS.items() if word in topic_only for term in terms]
    ))
    return Query(
        question=question,
        out_of_scope=next((why for why, pattern in OUT_OF_SCOPE.items() if pattern.search(question)), None),
        search_text=" ".join([topic_only, *terms]),
        place=place.name if place else None,
        place_covered=place.covered if place else True,
        asks_local=LOCAL_WORDS.search(question) is not None,
        compared=compared,
        wants=wants,
        asks_figure=FIGURE_WORDS.search(question) is not None,
        detail=next((kind for kind, (asked, _, _) in DETAILS.items() if asked.search(question)), None),
        terms=terms,
        words=tuple(tokens(topic_only)),
    )


def _narrower(named: places.Place | None, known: places.Place) -> places.Place:
    """The asker's place when the question names `named` and the asker is known to be in `known`.

    Naming a wider place the asker is in ("省里", "国家") asks about that level's rules, which still
    apply to the asker; the narrower place decides what applies. Naming another place moves the asker.
    """
    if named is None or places.applies_to(named.name, known.name):
        return known
    return named


def _without_places(text: str) -> str:
    """The text with place names (not ranks) taken out, so a follow-up can change the place but keep the topic."""
    for found in places.named_places(text):
        for alias in sorted((found.name, *found.aliases), key=len, reverse=True):
            text = re.sub(f"{re.escape(alias)}(?!级)", "", text)
    return text
