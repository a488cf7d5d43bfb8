"""What every request and response of the web server goes through, whatever interface it is for.

- `BodyLimit`: a request body is read whole before any interface sees it, and refused when it is
  larger than the limit (413) or not all there in time (408), so a huge or never-ending body costs
  the server only the limit and the time, never more.
- `CrossOrigin`: one explicit CORS policy. Only the configured origins may call from their pages,
  never with credentials; whatever another layer (the page framework) would have allowed is dropped.
- `SecurityHeaders`: `nosniff` on every response, and no page may be framed by another site unless
  it says so itself (the widget's CSP names its portals).

Errors are `{"error": "…"}` in Chinese, as everywhere on the API, and never repeat the input.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "请求内容太大了（最多 {limit} 字节），请精简后再试。"
TOO_SLOW = "请求发送太慢，连接已关闭，请重新发送。"
FOREIGN_ORIGIN = "这个网站不在允许跨域调用的名单里。"
CORS_METHODS = "GET, POST"
CORS_HEADERS = "Content-Type"


def error_response(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout_s: float) -> None:
        self.app, self.max_bytes, self.timeout_s = app, max_bytes, timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(TOO_LARGE.format(limit=self.max_bytes), 413, scope, receive, send)
            return
        try:
            body = await asyncio.wait_for(self._read(receive), self.timeout_s)
        except TimeoutError:
            await self._refuse(TOO_SLOW, 408, scope, receive, send)
            return
        except _ClientGone:
            return
        if body is None:
            await self._refuse(TOO_LARGE.format(limit=self.max_bytes), 413, scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # from here on only a disconnect can come
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is larger than the limit."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    @staticmethod
    async def _refuse(message: str, status: int, scope: Scope, receive: Receive, send: Send) -> None:
        # the rest of the body is never read, so the connection cannot carry another request
        await error_response(message, status, {"Connection": "close"})(scope, receive, send)


class _ClientGone(Exception):
    """The client went away before its body was complete: there is no one to answer."""


def origin_pattern(origins: Sequence[str]) -> re.Pattern[str]:
    """A pattern matching exactly the listed origins; `https://*.example.gov.cn` stands for its subdomains."""
    alternatives = [re.escape(o).replace(r"\*\.", r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.") for o in origins]
    return re.compile("|".join(alternatives) if alternatives else r"(?!)")


class CrossOrigin:
    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app, self.allowed = app, origin_pattern(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and self.allowed.fullmatch(origin) is not None
        if scope["method"] == "OPTIONS" and origin is not None and "access-control-request-method" in headers:
            if not allowed:
                await error_response(FOREIGN_ORIGIN, 403)(scope, receive, send)
                return
            preflight = {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Methods": CORS_METHODS,
                         "Access-Control-Allow-Headers": CORS_HEADERS, "Access-Control-Max-Age": "600", "Vary": "Origin"}
            await Response(status_code=204, headers=preflight)(scope, receive, send)
            return

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                for name in [n for n in response.keys() if n.startswith("access-control-")]:
                    del response[name]
                if allowed:
                    response["Access-Control-Allow-Origin"] = origin  # type: ignore[assignment]
                    response.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, with_policy)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                policy = headers.get("content-security-policy")
                if policy is None:
                    headers["Content-Security-Policy"] = "frame-ancestors 'self'"
                elif "frame-ancestors" not in policy:
                    headers["Content-Security-Policy"] = f"{policy}; frame-ancestors 'self'"
                if "frame-ancestors" not in (policy or ""):  # a page that names who may frame it keeps that list
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            await send(message)

        await self.app(scope, receive, with_headers)
