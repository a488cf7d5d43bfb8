"""The embeddable chat: `/widget` (the page), `/embed.js` (the one-tag loader) and an example portal.

The widget page may be framed only by the allow-listed portal origins (CSP `frame-ancestors`), loads
nothing from another origin, and keeps no secret: it calls the public, rate-limited /api.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"


def widget_csp(origins: Sequence[str]) -> str:
    """The widget's Content-Security-Policy: own scripts, styles and API only; framed by `origins` and itself."""
    ancestors = " ".join(("'self'", *origins))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def install_widget(app: FastAPI, origins: Sequence[str], max_question_chars: int) -> None:
    page = (STATIC / "widget.html").read_text(encoding="utf-8").replace("{{max_chars}}", str(max_question_chars))
    headers = {"Content-Security-Policy": widget_csp(origins), "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "no-referrer"}
    router = APIRouter(include_in_schema=False)

    @router.api_route("/widget", methods=["GET", "HEAD"])  # HEAD: uptime checks of the portal embedding it
    def widget() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    @router.get("/embed.js")
    def embed() -> FileResponse:
        return FileResponse(STATIC / "embed.js", media_type="text/javascript")

    @router.get("/example-portal")
    def example_portal() -> FileResponse:
        return FileResponse(STATIC / "example-portal.html", media_type="text/html")

    app.include_router(router)
    app.mount("/widget/assets", StaticFiles(directory=STATIC / "assets"), name="widget-assets")
