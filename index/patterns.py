"""Regular expressions for the shapes of Chinese policy documents, shared by the parsing stages."""
from __future__ import annotations

import calendar
import re

CN_DIGITS = "一二三四五六七八九十"

# Numbering schemes of clauses, in no particular order: a document's own order of first use
# decides their depth.
NUMBERING: dict[str, re.Pattern[str]] = {
    "chapter": re.compile(r"^第([一二三四五六七八九十百]+)章"),
    "article": re.compile(r"^第([一二三四五六七八九十百零〇\d]+)条"),
    "ordinal": re.compile(r"^第([一二三四五六七八九十]+)[，,、]"),
    "cn": re.compile(r"^([一二三四五六七八九十]{1,3})[、．.](?![一二三四五六七八九十])"),
    "paren_cn": re.compile(r"^[（(]([一二三四五六七八九十]{1,3})[）)]"),
    "arabic": re.compile(r"^(\d{1,2})[.．、](?!\d)"),
    "paren_arabic": re.compile(r"^[（(](\d{1,2})[）)]"),
}

SECTION_MARKER = re.compile(r"^(\S{2,4})层面$")
ATTACHMENT_MARKER = re.compile(r"^附件(\d{0,2})$")
ATTACHMENT_LIST = re.compile(r"^附件[：:]")
FOOTER_START = re.compile(r"^(抄送|抄报|印发|主送)[：:]|印发$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d+号")
FILE_HEADER = re.compile(r"^(\S{2,30})文件$")
ISSUER_LINE = re.compile(
    r"^((?:中共\S{2,10}?委)?\S{2,20}?(?:人民政府办公室|人民政府办公厅|人民政府|办公厅|办公室|管委会|委员会))$"
)
TITLE_END = re.compile(
    r"(通知|方案|措施|政策|意见|公告|办法|细则|决定|规定|条例|纲要|计划|若干政策)(（[^（）]{1,8}）)*$"
)
TITLE_FORBIDDEN = re.compile(r"[。，,；;：:！？!?]")
PARENTHETICAL = re.compile(r"^[（(][^（）()]{2,40}[）)]$")
SENTENCE_END = re.compile(r"[。；！？!?”」）)]$")
DEPARTMENT_LINE = re.compile(r"^(牵头单位|责任单位|配合单位)[：:]")
DEPARTMENT_OPEN = re.compile(r"[（(〔\[【]\s*(?:牵头单位|责任单位|配合单位)[：:]")
DATE = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日|底|末)?|年?底|末)")
DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(印发|发布)?$")
VALIDITY_HINT = re.compile(r"有效期|执行期|实施期|政策期限|执行至|执行到|延至|延长至")
_DATE_TEXT = r"(\d{4}年(?:\d{1,2}月(?:\d{1,2}日|底|末)?|年?底|年?末))"
PERIOD_END = re.compile(r"(?:至|到|截至|截止到?|延至|延长至)" + _DATE_TEXT)
PERIOD = re.compile(r"自\d{4}年\d{1,2}月\d{1,2}日(?:起)?(?:至|到)" + _DATE_TEXT)


def cn_number(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 12 → 12."""
    if text.isdigit():
        return int(text)
    values = {c: i + 1 for i, c in enumerate(CN_DIGITS)}
    total, current = 0, 0
    for char in text:
        if char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
        else:
            current = values.get(char, 0)
    return total + current


def iso_date(match: re.Match[str]) -> str:
    """A DATE match as yyyy-mm-dd; a month or year without a day means its last day."""
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else 12
    day = int(match.group(3)) if match.group(3) else calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-{day:02d}"

