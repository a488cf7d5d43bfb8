"""The pages in a real headless Chromium against the real app on a loopback port, as people use them.

Each test saves a screenshot to docs/screenshots/ (shown in the README), so a change that breaks
how a page looks shows up in review.
"""
from __future__ import annotations

import re
from pathlib import Path

import axe_playwright_python
import pytest

from domain import places
from assistant.config import PROJECT_ROOT
from assistant.interfaces.web.feedback import FeedbackStore

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")  # axe-core 4.12

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
_SCROLL_TO_TOP = """(root) => document.querySelectorAll(root + ' *').forEach(e => {
    if (e.scrollHeight > e.clientHeight + 20 && getComputedStyle(e).overflowY !== 'visible') e.scrollTop = 0; })"""
STANDARD_CITATION = re.compile(r"依据《[^》]+》(（[^）]+）)?[^：“]+：“.+”", re.S)


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _choose(page, label: str, option: str) -> None:
    page.get_by_label(label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_owner_asks_and_sees_the_answer_with_citation_cards(page, server_url, web_settings, assistant):
    question = "开饭店，房租能减免吗？<script>window.hacked = 1</script>"
    expected = assistant.ask(question, location="鲁山县")
    page.goto(server_url + "/")
    _choose(page, "您所在的地区", "平顶山市 · 鲁山县（有本地政策）")
    page.locator("#owner-question textarea").fill(question)
    page.locator("#owner-send").click()
    cards = page.locator("#owner-chat .pt-card")
    cards.first.wait_for()
    assert expected.citations and cards.count() == len(expected.citations)
    for card, citation in zip(cards.all_inner_texts(), expected.citations):
        assert citation.document.title in card and (citation.document.cited_number or "未标注") in card
        assert "负责部门" in card and "有效期" in card and citation.status_label in card
    assert any("鲁山县" in card for card in cards.all_inner_texts())
    assert question in page.locator("#owner-chat").inner_text()
    assert page.evaluate("window.hacked") is None
    page.evaluate(_SCROLL_TO_TOP, "#owner-chat")  # the question and the answer's start, for the picture
    page.screenshot(path=SCREENSHOTS / "owner-chat.png", full_page=True)


def _rate(page, answer_index: int, button: str) -> str:
    """Clicks 有帮助/没帮助 under the `answer_index`-th answer and gives what the page says back."""
    before = page.locator("#owner-thanks").inner_text()
    answers = page.locator("#owner-chat .message-buttons").filter(has=page.locator("button[aria-label*=帮助]"))
    answers.nth(answer_index).get_by_role("button", name=button, exact=True).click()
    page.wait_for_function("(before) => { const said = document.querySelector('#owner-thanks').innerText.trim(); "
                           "return said !== before && !/queue|\\d\\.\\ds/.test(said) && /感谢|评价过|无需评价/.test(said); }",
                           arg=before)
    return page.locator("#owner-thanks").inner_text()


def _ask(page, question: str) -> None:
    answers = page.locator("#owner-chat .pt-cards").count()
    page.locator("#owner-question textarea").fill(question)
    page.locator("#owner-send").click()
    page.wait_for_function(f"document.querySelectorAll('#owner-chat .pt-cards').length > {answers}")


def test_each_answer_is_rated_once_and_any_answer_can_be_rated(page, server_url, web_settings):
    page.goto(server_url + "/")
    _ask(page, "鲁山县的饭店房租能减免吗？")
    _ask(page, "小规模纳税人增值税怎么减免？")
    stored = len(FeedbackStore(web_settings.feedback_db).all())
    page.locator("#owner-comment textarea").fill("说得很清楚")
    assert _rate(page, 0, "有帮助") == "感谢您的反馈！"  # the first answer, not only the latest
    assert "已经评价过" in _rate(page, 0, "没帮助")
    assert _rate(page, 1, "没帮助") == "感谢您的反馈！"
    rows = FeedbackStore(web_settings.feedback_db).all()[stored:]
    assert [(r.question, r.rating, r.comment) for r in rows] == [
        ("鲁山县的饭店房租能减免吗？", 1, "说得很清楚"), ("小规模纳税人增值税怎么减免？", -1, None)]
    assert "鲁山县" in rows[0].answer and rows[0].citations[0]["document"]["number"]


_LEAD_IN_VIEW = """() => {
  const leads = document.querySelectorAll('#owner-chat .pt-answer');
  const lead = leads[leads.length - 1].getBoundingClientRect();
  const chat = document.querySelector('#owner-chat .bubble-wrap, #owner-chat [role=log]') || document.querySelector('#owner-chat');
  const box = chat.getBoundingClientRect();
  const hit = document.elementFromPoint(lead.left + 4, lead.top + 6);
  return {top: lead.top, boxTop: box.top, boxBottom: box.bottom, viewport: window.innerHeight,
          uncovered: !!hit && !!hit.closest('.pt-answer')};
}"""


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_after_an_answer_its_lead_is_what_shows_first_uncovered(browser, server_url, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                                  is_mobile=size[0] < 500, has_touch=size[0] < 500)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server_url + "/")
    box = page.locator("#owner-question textarea").bounding_box()
    assert box["y"] + box["height"] <= size[1]  # the input shows without scrolling, before the first question
    send = page.locator("#owner-send").bounding_box()
    assert send["y"] + send["height"] <= size[1]
    _ask(page, "我在鲁山县开饭店，房租能减免吗？")
    page.wait_for_timeout(500)  # the scroll to the answer's start runs after the answer is shown
    shown = page.evaluate(_LEAD_IN_VIEW)
    assert shown["boxTop"] - 2 <= shown["top"] <= shown["boxTop"] + 120, shown  # the lead at the top, not the last card
    assert 0 <= shown["top"] < shown["viewport"] and shown["uncovered"], shown
    context.close()


def test_a_too_long_question_gets_the_message_and_keeps_its_text(page, server_url, assistant):
    story = "我在鲁山县开了一家饭店，" + "疫情期间生意很差，" * 70 + "房租能减免吗？"
    assert len(story) > assistant.max_question_chars
    page.goto(server_url + "/")
    page.locator("#owner-question textarea").fill(story)
    assert page.locator("#owner-question textarea").input_value() == story  # not cut by the box itself
    page.locator("#owner-send").click()
    page.locator("#owner-chat").get_by_text(f"问题太长了（{len(story)} 字）").wait_for()
    assert page.locator("#owner-question textarea").input_value() == story


def test_gradios_own_words_are_chinese_in_an_english_browser_and_a_lost_connection_keeps_the_question(browser, server_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server_url + "/")
    _ask(page, "社保费可以缓缴吗？")
    labels = page.evaluate("Array.from(document.querySelectorAll('[aria-label], [title]'))"
                           ".flatMap(e => [e.getAttribute('aria-label'), e.getAttribute('title')]).filter(Boolean)")
    assert "复制这条消息" in labels and "有帮助" in labels and "清空对话" in labels
    assert not [label for label in labels if re.search(r"Textbox|Copy message|Scroll down|Like|Dislike|message:", label)]
    page.locator("#owner-chat").get_by_role("button", name="有帮助").first.click()
    page.locator("#owner-chat").get_by_role("button", name="已点有帮助").wait_for()  # Gradio's "Liked", in Chinese
    page.route("**/gradio_api/**", lambda route: route.abort())
    page.locator("#owner-question textarea").fill("那找哪个部门？")
    page.locator("#owner-send").click()
    page.locator(".toast-message-text").first.wait_for()
    page.wait_for_timeout(300)
    toast = page.locator(".toast-body").first.inner_text()
    assert "连接中断" in toast and not re.search(r"[A-Za-z]{3}", toast)
    assert page.locator("#owner-question textarea").input_value() == "那找哪个部门？"
    context.close()


def test_an_ended_measure_is_marked_expired_on_its_card(page, server_url):
    page.goto(server_url + "/")
    page.locator("#owner-question textarea").fill("鲁山县社保缓缴政策执行到什么时候？")
    page.locator("#owner-send").click()
    page.locator("#owner-chat .pt-card").first.wait_for()
    expired = page.locator("#owner-chat .pt-card-expired")
    assert expired.count() >= 1 and "已过期" in expired.first.inner_text()


def test_clearing_the_chat_starts_a_new_conversation(page, server_url, assistant):
    afresh = assistant.ask("找哪个部门？").text.split("\n\n")[0]  # no earlier question to follow up
    assert afresh != assistant.ask("找哪个部门？", [{"role": "user", "content": "鲁山县的饭店房租能减免吗？"}]).text.split("\n\n")[0]
    page.goto(server_url + "/")
    page.locator("#owner-question textarea").fill("鲁山县的饭店房租能减免吗？")
    page.locator("#owner-send").click()
    page.locator("#owner-chat .pt-card").first.wait_for()
    page.get_by_role("button", name="清空对话").click()
    page.locator("#owner-question textarea").fill("找哪个部门？")
    page.locator("#owner-send").click()
    page.locator("#owner-chat").get_by_text(afresh[:20]).first.wait_for()
    assert "鲁山县的饭店" not in page.locator("#owner-chat").inner_text()


def test_an_empty_question_gets_a_clear_message_in_the_chat(page, server_url):
    page.goto(server_url + "/")
    page.locator("#owner-send").click()
    page.locator("#owner-chat").get_by_text("请先输入您的问题。").wait_for()


def test_a_hotline_filter_narrows_results_and_copy_gives_the_standard_citation(page, server_url):
    page.goto(server_url + "/")
    page.get_by_role("tab", name="12345 热线坐席").click()
    page.get_by_label("来电问题或关键词").fill("房租减免")
    page.get_by_role("button", name="查找条款").click()
    hits = page.locator("#desk-results .pt-hit")
    hits.first.wait_for()
    everywhere = hits.count()
    _choose(page, "层级", "县区")
    page.get_by_role("button", name="查找条款").click()
    page.wait_for_function(f"document.querySelectorAll('#desk-results .pt-hit').length < {everywhere}")
    heads = page.locator("#desk-results .pt-hit-head").all_inner_texts()
    assert 0 < len(heads) < everywhere
    assert all(places.place(re.search(r"【([^ ]+) ·", head).group(1)).level == "county" for head in heads)
    assert page.locator("#desk-results mark").count() > 0

    page.locator("#desk-pick label").first.click()
    page.wait_for_function("document.querySelector('#desk-citation textarea').value.startsWith('依据')")
    shown = page.locator("#desk-citation textarea").input_value()
    assert STANDARD_CITATION.fullmatch(shown)
    page.locator("#desk-copy").click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()).startsWith('依据')")
    assert page.evaluate("navigator.clipboard.readText()") == shown
    focus = page.locator("#desk-viewer .pt-focus")
    assert focus.count() == 1 and shown.split("：“")[1][:10] in focus.inner_text().replace("\n", "")

    viewer, results = page.locator("#desk-viewer").bounding_box(), page.locator("#desk-results").bounding_box()
    assert viewer["x"] >= results["x"] + results["width"] - 5 and viewer["y"] < 900  # beside the results, in view

    page.locator("#desk-ticket").click()  # nothing ticked: the clause picked
    page.wait_for_function("document.querySelector('#desk-summary textarea').value.startsWith('【工单摘要】')")
    summary = page.locator("#desk-summary textarea").input_value()
    assert "来电问题：房租减免" in summary and shown in summary and "建议转办：" in summary
    assert "\n2. " not in summary  # only the clause the agent picked, not the top hits
    page.locator("#desk-ticked label").nth(1).click()
    page.locator("#desk-ticked label").nth(2).click()
    page.locator("#desk-ticket").click()
    page.wait_for_function("(before) => document.querySelector('#desk-summary textarea').value !== before", arg=summary)
    ticked = page.locator("#desk-summary textarea").input_value()
    assert "\n2. " in ticked and "\n3. " not in ticked and shown not in ticked
    page.screenshot(path=SCREENSHOTS / "hotline-desk.png", full_page=True)


def test_the_desk_marks_only_the_meaningful_words_of_a_call(page, server_url):
    page.goto(server_url + "/")
    page.get_by_role("tab", name="12345 热线坐席").click()
    page.get_by_label("来电问题或关键词").fill("他开饭店的人不能交房租了怎么办")
    page.get_by_role("button", name="查找条款").click()
    page.locator("#desk-results .pt-hit").first.wait_for()
    marked = set(page.locator("#desk-results mark").all_inner_texts())
    assert "房租" in marked and not marked & {"他", "人", "不能", "了"}
    assert page.locator("#desk-results details.pt-more").count() >= 1  # long clauses folded


def test_the_example_portal_loads_embed_js_opens_the_widget_and_gets_an_answer(page, server_url, assistant):
    expected = assistant.ask("开饭店，房租能减免吗？", location="鲁山县")  # the portal's tag says data-location="鲁山县"
    page.goto(server_url + "/example-portal")
    page.get_by_role("button", name="鲁山县政策咨询").click()
    county = page.frame_locator('iframe[data-policy-widget="county"]')
    county.locator("#question").fill("开饭店，房租能减免吗？")
    county.locator("#send").click()
    answer = county.locator(".bubble.bot:not(.welcome):not(.pending)").last
    answer.wait_for()
    county.locator("#send:enabled").wait_for()  # the stream has ended
    answer.locator(".quote").first.wait_for()
    lead = expected.text.split("\n\n")[0]
    assert _bare(answer.locator(".lead").inner_text()) == _bare(lead)
    quotes = answer.locator(".quote")
    assert quotes.count() == len(expected.citations) and expected.citations
    for quote, citation in zip(quotes.all(), expected.citations):  # folded: tag, status, first sentence, 展开
        assert _bare(citation.tag) in _bare(quote.inner_text()) and citation.status_label in quote.inner_text()
        assert not quote.locator(".quote-more").is_visible()
    first = quotes.first
    first.get_by_role("button", name="展开").click()
    assert first.locator(".quote-more").is_visible()
    assert first.get_by_role("button", name="收起").get_attribute("aria-expanded") == "true"
    assert _bare(expected.citations[0].quote) in _bare(first.inner_text())
    page.screenshot(path=SCREENSHOTS / "widget-portal.png")

    page.get_by_role("button", name="全国政策咨询").click()
    national = page.frame_locator('iframe[data-policy-widget="national"]')
    national.locator("#question").wait_for()
    assert national.locator(".bubble.user").count() == 0  # the other widget's chat is its own
    assert not page.locator('iframe[data-policy-widget="county"]').is_visible()  # opening one closes the other
    page.get_by_role("button", name="鲁山县政策咨询").click()
    assert county.locator(".bubble.user").count() == 1


def test_the_widget_fits_a_phone_and_shows_a_script_in_a_question_as_text(browser, server_url):
    phone = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.goto(server_url + "/widget?id=phone&location=鲁山县")
    page.locator("#question").fill("<img src=x onerror=\"window.hacked=1\">社保能缓缴吗？")
    page.locator("#send").click()
    page.locator(".bubble.bot:not(.welcome):not(.pending)").last.wait_for()
    page.locator("#send:enabled").wait_for()  # the stream has ended
    assert page.locator(".bubble.user").inner_text().startswith("<img src=x")
    assert page.evaluate("window.hacked") is None and page.locator(".messages img").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=SCREENSHOTS / "widget-mobile.png")
    phone.close()


def test_the_api_docs_render_with_no_internet(page, server_url):
    elsewhere = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server_url)
               else (elsewhere.append(route.request.url), route.abort()))
    page.goto(server_url + "/docs")
    page.locator(".opblock-summary-path", has_text="/api/ask/stream").wait_for()
    assert page.locator(".opblock").count() >= 5 and elsewhere == []


def test_on_a_phone_the_widget_fills_the_screen_and_closes_from_inside(browser, server_url):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page = phone.new_page()
    page.set_default_timeout(30_000)
    page.goto(server_url + "/example-portal")
    launcher = page.get_by_role("button", name="鲁山县政策咨询")
    launcher.click()
    frame = page.locator('iframe[data-policy-widget="county"]')
    frame.wait_for()
    box = frame.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    assert not launcher.is_visible() and not page.get_by_role("button", name="全国政策咨询").is_visible()
    county = page.frame_locator('iframe[data-policy-widget="county"]')
    county.locator("#question").wait_for()
    county.get_by_role("button", name="关闭咨询窗口").click()
    frame.wait_for(state="hidden")
    assert launcher.is_visible()
    phone.close()


def test_the_widget_says_a_lost_connection_in_the_askers_language_and_keeps_the_question(page, server_url):
    page.goto(server_url + "/widget?id=offline")
    page.route("**/api/ask/stream", lambda route: route.abort())
    for question, said in (("社保能缓缴吗？", "网络连接失败"), ("Can I defer social insurance?", "No connection")):
        page.locator("#question").fill(question)
        page.locator("#send").click()
        page.locator(".bubble.error", has_text=said).wait_for()
        assert page.locator("#question").input_value() == question
        assert "Failed to fetch" not in page.locator("#messages").inner_text()
        page.locator("#question").fill("")


def test_the_widget_answers_a_too_long_question_with_the_message_not_a_silent_cut(page, server_url, assistant):
    page.goto(server_url + "/widget?id=long")
    story = "我在鲁山县开饭店，" + "生意很难做，" * 90 + "房租能减免吗？"
    page.locator("#question").fill(story)
    assert page.locator("#question").input_value() == story
    assert "已超出" in page.locator("#count").inner_text()
    page.locator("#send").click()
    page.locator(".bubble.error", has_text=f"问题太长了（{len(story)} 字）").wait_for()
    assert page.locator("#question").input_value() == story and page.locator(".bubble.user").count() == 0


def test_the_widget_shows_where_the_keyboard_is(page, server_url):
    page.goto(server_url + "/widget")
    page.locator("#question").wait_for()
    page.keyboard.press("Tab")  # the first control: 清空
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                         "return [document.activeElement.id, s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] == "clear" and ring[1] != "none" and ring[2] >= 2
    page.locator("#question").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def _axe_violations(page) -> list[str]:
    """Serious and critical violations axe-core finds on the page once Gradio's progress overlays are gone
    (a page judged as a person reads it, not half-way through an update)."""
    page.wait_for_function("() => ![...document.querySelectorAll('.progress-text, .eta-bar, .meta-text, .meta-text-center')]"
                           ".some(e => e.offsetParent !== null)")
    page.wait_for_timeout(300)
    page.evaluate(AXE)  # evaluated, not a <script>: the widget's CSP allows no inline script
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".filter(v => ['serious', 'critical'].includes(v.impact))"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return found


@pytest.mark.parametrize("size", [(1366, 900), (390, 844)], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_the_pages(browser, server_url, size):
    """The owner chat and the desk at `/` (after an answer, a search and a picked clause), the widget, the portal."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server_url + "/")
    _ask(page, "焦作房地产市场有什么支持措施？")  # cards with a draft's status too
    assert _axe_violations(page) == []
    page.get_by_role("tab", name="12345 热线坐席").click()
    page.get_by_label("来电问题或关键词").fill("焦作房地产市场有什么支持措施")
    page.get_by_role("button", name="查找条款").click()
    page.locator("#desk-pick label").first.click()
    page.locator("#desk-viewer .pt-focus").wait_for()
    assert _axe_violations(page) == []  # the desk with its results and the document viewer
    page.goto(server_url + "/widget?id=axe")
    page.locator("#question").fill("我在鲁山县开饭店，房租能减免吗？")
    page.locator("#send").click()
    page.locator(".quote").first.wait_for()
    assert _axe_violations(page) == []
    page.goto(server_url + "/example-portal")
    page.get_by_role("button", name="鲁山县政策咨询").click()
    page.frame_locator('iframe[data-policy-widget="county"]').locator("#question").wait_for()
    assert _axe_violations(page) == []
    context.close()
