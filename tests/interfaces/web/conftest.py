"""The web app over the session's real assistant, as a TestClient and as a real server on a loopback port."""
from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.interfaces.web import create_app
from assistant.interfaces.web.server import server_config

PORTAL = "https://portal.example.gov.cn"
PUBLIC_URL = "https://policy.example.gov.cn"
WECHAT_TOKEN = "test-token-not-a-secret"


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("web"), wechat_token=WECHAT_TOKEN, widget_origins=(PORTAL,),
                    public_url=PUBLIC_URL, rate_limit_per_minute=10_000)


@pytest.fixture(scope="session")
def client(assistant, web_settings):
    with TestClient(create_app(assistant, web_settings), raise_server_exceptions=False) as test_client:
        yield test_client


@contextmanager
def serving(app, settings: Settings):
    """`app` served by uvicorn, configured as `app.py` does, in a background thread on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(app, settings, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the web server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def server_url(assistant, web_settings):
    """The real app served by uvicorn in a background thread, as a person's browser reaches it."""
    with serving(create_app(assistant, web_settings), web_settings) as url:
        yield url
