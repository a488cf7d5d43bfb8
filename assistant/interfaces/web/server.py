"""`create_app`: the one web server — HTTP API, WeChat endpoint, widget, and the Gradio pages at `/`.

Everything here only wires interfaces to the one `Assistant` it is given; `app.py` builds that
Assistant from settings and runs the server. While the server runs, a new index generation put in
service by `python -m assistant build` or `ingest` is picked up within `index_poll_seconds`
(`assistant.live`), with no request failing before, during or after.
"""
from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
import gradio as gr
import uvicorn
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from wechatpy.crypto import WeChatCrypto

from domain import places
from assistant.config import Settings
from assistant.core import Assistant
from assistant.interfaces.web import api
from assistant.interfaces.web.chat import owner_chat
from assistant.interfaces.web.desk import hotline_desk
from assistant.interfaces.web.feedback import FeedbackStore
from assistant.interfaces.web.guards import BodyLimit, CrossOrigin, SecurityHeaders
from assistant.interfaces.web.limits import RateLimiter, slow_down
from assistant.interfaces.web.page import PAGE_I18N, PAGE_JS
from assistant.interfaces.web.render import CSS
from assistant.interfaces.web.wechat import wechat_router
from assistant.interfaces.web.widget import install_widget
from assistant.live import LiveAssistant

PAGE_EVENTS = "/gradio_api/"
DOCS_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"  # Swagger UI, pinned with the package


def place_names() -> list[tuple[str, str]]:
    """The places an asker can pick, as (label, name): those whose own policies the corpus holds first,
    marked （有本地政策）, the province and then city by city; then the rest of the corpus's province
    city by city (each city before its counties), then the other provinces. Any other place can still
    be said in the question."""
    covered = [p for p in places.covered_places() if p.level != "national"]
    home = [p for p in places.GAZETTEER if p.home and p.level in ("city", "county") and not p.covered]
    cities = [p for p in home if p.level == "city"] + [p for p in covered if p.level == "city"]
    cities.sort(key=lambda city: not any(p.parent == city.name or p is city for p in covered))  # 平顶山市, 焦作市 first
    own = [p for p in covered if p.level == "province"] + [
        q for city in cities for q in [city, *(p for p in covered if p.parent == city.name)] if q.covered]
    rest = [q for city in cities for q in [city, *(p for p in home if p.parent == city.name)] if not q.covered]
    others = [p for p in places.GAZETTEER if p.level == "province" and not p.home]

    def label(p: places.Place) -> str:
        name = f"{p.parent} · {p.name}" if p.level == "county" else p.name
        return f"{name}（有本地政策）" if p.covered else name

    return [(label(p), p.name) for p in [*own, *rest, *others]]


# Gradio's blue-500 on white is 3.67:1; blue-700 keeps text at ≥ 4.5:1 (WCAG AA) on buttons and tabs
THEME = gr.themes.Default(primary_hue="blue").set(
    color_accent="*primary_700", button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800", button_primary_text_color="white")


def pages(live: LiveAssistant, feedback: FeedbackStore) -> gr.Blocks:
    """The Gradio pages: the owner chat and the hotline desk, as two tabs."""
    names = place_names()
    with gr.Blocks(title="政策通 · 惠企政策助手", analytics_enabled=False) as blocks:
        gr.Markdown("# 政策通 · 惠企政策助手\n引用政策原文回答，并标明适用地区、文号、条款和文件状态。")
        with gr.Tab("企业咨询", elem_id="tab-owner"):
            owner_chat(lambda: live.assistant, feedback, names)
        with gr.Tab("12345 热线坐席", elem_id="tab-desk"):
            refresh_choices, choices = hotline_desk(lambda: live.assistant, names)
        blocks.load(refresh_choices, None, choices)  # documents added since start-up are offered too
    return blocks


def install_docs(app: FastAPI) -> None:
    """The API docs at /docs, with Swagger UI served from here: they work with no internet."""
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} · 接口说明",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png",
                                   swagger_ui_parameters={"validatorUrl": None})


def create_app(assistant: Assistant, settings: Settings) -> FastAPI:
    live = LiveAssistant(assistant)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with live.watching(settings.index_poll_seconds):
            yield

    app = FastAPI(
        title="政策通 API",
        description="Quoted, jurisdiction-tagged answers from enterprise-relief policies. "
                    "The owner chat and hotline desk are at /, the embeddable widget at /widget.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.state.live = live
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.answer_slots = threading.BoundedSemaphore(settings.answer_concurrency)
    page_limiter = RateLimiter(settings.page_rate_limit_per_minute)

    @app.middleware("http")
    async def limit_page_events(request: Request, call_next):
        """The pages ask through Gradio's own endpoints (POSTs under /gradio_api/), so those are limited
        per client IP too, by a limiter of their own."""
        if request.method == "POST" and request.url.path.startswith(PAGE_EVENTS):
            wait = page_limiter.wait(request.client.host if request.client else "unknown")
            if wait:
                message, headers = slow_down(wait)
                return JSONResponse({"error": message}, status_code=429, headers=headers)
        return await call_next(request)

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, timeout_s=settings.body_timeout_seconds)
    app.add_middleware(CrossOrigin, origins=settings.cors_origins)
    app.add_middleware(SecurityHeaders)  # outermost: every response has its headers, refusals too
    api.install_error_handlers(app)
    app.include_router(api.router)
    install_docs(app)
    if settings.wechat_token:
        crypto = None
        if settings.wechat_aes_key and settings.wechat_app_id:
            crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)
        app.include_router(wechat_router(settings.wechat_token, f"{settings.public_url.rstrip('/')}/widget", crypto,
                                         per_ip=RateLimiter(settings.wechat_rate_limit_per_minute),
                                         per_follower=RateLimiter(settings.rate_limit_per_minute),
                                         slots=app.state.answer_slots))
    install_widget(app, settings.widget_origins, settings.max_question_chars)
    blocks = pages(live, FeedbackStore(settings.feedback_db))
    return gr.mount_gradio_app(app, blocks, path="/", css=CSS, theme=THEME,
                               show_error=False, footer_links=[], i18n=PAGE_I18N,
                               js=PAGE_JS)


def banner(settings: Settings) -> str:
    """What `app.py` prints at start: where it really listens, and where users reach it."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return (f"政策通 listening on http://{host}:{settings.port}  (public address {settings.public_url}; "
            "API docs /docs, widget /widget, example portal /example-portal)")


def server_config(app: FastAPI, settings: Settings, **overrides: object) -> uvicorn.Config:
    """How uvicorn serves the app. Behind a reverse proxy listed in `trusted_proxies` the client's
    address, and so its rate-limit bucket, is the one the proxy forwards, not the proxy's own."""
    options = {"host": settings.host, "port": settings.port, "proxy_headers": True,
               "forwarded_allow_ips": settings.trusted_proxies, **overrides}
    return uvicorn.Config(app, **options)
