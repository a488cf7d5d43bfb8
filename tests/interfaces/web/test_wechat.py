"""The WeChat endpoint against the real assistant, with messages signed the way WeChat signs them."""
import hashlib
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
    TEXT_ONLY,
    WELCOME,
    Conversations,
    fitted,
)
from tests.interfaces.web.conftest import PUBLIC_URL, WECHAT_TOKEN

WIDGET = f"{PUBLIC_URL}/widget"


def _signed(token: str = WECHAT_TOKEN) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "20261123"
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
