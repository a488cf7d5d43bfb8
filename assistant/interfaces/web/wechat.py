"""The WeChat official account endpoint: signed text messages in, short quoted answers out.

WeChat waits 5 seconds for a passive reply and shows at most 2048 bytes of it, so the answer is
given a 4-second window and cut at paragraph boundaries (the lead, then one citation per
paragraph), with a link to the widget for the rest. Plain mode, and the safe (AES) mode an
official account turns on with an EncodingAESKey: a message marked encrypt_type=aes is decrypted
and its reply encrypted; in compatible mode plain messages keep working. Each follower's last few
turns are kept for a while, so "那湛河区呢？" or "找哪个部门？" follows on from their last question.

A signed request is taken once: its timestamp must be within `TIMESTAMP_WINDOW_S` of now and its
(timestamp, nonce) never seen before, so a captured request cannot be replayed. Requests are rate
limited per client IP (WeChat's servers, all followers together) and answers per follower. Replies
are built here with every value in a CDATA section that user text cannot close.
"""
from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from assistant.batch import FOLLOW_UP_TURNS
from assistant.core import Assistant
from domain.errors import AssistantError
from assistant.interfaces.web.api import AssistantDep
from assistant.interfaces.web.limits import RateLimiter, slow_down
from assistant.interfaces.web.text import SERVER_ERROR, paragraphs, question_problem, text_pieces
from domain.types import Answer

REPLY_WINDOW_S = 4.0  # of WeChat's 5 s, leaving one for the network
MAX_REPLY_CHARS = 600
MAX_REPLY_BYTES = 2048
TEXT_ONLY = "您好，目前只能回答文字提问。请直接输入您的问题，例如：我在鲁山县开饭店，房租能减免吗？"
WELCOME = "欢迎关注！我是政策通，可以为您查找惠企纾困政策的原文条款。请直接输入您的问题，并说明所在县区。"
CONVERSATION_IDLE_S = 30 * 60  # a follower silent this long starts afresh
MAX_CONVERSATIONS = 10_000
TIMESTAMP_WINDOW_S = 300  # a signed request older (or newer) than this is refused
MAX_REMEMBERED = 100_000  # signed requests remembered against replay, the oldest forgotten first
BAD_SIGNATURE = "签名无效。"
STALE = "请求已过期或重复。"
MALFORMED = "消息格式不对。"
_NOT_XML_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
log = logging.getLogger(__name__)


class SeenRequests:
    """(timestamp, nonce) pairs of signed requests taken within the window; bounded, the oldest forgotten first.

    A pair older than the window needs no remembering: its timestamp alone gets it refused.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()  # the server check runs on worker threads, messages on the event loop

    def first_time(self, timestamp: str, nonce: str) -> bool:
        """Whether a request signed at `timestamp` with `nonce` is fresh: within the window and never seen.
        A fresh one is remembered, so the same request a second time is not."""
        now = self.clock()
        try:
            fresh = abs(now - int(timestamp)) <= TIMESTAMP_WINDOW_S
        except ValueError:
            return False
        with self._lock:
            while self._seen and (next(iter(self._seen.values())) < now - 2 * TIMESTAMP_WINDOW_S
                                  or len(self._seen) >= MAX_REMEMBERED):
                self._seen.popitem(last=False)
            if not fresh or (timestamp, nonce) in self._seen:
                return False
            self._seen[(timestamp, nonce)] = now
            return True


def cdata(text: str) -> str:
    """`text` as XML character data that nothing in it can break: `]]>` splits the section, and
    characters XML cannot hold are dropped."""
    return "<![CDATA[" + _NOT_XML_TEXT.sub("", text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, now: float) -> str:
    """A passive text reply, as WeChat documents it."""
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(now)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content></xml>")


class Conversations:
    """Each follower's recent turns, in memory: WeChat sends one message at a time, with no history.

    Bounded: the least recently active follower is forgotten first, and idle ones start afresh.
    """

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._turns: OrderedDict[str, tuple[float, list[dict[str, str]]]] = OrderedDict()

    def history(self, follower: str) -> list[dict[str, str]]:
        when, turns = self._turns.get(follower, (0.0, []))
        return list(turns) if self.clock() - when < CONVERSATION_IDLE_S else []

    def add(self, follower: str, question: str, answer: str) -> None:
        turns = [*self.history(follower), {"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        self._turns[follower] = (self.clock(), turns[-FOLLOW_UP_TURNS:])
        self._turns.move_to_end(follower)
        while len(self._turns) > MAX_CONVERSATIONS:
            self._turns.popitem(last=False)


def fitted(text: str, more_url: str, max_chars: int = MAX_REPLY_CHARS, max_bytes: int = MAX_REPLY_BYTES) -> str:
    """`text` cut to one WeChat message: whole paragraphs while they fit, then a pointer to `more_url`.

    A first paragraph that is too long on its own is cut after its last sentence that fits.
    """
    def fits(candidate: str) -> bool:
        return len(candidate) <= max_chars and len(candidate.encode("utf-8")) <= max_bytes

    if fits(text):
        return text
    more = f"\n\n更多条款请打开：{more_url}"
    kept = ""
    for paragraph in paragraphs(text):
        candidate = f"{kept}\n\n{paragraph}" if kept else paragraph
        if not fits(candidate + more):
            break
        kept = candidate
    if not kept:
        for piece in text_pieces(text):
            if not fits(kept + piece + "…" + more):
                break
            kept += piece
        kept += "…"
    return kept + more


def _answer_in_turn(assistant: Assistant, question: str, history: list[dict[str, str]], slots: threading.Semaphore,
                    deadline: float) -> Answer:
    """`assistant.ask` once an answering slot is free, or TimeoutError when none frees up before `deadline`."""
    if not slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise TimeoutError
    try:
        return assistant.ask(question, history)
    finally:
        slots.release()


async def reply_text(assistant: Assistant, question: str, more_url: str,
                     history: list[dict[str, str]] | None = None, slots: threading.Semaphore | None = None) -> tuple[str, bool]:
    """What to send back for a text message, and whether it answered (and so belongs to the conversation).
    The answer waits for one of the server's answering `slots`, within the reply window."""
    problem = question_problem(question, assistant.max_question_chars)
    if problem:
        return problem, False
    deadline = time.monotonic() + REPLY_WINDOW_S
    try:
        answer = await asyncio.wait_for(run_in_threadpool(_answer_in_turn, assistant, question, history or [],
                                                          slots or threading.Semaphore(1), deadline), REPLY_WINDOW_S)
    except TimeoutError:
        return f"查询人数较多，请稍后再发一次，或打开 {more_url} 查询。", False
    except AssistantError as error:
        return str(error), False
    except Exception:
        log.exception("wechat answer failed on %r", question)
        return SERVER_ERROR, False
    return fitted(answer.text, more_url), True


def wechat_router(token: str, widget_url: str, crypto: WeChatCrypto | None = None, per_ip: RateLimiter | None = None,
                  per_follower: RateLimiter | None = None, slots: threading.Semaphore | None = None,
                  clock: Callable[[], float] = time.time) -> APIRouter:
    """GET echoes WeChat's server check; POST answers a message. Both need a valid, fresh signature for
    `token`; with `crypto` (safe mode) an encrypted message must carry a valid msg_signature too."""
    router = APIRouter(prefix="/wechat", include_in_schema=False)
    conversations = Conversations()
    seen = SeenRequests(clock)

    def taken(request: Request, signature: str, timestamp: str, nonce: str) -> None:
        """Refuse, in this order: a client over its rate, a bad signature, a stale or replayed request."""
        wait = per_ip.wait(request.client.host if request.client else "unknown") if per_ip else 0
        if wait:
            message, headers = slow_down(wait)
            raise HTTPException(429, message, headers=headers)
        try:
            check_signature(token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise HTTPException(403, BAD_SIGNATURE) from None
        if not seen.first_time(timestamp, nonce):
            raise HTTPException(403, STALE)

    @router.get("")
    def check(request: Request, signature: str = "", timestamp: str = "", nonce: str = "",
              echostr: str = "") -> PlainTextResponse:
        taken(request, signature, timestamp, nonce)
        return PlainTextResponse(echostr)

    @router.post("")
    async def receive(request: Request, assistant: AssistantDep, signature: str = "", timestamp: str = "",
                      nonce: str = "", encrypt_type: str = "raw", msg_signature: str = "") -> Response:
        taken(request, signature, timestamp, nonce)
        encrypted = encrypt_type == "aes"
        if encrypted and crypto is None:
            raise HTTPException(400, "未配置消息加密密钥。")
        body = await request.body()
        if not body.strip():
            raise HTTPException(400, "消息为空。")
        if encrypted:
            try:
                body = crypto.decrypt_message(body, msg_signature, timestamp, nonce).encode()
            except (InvalidSignatureException, InvalidAppIdException):
                raise HTTPException(403, BAD_SIGNATURE) from None
            except Exception:
                raise HTTPException(400, MALFORMED) from None
        try:
            message = parse_message(body)
        except Exception:
            raise HTTPException(400, MALFORMED) from None
        follower, account = getattr(message, "source", None), getattr(message, "target", None)
        if not (isinstance(follower, str) and follower and isinstance(account, str) and account):
            raise HTTPException(400, MALFORMED)
        if message.type == "text":
            wait = per_follower.wait(follower) if per_follower else 0
            if wait:
                text = slow_down(wait)[0]
            else:
                question = message.content if isinstance(message.content, str) else ""
                text, answered = await reply_text(assistant, question, widget_url, conversations.history(follower), slots)
                if answered:
                    conversations.add(follower, question, text)
        elif message.type == "event" and getattr(message, "event", "") == "subscribe":
            text = WELCOME
        else:
            text = TEXT_ONLY
        reply = text_reply(follower, account, text, clock())
        if encrypted:
            reply = crypto.encrypt_message(reply, nonce, timestamp)
        return Response(reply, media_type="application/xml")

    @router.api_route("", methods=["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], response_model=None)
    def other() -> None:
        raise HTTPException(405, "该接口不支持这种请求方式。", headers={"Allow": "GET, POST"})

    return router
