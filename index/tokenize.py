"""Chinese word tokens for BM25: jieba, taught the domain's compound terms, stop words removed."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

DOMAIN_TERMS = (
    "小升规 专精特新 小巨人 留抵退税 六税两费 个体工商户 小微企业 中小微企业 小规模纳税人 增值税 房租 减免 减半 "
    "免收 缓缴 社保费 失业保险 工伤保险 养老保险 稳岗 稳岗返还 贴息 担保费率 应急转贷 信用贷款 首贷 续贷 水电气 "
    "欠费不停供 满负荷 规上 规模以上 牵头单位 责任单位 文旅 消费券 吸纳就业 一次性吸纳就业补贴 扩岗补助 见习 "
    "以工代赈 专项债 购置税 住房公积金 国有资产类 经营用房 承租 租金 出口退税 海外仓 跨境电商 培育库 入统"
)
STOP_WORDS = set("的 了 和 与 及 或 等 在 对 为 是 我 我们 你 你们 有 吗 呢 啊 吧 么 什么 怎么 怎么样 能 能不能 可以 要 "
                 "会 就 都 也 还 这 那 哪些 哪个 个 一 上 下 里 中 给 被 把 让 从 到 于 以 其 之 请问 一下 "
                 "想 问 知道 如何 多少 没有 有没有 啥".split())
_PUNCT = re.compile(r"^[\W_]+$")


@lru_cache(maxsize=1)
def _jieba() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for term in DOMAIN_TERMS.split():
        tokenizer.add_word(term, freq=20000)
    return tokenizer


def tokens(text: str) -> list[str]:
    """Search tokens of `text`: jieba words in search mode, no stop words or punctuation."""
    return [
        word
        for word in _jieba().lcut_for_search(text)
        if word.strip() and word not in STOP_WORDS and not _PUNCT.match(word)
    ]
