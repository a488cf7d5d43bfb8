"""The pages in a real headless Chromium against the real app on a loopback port, as people use them.

Each test saves a screenshot to docs/screenshots/ (shown in the README), so a change that breaks
how a page looks shows up in review.
"""
from __future__ import annotations

import re

import pytest

from domain import places
from assistant.config import PROJECT_ROOT
from assistant.interfaces.web.feedback import FeedbackStore

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
    _choose(page, "您所在的地区", "平顶山市 · 鲁山县")
    page.locator("#owner-question textarea").fill(question)
    page.locator("#owner-send").click()
    cards = page.locator("#owner-chat .pt-card")
    cards.first.wait_for()
    assert expected.citations and cards.count() == len(expected.citations)
    for card, citation in zip(cards.all_inner_texts(), expected.citations):
        assert citation.document.title in card and (citation.document.cited_number or "未标注") in card
        assert "负责部门" in card and "有效期" in card
    assert any("鲁山县" in card for card in cards.all_inner_texts())
    assert question in page.locator("#owner-chat").inner_text()
    assert page.evaluate("window.hacked") is None
    page.locator("#owner-comment textarea").fill("说得很清楚")
    page.locator("#owner-up").click()
    page.get_by_text("感谢您的反馈！").wait_for()
    page.evaluate(_SCROLL_TO_TOP, "#owner-chat")  # the question and the answer's start, for the picture
    page.screenshot(path=SCREENSHOTS / "owner-chat.png", full_page=True)
    stored = FeedbackStore(web_settings.feedback_db).all()[-1]
    assert (stored.rating, stored.comment) == (1, "说得很清楚") and "鲁山县" in stored.answer
    assert stored.citations and stored.citations[0]["document"]["number"]


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

    page.locator("#desk-ticket").click()
    page.wait_for_function("document.querySelector('#desk-summary textarea').value.startsWith('【工单摘要】')")
    summary = page.locator("#desk-summary textarea").input_value()
    assert "来电问题：房租减免" in summary and shown in summary and "建议转办：" in summary
    page.screenshot(path=SCREENSHOTS / "hotline-desk.png", full_page=True)


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
    assert _bare(answer.inner_text()) == _bare(expected.text) and "【" in expected.text
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
