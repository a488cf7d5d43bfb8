"""The HTTP API under /api: ask (whole or streamed), the documents, health. Rate limited per client IP.

`/api/ask` answers with exactly a batch output row (`assistant.batch.answer_row`), so a portal
and a batch job read the same JSON. Every error is `{"error": "…"}` in Chinese with its status:
400 a body that is not strict UTF-8 JSON (or a question that cannot be asked), 404 no such thing,
405 a wrong method, 413 too large, 422 JSON of the wrong shape, 429 too many requests; an
unexpected failure is logged here and shown as a friendly 500, never as a stack trace. No error
repeats what was sent. A stream always ends with a `done` or an `error` event.
"""
from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Annotated, Any, Literal, NoReturn

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.batch import answer_row
from assistant.core import Assistant
from domain.errors import AssistantError, InputError
from assistant.interfaces.web.limits import RateLimiter, slow_down
from assistant.interfaces.web.text import SERVER_ERROR, question_problem, text_pieces
from domain.types import Clause, Document

MAX_HISTORY_TURNS = 20
MAX_TURN_CHARS = 4000  # an answer with all its quotes fits
MAX_LOCATION_CHARS = 50
MAX_ID_CHARS = 200
NOT_JSON = "请求体必须是 UTF-8 编码的标准 JSON（不能有 NaN、Infinity 或不成对的代理字符）。"
SHAPE = '请求格式不对：需要 JSON {"question": "…", "history": [{"role", "content"}], "location": "地区或 null"}'
FIELD_RULES = {
    "question": "question 必须是文字",
    "history": f"history 必须是列表，最多 {MAX_HISTORY_TURNS} 轮",
    "role": "history 中每一轮的 role 只能是 user 或 assistant",
    "content": f"history 中每一轮的 content 必须是文字，最多 {MAX_TURN_CHARS} 字",
    "location": f"location 必须是地名（最多 {MAX_LOCATION_CHARS} 字）或 null",
    "id": f"id 必须是文字（最多 {MAX_ID_CHARS} 字）、整数或 null",
}
STATUS_MESSAGES = {
    400: "请求有误。",
    401: "需要登录。",
    403: "没有权限。",
    404: "没有这个接口；接口说明见 /docs。",
    405: "该接口不支持这种请求方式。",
    413: "请求内容太大了。",
    415: "不支持这种内容类型。",
    422: SHAPE + "。",
    429: "请求太频繁了，请稍后再试。",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
log = logging.getLogger(__name__)


def get_assistant(request: Request) -> Assistant:
    """The Assistant over the index generation in service now; the request keeps it to the end."""
    return request.app.state.live.assistant


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def rate_limited(request: Request) -> None:
    """429 once a client IP has used up its requests for now; Retry-After says when to come back."""
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.wait(request.client.host if request.client else "unknown")
    if wait:
        message, headers = slow_down(wait)
        raise HTTPException(429, message, headers=headers)


LIMITED = [Depends(rate_limited)]


def strict_json(body: bytes) -> object:
    """The JSON value of a request body, or InputError: only UTF-8, no NaN or Infinity, no lone surrogates."""
    def finite(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return value

    def refuse(constant: str) -> NoReturn:
        raise ValueError(constant)

    try:
        value = json.loads(body.decode("utf-8"), parse_float=finite, parse_constant=refuse)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate cannot be encoded
    except (ValueError, RecursionError):
        raise InputError(NOT_JSON) from None
    return value


class StrictJSONRoute(APIRoute):
    """A route whose body must be strict JSON before FastAPI reads it (FastAPI's own parser takes NaN
    and lone surrogates, which then fail far from the input)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            body = await request.body()  # kept on the request: FastAPI reads it from there
            if body:
                strict_json(body)
            return await handler(request)

        return checked


router = APIRouter(prefix="/api", tags=["api"], route_class=StrictJSONRoute)


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_TURN_CHARS)


class AskRequest(BaseModel):
    """One question, as a batch input row."""

    id: Annotated[str, Field(max_length=MAX_ID_CHARS)] | Annotated[int, Field(ge=-(2**63), lt=2**63)] | None = Field(
        None, description="echoed back, to match answers to questions")
    question: str = Field(description="the question in plain words, e.g. 我在鲁山县开饭店，房租能减免吗？")
    history: list[Turn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS,
                                description="earlier turns, oldest first; a follow-up reads the last few")
    location: str | None = Field(None, max_length=MAX_LOCATION_CHARS,
                                 description="the asker's place (county, city or province), if known")


def answer_slots(request: Request) -> threading.Semaphore:
    """Questions answered at once, server-wide; the others wait their turn (answering is CPU-bound:
    more at once only share the cores thinner and hold more memory)."""
    return request.app.state.answer_slots


SlotsDep = Annotated[threading.Semaphore, Depends(answer_slots)]


def _row(assistant: Assistant, body: AskRequest, slots: threading.Semaphore) -> dict[str, object]:
    problem = question_problem(body.question, assistant.max_question_chars)
    if problem:
        raise InputError(problem)
    row = body.model_dump()
    row["location"] = (body.location or "").strip() or None  # a blank place is no place, as in the widget
    with slots:
        return answer_row(assistant, row)


@router.post("/ask", summary="Answer one question", dependencies=LIMITED)
def ask(body: AskRequest, assistant: AssistantDep, slots: SlotsDep) -> dict[str, object]:
    """The answer as a batch output row: `{id, answer, refused, location, citations, notice, timings}`."""
    return _row(assistant, body, slots)


@router.post("/ask/stream", summary="Answer one question as server-sent events", dependencies=LIMITED)
def ask_stream(body: AskRequest, assistant: AssistantDep, slots: SlotsDep) -> StreamingResponse:
    """Events: `chunk` `{"text"}` pieces that add up to the answer, then `citations` (the list), then
    `done` with the whole row of `/api/ask`. A bad question is a 400 before any event; should the
    stream fail half-way, it ends with an `error` event `{"error"}` instead of `done`."""
    row = _row(assistant, body, slots)
    return StreamingResponse(_events(row), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(row: dict[str, object]) -> AsyncIterator[bytes]:
    try:
        for piece in text_pieces(str(row["answer"])):
            yield _event("chunk", {"text": piece})
        yield _event("citations", row["citations"])
        yield _event("done", row)
    except Exception:
        log.exception("answer stream failed")
        yield _event("error", {"error": SERVER_ERROR})


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def document_dict(document: Document) -> dict[str, object]:
    return {
        "id": document.id,
        "title": document.title,
        "number": document.cited_number,
        "issuer": document.issuer,
        "date": document.date,
        "jurisdiction": {"level": document.jurisdiction.level, "name": document.jurisdiction.name},
        "parent_id": document.parent_id,
        "valid_until": document.valid_until,
    }


def clause_dict(clause: Clause) -> dict[str, object]:
    return {
        "id": clause.id,
        "label": clause.label,
        "path": list(clause.path),
        "text": clause.text,
        "department": clause.departments,
        "valid_until": clause.valid_until,
        "source": {"file": clause.source.file, "start_line": clause.source.start_line, "end_line": clause.source.end_line},
    }


@router.get("/documents", summary="The policy documents", dependencies=LIMITED)
def documents(assistant: AssistantDep) -> list[dict[str, object]]:
    corpus = assistant.store.corpus
    return [{**document_dict(d), "clauses": len(corpus.clauses_of(d.id))} for d in corpus.documents]


@router.get("/documents/{doc_id}", summary="One document with its clauses", dependencies=LIMITED)
def document(doc_id: str, assistant: AssistantDep) -> dict[str, object]:
    corpus = assistant.store.corpus
    try:
        found = corpus.document(doc_id)
    except KeyError:
        raise HTTPException(404, "没有这份文件；文件编号见 /api/documents。") from None
    return {**document_dict(found), "clauses": [clause_dict(c) for c in corpus.clauses_of(doc_id)]}


@router.get("/health", summary="Liveness and what is loaded (not rate limited: uptime checks may poll it)")
def health(assistant: AssistantDep) -> dict[str, object]:
    corpus = assistant.store.corpus
    return {"status": "ok", "documents": len(corpus.documents), "clauses": len(corpus.clauses)}


@router.api_route("/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                  include_in_schema=False, dependencies=LIMITED, response_model=None)
def elsewhere(request: Request, path: str) -> NoReturn:
    """Anything else under /api: 405 with `Allow` on a known path, else 404 (never the pages' own 404)."""
    allowed = sorted({method for route in router.routes
                      if isinstance(route, APIRoute) and route.endpoint is not elsewhere
                      and route.path_regex.fullmatch(request.url.path) for method in route.methods})
    if allowed:
        raise HTTPException(405, STATUS_MESSAGES[405], headers={"Allow": ", ".join(allowed)})
    raise HTTPException(404, STATUS_MESSAGES[404])


def install_error_handlers(app: FastAPI) -> None:
    """Every error as `{"error": "…"}` in Chinese: readable for bad input, friendly and trace-free for the rest."""

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": shape_error(error.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        said = error.detail if isinstance(error.detail, str) and _CHINESE.search(error.detail) else None
        message = said or STATUS_MESSAGES.get(error.status_code, "请求有误。")
        return JSONResponse({"error": message}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(AssistantError)
    @app.exception_handler(Exception)
    async def failure(request: Request, error: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return JSONResponse({"error": SERVER_ERROR}, status_code=500)


def shape_error(errors: Sequence[dict[str, Any]]) -> str:
    """What is wrong with a JSON body's shape, by field name only: the input is never repeated."""
    rules = [FIELD_RULES[part] for error in errors for part in reversed(error.get("loc", ()))
             if isinstance(part, str) and part in FIELD_RULES]
    return f"{SHAPE}；{rules[0]}。" if rules else f"{SHAPE}。"
