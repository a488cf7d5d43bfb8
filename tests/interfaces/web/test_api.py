"""The HTTP API against the real assistant: the batch row contract, streaming, documents, errors, limits, docs."""
import json
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.batch import answer_row
from assistant.interfaces.web import create_app
from assistant.interfaces.web.api import NOT_JSON, get_assistant
from tests.interfaces.web.conftest import PORTAL, serving

QUESTION = "我在鲁山县开饭店，房租能减免吗？"


def _without_timings(row):
    return {k: v for k, v in row.items() if k != "timings"}


def _events(body: str) -> list[tuple[str, object]]:
    events = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_ask_answers_with_exactly_a_batch_output_row(client, assistant):
    request = {"id": "q1", "question": QUESTION, "history": [], "location": None}
    response = client.post("/api/ask", json=request)
    assert response.status_code == 200
    row = response.json()
    assert row["id"] == "q1" and not row["refused"] and row["citations"]
    assert _without_timings(row) == _without_timings(answer_row(assistant, request))
    assert set(row["timings"]) >= {"understand", "rerank", "compose", "total"}


def test_ask_uses_the_history_and_the_location(client):
    history = [{"role": "user", "content": "鲁山县的饭店房租能减免吗？"}, {"role": "assistant", "content": "……"}]
    follow_up = client.post("/api/ask", json={"question": "那湛河区呢？", "history": history}).json()
    assert follow_up["location"] == {"name": "湛河区", "level": "county"}
    placed = client.post("/api/ask", json={"question": "房租能减免吗？", "location": "鲁山"}).json()
    assert placed["location"]["name"] == "鲁山县"


def test_the_stream_sends_text_pieces_then_citations_then_the_whole_row(client):
    response = client.post("/api/ask/stream", json={"question": QUESTION})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"] and set(names[:-2]) == {"chunk"} and len(names) > 3
    done = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "chunk") == done["answer"]
    assert events[-2][1] == done["citations"] and done["citations"]


def test_the_stream_sends_a_worked_out_answer_without_pauses():
    import asyncio

    from assistant.interfaces.web.api import _events

    row = {"answer": "免收3个月房租。" * 300, "citations": []}  # 300 pieces: at the old 20 ms each, 6 s

    async def drain() -> list[bytes]:
        return [event async for event in _events(row)]

    started = time.perf_counter()
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: the browser tests' may be running in this thread
        events = pool.submit(asyncio.run, drain()).result()
    assert len(events) == 302 and time.perf_counter() - started < 0.5


def test_empty_and_over_long_questions_get_a_clear_message(client, assistant):
    for path in ("/api/ask", "/api/ask/stream"):
        empty = client.post(path, json={"question": "   "})
        assert empty.status_code == 400 and empty.json() == {"error": "请先输入您的问题。"}
        long = client.post(path, json={"question": "房租" * assistant.max_question_chars})
        assert long.status_code == 400
        assert f"{assistant.max_question_chars} 字以内" in long.json()["error"]


def test_an_unknown_or_mistyped_place_is_answered_with_a_note_not_an_error(client):
    unknown = client.post("/api/ask", json={"question": "房租能减免吗？", "location": "火星"})
    assert unknown.status_code == 200 and "火星" in unknown.json()["notice"]
    mistyped = client.post("/api/ask", json={"question": "房租能减免吗？", "location": "鲁山市"})
    assert mistyped.status_code == 200 and mistyped.json()["location"]["name"] == "鲁山县"


def test_a_malformed_body_is_a_422_that_says_what_is_expected_without_repeating_it(client):
    response = client.post("/api/ask", json={"q": "房租"})
    assert response.status_code == 422
    assert list(response.json()) == ["error"] and "question" in response.json()["error"]
    wrong_role = client.post("/api/ask", json={"question": "房租", "history": [{"role": "x-secret-role", "content": "a"}]})
    assert wrong_role.status_code == 422 and "role 只能是 user 或 assistant" in wrong_role.json()["error"]
    assert "x-secret-role" not in wrong_role.text


def test_history_is_bounded_in_turns_and_characters(client):
    turn = {"role": "user", "content": "房租能减免吗？"}
    assert client.post("/api/ask", json={"question": "那湛河区呢？", "history": [turn] * 20}).status_code == 200
    too_many = client.post("/api/ask", json={"question": "那湛河区呢？", "history": [turn] * 21})
    assert too_many.status_code == 422 and "最多 20 轮" in too_many.json()["error"]
    too_long = client.post("/api/ask", json={"question": "那湛河区呢？", "history": [{"role": "user", "content": "房" * 4001}]})
    assert too_long.status_code == 422 and "最多 4000 字" in too_long.json()["error"]


@pytest.mark.parametrize("body", [b'{"question": NaN}', b'{"question": "\\ud800\\u793e\\u4fdd"}', b'{"question": 1e999}',
                                  b'{"id": "\\udfff", "question": "\\u793e\\u4fdd"}', b"\xff\xfe{}", b'{"question": "a"',
                                  b"[" * 100_000])
def test_a_body_that_is_not_strict_utf8_json_is_a_400(client, body):
    for path in ("/api/ask", "/api/ask/stream"):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400 and response.json() == {"error": NOT_JSON}


def test_a_wrong_method_is_405_and_an_unknown_path_404_both_in_the_api_s_own_words(client):
    wrong = client.get("/api/ask")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    assert wrong.json() == {"error": "该接口不支持这种请求方式。"}
    missing = client.post("/api/no-such-thing", json={})
    assert missing.status_code == 404 and missing.json() == {"error": "没有这个接口；接口说明见 /docs。"}


def test_a_stream_that_fails_half_way_ends_with_an_error_event(assistant, web_settings):
    class Unserializable:
        max_question_chars = assistant.max_question_chars

        def ask(self, *args, **kwargs):
            answer = assistant.ask(QUESTION)
            return type("Odd", (), {"to_dict": lambda self: {**answer.to_dict(), "citations": {object()}}})()

    app = create_app(assistant, web_settings)
    app.dependency_overrides[get_assistant] = Unserializable
    with TestClient(app, raise_server_exceptions=False) as odd:
        response = odd.post("/api/ask/stream", json={"question": QUESTION})
    events = _events(response.text)
    assert events[0][0] == "chunk" and events[-1] == ("error", {"error": "抱歉，服务暂时出了点问题，请稍后再试。"})


def test_a_script_in_a_question_comes_back_as_data_only(client):
    response = client.post("/api/ask", json={"question": "<script>alert(1)</script>鲁山县房租能减免吗？"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "<script>" not in response.text


def test_an_unexpected_failure_is_a_friendly_500_without_a_trace(assistant, web_settings):
    class Broken:
        max_question_chars = assistant.max_question_chars

        def ask(self, *args, **kwargs):
            raise RuntimeError("secret internals at /srv/policy/core.py line 42")

    app = create_app(assistant, web_settings)
    app.dependency_overrides[get_assistant] = Broken
    with TestClient(app, raise_server_exceptions=False) as broken:
        response = broken.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 500
    assert response.json() == {"error": "抱歉，服务暂时出了点问题，请稍后再试。"}
    assert "Traceback" not in response.text and "secret" not in response.text


def test_documents_are_listed_and_each_opens_with_its_clauses(client, corpus):
    listed = client.get("/api/documents").json()
    assert [d["id"] for d in listed] == [d.id for d in corpus.documents]
    first = corpus.documents[0]
    assert listed[0]["number"] == first.cited_number and listed[0]["clauses"] == len(corpus.clauses_of(first.id))
    opened = client.get(f"/api/documents/{first.id}").json()
    assert opened["title"] == first.title
    assert [c["text"] for c in opened["clauses"]] == [c.text for c in corpus.clauses_of(first.id)]
    missing = client.get("/api/documents/no-such-document")
    assert missing.status_code == 404 and "没有这份文件" in missing.json()["error"]


def test_health_says_what_is_loaded(client, corpus):
    assert client.get("/api/health").json() == {"status": "ok", "documents": len(corpus.documents),
                                                 "clauses": len(corpus.clauses)}


def test_the_api_is_described_by_openapi_at_docs_which_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    assert not re.search(r"(src|href)=\"?'?https?://", page.text)  # no CDN: every asset is served from here
    for asset in re.findall(r"/docs-assets/[\w.-]+", page.text):
        assert client.get(asset).status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/documents", "/api/documents/{doc_id}", "/api/health"} <= set(paths)


def test_too_many_requests_from_one_ip_get_429_with_a_clear_message(assistant, web_settings):
    strict = create_app(assistant, web_settings.model_copy(update={"rate_limit_per_minute": 3}))
    with TestClient(strict) as limited:
        statuses = [limited.get("/api/documents").status_code for _ in range(4)]
        refused = limited.post("/api/ask", json={"question": QUESTION})
        health = [limited.get("/api/health").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429 and "请求太频繁" in refused.json()["error"]
    assert int(refused.headers["retry-after"]) >= 1
    assert health == [200] * 5  # uptime checks are never held back
    assert limited.get("/widget").status_code == 200  # pages are not counted, only /api/*


def test_the_pages_own_endpoints_are_limited_by_a_limit_of_their_own(assistant, web_settings):
    strict = create_app(assistant, web_settings.model_copy(update={"page_rate_limit_per_minute": 2}))
    with TestClient(strict) as limited:
        events = [limited.post("/gradio_api/queue/join", json={}).status_code for _ in range(3)]
        refused = limited.post("/gradio_api/queue/join", json={})
        api_still_open = limited.get("/api/documents").status_code
    assert 429 not in events[:2] and events[2] == 429
    assert refused.status_code == 429 and "请求太频繁" in refused.json()["error"] and refused.headers["retry-after"]
    assert api_still_open == 200  # the page's budget is not the API's
    assert limited.get("/").status_code == 200  # loading the page is not counted


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(assistant, web_settings):
    settings = web_settings.model_copy(update={"rate_limit_per_minute": 2, "trusted_proxies": "127.0.0.1"})
    with serving(create_app(assistant, settings), settings) as url:
        def documents(client_ip: str) -> int:
            return httpx.get(f"{url}/api/documents", headers={"X-Forwarded-For": client_ip}).status_code

        assert [documents("203.0.113.7") for _ in range(3)] == [200, 200, 429]
        assert documents("203.0.113.8") == 200  # another client behind the same proxy is not held back


def test_an_untrusted_peer_cannot_dodge_the_limit_by_forging_x_forwarded_for(assistant, web_settings):
    settings = web_settings.model_copy(update={"rate_limit_per_minute": 2, "trusted_proxies": "10.0.0.1"})
    with serving(create_app(assistant, settings), settings) as url:
        statuses = [httpx.get(f"{url}/api/documents", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                    for i in range(3)]
    assert statuses == [200, 200, 429]


def test_the_widget_may_be_framed_only_by_listed_portals(client):
    response = client.get("/widget")
    policy = response.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {PORTAL}" in policy
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "http" not in response.text  # no external CDN: every asset is relative to this server
    assert client.head("/widget").headers["content-security-policy"] == policy  # an uptime probe sees the same page


def test_the_embed_script_and_the_example_portal_are_served(client):
    script = client.get("/embed.js")
    assert script.headers["content-type"].startswith("text/javascript") and "/widget?" in script.text
    portal = client.get("/example-portal").text
    assert portal.count('src="/embed.js"') == 2
    assert client.get("/widget/assets/widget.js").status_code == 200


def test_the_wechat_endpoint_exists_only_with_a_token(assistant, web_settings):
    without = create_app(assistant, web_settings.model_copy(update={"wechat_token": None}))
    with TestClient(without) as plain:
        assert plain.get("/wechat", params={"signature": "x", "timestamp": "1", "nonce": "n", "echostr": "e"}).status_code == 404


def test_questions_are_answered_a_few_at_a_time_and_the_rest_wait_their_turn(assistant, web_settings):
    class Counting:
        max_question_chars = assistant.max_question_chars
        lock, now, most = threading.Lock(), 0, 0

        def ask(self, *args, **kwargs):
            with Counting.lock:
                Counting.now += 1
                Counting.most = max(Counting.most, Counting.now)
            time.sleep(0.2)  # long enough for the other requests to arrive meanwhile
            with Counting.lock:
                Counting.now -= 1
            return assistant.ask(QUESTION)

    settings = web_settings.model_copy(update={"answer_concurrency": 2})
    app = create_app(assistant, settings)
    app.dependency_overrides[get_assistant] = Counting
    with serving(app, settings) as url:
        def ask(_) -> int:
            return httpx.post(f"{url}/api/ask", json={"question": QUESTION}, timeout=60).status_code

        with ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(ask, range(6)))
    assert statuses == [200] * 6 and Counting.most <= 2
