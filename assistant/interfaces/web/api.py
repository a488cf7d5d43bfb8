"""The HTTP API under /api: ask (whole or streamed), the documents, health. Rate limited per client IP.

`/api/ask` answers with exactly a batch output row (`assistant.batch.answer_row`), so a portal
and a batch job read the same JSON. Every error is `{"error": "…"}` with a message a person can
read; an unexpected failure is logged here and shown as a friendly 500, never as a stack trace.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.batch import answer_row
from assistant.core import Assistant
from assistant.errors import AssistantError, InputError
from assistant.interfaces.web.limits import RateLimiter, slow_down
from assistant.interfaces.web.text import SERVER_ERROR, STREAM_PAUSE_S, question_problem, text_pieces
from assistant.types import Clause, Document

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


router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(rate_limited)])


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(max_length=5000)


class AskRequest(BaseModel):
    """One question, as a batch input row."""

    id: str | int | None = Field(None, description="echoed back, to match answers to questions")
    question: str = Field(description="the question in plain words, e.g. 我在鲁山县开饭店，房租能减免吗？")
    history: list[Turn] = Field(default_factory=list, max_length=40, description="earlier turns, oldest first")
    location: str | None = Field(None, description="the asker's place (county, city or province), if known")


def _row(assistant: Assistant, body: AskRequest) -> dict[str, object]:
    problem = question_problem(body.question, assistant.max_question_chars)
    if problem:
        raise InputError(problem)
    return answer_row(assistant, body.model_dump())


@router.post("/ask", summary="Answer one question")
def ask(body: AskRequest, assistant: AssistantDep) -> dict[str, object]:
    """The answer as a batch output row: `{id, answer, refused, location, citations, notice, timings}`."""
    return _row(assistant, body)


@router.post("/ask/stream", summary="Answer one question as server-sent events")
def ask_stream(body: AskRequest, assistant: AssistantDep) -> StreamingResponse:
    """Events: `chunk` `{"text"}` pieces that add up to the answer, then `citations` (the list), then
    `done` with the whole row of `/api/ask`. A bad question is a 400 before any event."""
    row = _row(assistant, body)
    return StreamingResponse(_events(row), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(row: dict[str, object]) -> AsyncIterator[str]:
    for piece in text_pieces(str(row["answer"])):
        yield _event("chunk", {"text": piece})
        await asyncio.sleep(STREAM_PAUSE_S)
    yield _event("citations", row["citations"])
    yield _event("done", row)


def _event(name: str, data: object) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


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


@router.get("/documents", summary="The policy documents")
def documents(assistant: AssistantDep) -> list[dict[str, object]]:
    corpus = assistant.store.corpus
    return [{**document_dict(d), "clauses": len(corpus.clauses_of(d.id))} for d in corpus.documents]


@router.get("/documents/{doc_id}", summary="One document with its clauses")
def document(doc_id: str, assistant: AssistantDep) -> dict[str, object]:
    corpus = assistant.store.corpus
    try:
        found = corpus.document(doc_id)
    except KeyError:
        raise HTTPException(404, "没有这份文件；文件编号见 /api/documents。") from None
    return {**document_dict(found), "clauses": [clause_dict(c) for c in corpus.clauses_of(doc_id)]}


@router.get("/health", summary="Liveness and what is loaded")
def health(assistant: AssistantDep) -> dict[str, object]:
    corpus = assistant.store.corpus
    return {"status": "ok", "documents": len(corpus.documents), "clauses": len(corpus.clauses)}


def install_error_handlers(app: FastAPI) -> None:
    """Every error as `{"error": "…"}`: readable for bad input, friendly and trace-free for the rest."""

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: RequestValidationError) -> JSONResponse:
        message = '请求格式不对：需要 JSON {"question": "…", "history": [{"role", "content"}], "location": "地区或 null"}。'
        return JSONResponse({"error": message, "detail": jsonable_encoder(error.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": error.detail}, status_code=error.status_code, headers=error.headers)

    @app.exception_handler(AssistantError)
    @app.exception_handler(Exception)
    async def failure(request: Request, error: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return JSONResponse({"error": SERVER_ERROR}, status_code=500)
