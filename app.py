"""Composition root of the web app: one Assistant behind every web interface, served by uvicorn."""
from __future__ import annotations

import uvicorn

from assistant import Assistant
from assistant.config import get_settings
from assistant.interfaces.web import create_app
from assistant.interfaces.web.server import banner, server_config


def main() -> None:
    settings = get_settings()
    app = create_app(Assistant.from_settings(settings), settings)
    print(banner(settings), flush=True)
    uvicorn.Server(server_config(app, settings)).run()


if __name__ == "__main__":
    main()
