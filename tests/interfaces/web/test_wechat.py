"""The WeChat endpoint against the real assistant, with messages signed the way WeChat signs them."""
import hashlib
import itertools
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from wechatpy.crypto import WeChatCrypto

from assistant.interfaces.web.server import create_app
from assistant.interfaces.web.wechat import (
    CONVERSATION_IDLE_S,
    MAX_REPLY_BYTES,
    MAX_REPLY_CHARS,
    REPLY_WINDOW_S,
    TEXT_ONLY,
    TIMESTAMP_WINDOW_S,
    WELCOME,
    Conversations,
    SeenRequests,
    fitted,
)
from tests.interfaces.web.conftest import PUBLIC_URL, WECHAT_TOKEN

WIDGET = f"{PUBLIC_URL}/widget"


_NONCES = itertools.count(20261123)


def _signed(token: str = WECHAT_TOKEN, timestamp: int | None = None) -> dict[str, str]:
    """Query parameters as WeChat signs a request: a fresh nonce each time, as WeChat sends them."""
    timestamp, nonce = str(int(time.time()) if timestamp is None else timestamp), str(next(_NONCES))
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def _message(kind: str, body: str, follower: str = "owner-openid") -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_policy]]></ToUserName><FromUserName><![CDATA[{follower}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}"
        "<MsgId>1234567890123456</MsgId></xml>"
    )


def _reply(response) -> dict[str, str]:
    assert response.status_code == 200
    return {child.tag: child.text for child in ET.fromstring(response.content)}


def test_the_server_check_echoes_only_for_a_valid_signature(client):
    assert client.get("/wechat", params={**_signed(), "echostr": "echo-123"}).text == "echo-123"
    forged = client.get("/wechat", params={**_signed("another-token"), "echostr": "echo-123"})
    assert forged.status_code == 403 and "echo-123" not in forged.text


def test_a_signed_text_message_gets_a_quoted_answer_within_the_reply_window(client, assistant):
    expected = fitted(assistant.ask("我在鲁山县开饭店，房租能减免吗？").text, WIDGET)
    started = time.monotonic()
    question = _message("text", "<Content><![CDATA[我在鲁山县开饭店，房租能减免吗？]]></Content>")
    reply = _reply(client.post("/wechat", params=_signed(), content=question.encode()))
    assert time.monotonic() - started < 5
    assert reply["ToUserName"] == "owner-openid" and reply["FromUserName"] == "gh_policy"
    assert reply["MsgType"] == "text"
    assert reply["Content"] == expected and "【" in expected and "鲁山县" in expected
    assert len(reply["Content"]) <= MAX_REPLY_CHARS and len(reply["Content"].encode()) <= MAX_REPLY_BYTES


def test_a_message_with_a_bad_signature_is_rejected_unanswered(client):
    question = _message("text", "<Content><![CDATA[房租能减免吗？]]></Content>")
    response = client.post("/wechat", params=_signed("another-token"), content=question.encode())
    assert response.status_code == 403 and "房租" not in response.text


@pytest.mark.parametrize("kind, body", [
    ("image", "<PicUrl><![CDATA[https://example.com/a.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>"),
    ("voice", "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>"),
])
def test_other_message_types_get_a_polite_text_reply(client, kind, body):
    reply = _reply(client.post("/wechat", params=_signed(), content=_message(kind, body).encode()))
    assert reply["MsgType"] == "text" and reply["Content"] == TEXT_ONLY


def test_a_new_follower_is_welcomed(client):
    event = _message("event", "<Event><![CDATA[subscribe]]></Event>").replace("<MsgId>1234567890123456</MsgId>", "")
    assert _reply(client.post("/wechat", params=_signed(), content=event.encode()))["Content"] == WELCOME


def test_an_empty_text_message_gets_a_clear_message(client):
    reply = _reply(client.post("/wechat", params=_signed(), content=_message("text", "<Content><![CDATA[ ]]></Content>").encode()))
    assert reply["Content"] == "请先输入您的问题。"


def test_a_long_answer_is_cut_between_citations_and_points_to_the_widget(assistant):
    answer = assistant.ask("小微工业企业首次升规有多少奖励？")
    assert len(answer.text) > MAX_REPLY_CHARS  # the case this is about
    reply = fitted(answer.text, WIDGET)
    kept, _, link = reply.rpartition("\n\n更多条款请打开：")
    assert link == WIDGET and len(reply) <= MAX_REPLY_CHARS and len(reply.encode()) <= MAX_REPLY_BYTES
    paragraphs = answer.text.split("\n\n")
    assert kept.split("\n\n") == paragraphs[: len(kept.split("\n\n"))]  # whole paragraphs, from the start


def test_a_short_answer_is_sent_whole_and_a_huge_first_paragraph_is_cut_at_a_sentence():
    assert fitted("短回答。", WIDGET) == "短回答。"
    huge = "第一句话。" * 200
    reply = fitted(huge, WIDGET, max_chars=100)
    assert reply.startswith("第一句话。") and "第一句话。…\n\n更多条款请打开：" in reply and len(reply) <= 100


AES_KEY, APP_ID = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx0123456789abcdef"


def _encrypted(crypto, xml: str) -> tuple[bytes, dict[str, str]]:
    """A message as WeChat sends it in safe mode: the encrypted envelope and its query parameters."""
    params = _signed()
    envelope = crypto.encrypt_message(xml, params["nonce"], params["timestamp"])
    msg_signature = ET.fromstring(envelope).find("MsgSignature").text
    return envelope.encode(), {**params, "encrypt_type": "aes", "msg_signature": msg_signature}


def test_in_safe_mode_an_encrypted_message_gets_an_encrypted_quoted_answer(assistant, web_settings):
    crypto = WeChatCrypto(WECHAT_TOKEN, AES_KEY, APP_ID)
    safe = create_app(assistant, web_settings.model_copy(update={"wechat_aes_key": AES_KEY, "wechat_app_id": APP_ID}))
    question = _message("text", "<Content><![CDATA[我在鲁山县开饭店，房租能减免吗？]]></Content>")
    with TestClient(safe) as client:
        body, params = _encrypted(crypto, question)
        response = client.post("/wechat", params=params, content=body)
        body, params = _encrypted(crypto, question)
        forged = client.post("/wechat", params={**params, "msg_signature": "0" * 40}, content=body)
        plain = client.post("/wechat", params=_signed(), content=question.encode())  # compatible mode
    envelope = {child.tag: child.text for child in ET.fromstring(response.content)}
    assert "Content" not in envelope and envelope["Encrypt"]
    reply = ET.fromstring(crypto.decrypt_message(response.content, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]))
    assert reply.find("Content").text == fitted(assistant.ask("我在鲁山县开饭店，房租能减免吗？").text, WIDGET)
    assert forged.status_code == 403
    assert _reply(plain)["Content"] == reply.find("Content").text


def test_an_encrypted_message_without_a_configured_key_is_a_clear_error(client):
    body, params = _encrypted(WeChatCrypto(WECHAT_TOKEN, AES_KEY, APP_ID), _message("text", "<Content><![CDATA[房租？]]></Content>"))
    response = client.post("/wechat", params=params, content=body)
    assert response.status_code == 400 and "密钥" in response.json()["error"]


def _ask(client, question: str, follower: str) -> str:
    text = _message("text", f"<Content><![CDATA[{question}]]></Content>", follower)
    return _reply(client.post("/wechat", params=_signed(), content=text.encode()))["Content"]


def test_a_follower_s_follow_up_goes_on_from_their_own_last_question(client, assistant):
    _ask(client, "鲁山县的饭店房租能减免吗？", "follower-a")
    follow_up = _ask(client, "找哪个部门？", "follower-a")
    history = [{"role": "user", "content": "鲁山县的饭店房租能减免吗？"}, {"role": "assistant", "content": "……"}]
    assert follow_up == fitted(assistant.ask("找哪个部门？", history).text, WIDGET)
    assert "负责部门" in follow_up and "县财政局" in follow_up
    assert _ask(client, "找哪个部门？", "follower-b") != follow_up  # another follower has no such history


def test_conversations_forget_idle_followers_and_stay_bounded(monkeypatch):
    now = [0.0]
    conversations = Conversations(clock=lambda: now[0])
    conversations.add("a", "鲁山县房租能减免吗？", "……")
    assert conversations.history("a")[0] == {"role": "user", "content": "鲁山县房租能减免吗？"}
    now[0] += CONVERSATION_IDLE_S
    assert conversations.history("a") == []
    monkeypatch.setattr("assistant.interfaces.web.wechat.MAX_CONVERSATIONS", 2)
    for follower in ("b", "c", "d"):
        conversations.add(follower, "问题", "回答")
    assert conversations.history("b") == [] and conversations.history("d")


def test_a_signed_request_is_taken_only_once_and_only_while_fresh(client):
    params = _signed()
    question = _message("text", "<Content><![CDATA[社保能缓缴吗？]]></Content>")
    assert client.post("/wechat", params=params, content=question.encode()).status_code == 200
    for body in (question, _message("text", "<Content><![CDATA[别的问题]]></Content>", "someone-else")):
        replayed = client.post("/wechat", params=params, content=body.encode())  # the same signature, any body
        assert replayed.status_code == 403 and replayed.json() == {"error": "请求已过期或重复。"}
    for stale in (978307200, int(time.time()) - TIMESTAMP_WINDOW_S - 5, int(time.time()) + TIMESTAMP_WINDOW_S + 5):
        response = client.post("/wechat", params=_signed(timestamp=stale), content=question.encode())
        assert response.status_code == 403
    replayed_check = _signed()
    assert client.get("/wechat", params={**replayed_check, "echostr": "e1"}).text == "e1"
    assert client.get("/wechat", params={**replayed_check, "echostr": "e2"}).status_code == 403


def test_seen_requests_are_forgotten_once_their_timestamp_alone_refuses_them(monkeypatch):
    now = [1_800_000_000.0]
    seen = SeenRequests(clock=lambda: now[0])
    assert seen.first_time(str(int(now[0])), "n1") and not seen.first_time(str(int(now[0])), "n1")
    assert not seen.first_time("not-a-time", "n2") and not seen.first_time(str(int(now[0]) - TIMESTAMP_WINDOW_S - 1), "n3")
    now[0] += 3 * TIMESTAMP_WINDOW_S
    assert seen.first_time(str(int(now[0])), "n4") and len(seen._seen) == 1
    monkeypatch.setattr("assistant.interfaces.web.wechat.MAX_REMEMBERED", 2)
    for nonce in ("n5", "n6", "n7"):
        seen.first_time(str(int(now[0])), nonce)
    assert len(seen._seen) == 2


@pytest.mark.parametrize("body", [b"", b"   ", b"not xml", b"<xml></xml>", b"<other><MsgType>text</MsgType></other>",
                                  b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>",
                                  b"<xml><ToUserName><a>1</a></ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType></xml>",
                                  b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;</xml>'])
def test_an_empty_or_malformed_message_is_a_400(client, body):
    response = client.post("/wechat", params=_signed(), content=body)
    assert response.status_code == 400 and response.json()["error"] in {"消息为空。", "消息格式不对。"}


@pytest.mark.parametrize("follower", ["]]><evil>1</evil><![CDATA[", "a]]>b", "<x>&amp;"])
def test_a_reply_stays_well_formed_whatever_the_follower_s_id_holds(client, follower):
    text = _message("text", "<Content><![CDATA[你好]]]]><![CDATA[>]]></Content>", follower.replace("]]>", "]]]]><![CDATA[>"))
    reply = _reply(client.post("/wechat", params=_signed(), content=text.encode()))
    assert reply["ToUserName"] == follower and reply["FromUserName"] == "gh_policy"


def test_wechat_has_its_own_rate_limits_per_server_and_per_follower(assistant, web_settings):
    strict = create_app(assistant, web_settings.model_copy(update={"wechat_rate_limit_per_minute": 3,
                                                                    "rate_limit_per_minute": 1}))
    with TestClient(strict) as limited:
        first = _ask(limited, "社保能缓缴吗？", "busy-follower")
        second = _ask(limited, "社保能缓缴吗？", "busy-follower")  # the follower's own limit: told in the chat
        third = _ask(limited, "社保能缓缴吗？", "another-follower")
        flooded = limited.post("/wechat", params=_signed(), content=b"<xml/>")
    assert "请求太频繁" not in first and "请求太频繁" in second and "请求太频繁" not in third
    assert flooded.status_code == 429 and flooded.headers["retry-after"]


def test_a_message_that_finds_every_answering_slot_taken_within_the_window_is_told_to_try_again(assistant, web_settings,
                                                                                                monkeypatch):
    monkeypatch.setattr("assistant.interfaces.web.wechat.REPLY_WINDOW_S", 0.2)
    app = create_app(assistant, web_settings.model_copy(update={"answer_concurrency": 1}))
    with TestClient(app) as busy:
        app.state.answer_slots.acquire()  # another question is being answered, for longer than the window
        try:
            reply = _ask(busy, "社保能缓缴吗？", "waiting-follower")
        finally:
            app.state.answer_slots.release()
        monkeypatch.setattr("assistant.interfaces.web.wechat.REPLY_WINDOW_S", REPLY_WINDOW_S)
        answered = _ask(busy, "社保能缓缴吗？", "waiting-follower")
    assert reply.startswith("查询人数较多")
    assert answered == fitted(assistant.ask("社保能缓缴吗？").text, WIDGET)  # once a slot is free, the answer
