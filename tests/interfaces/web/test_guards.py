"""What every request and response goes through: body bounds, one CORS policy, security headers."""
import socket

import httpx
import pytest

from assistant.interfaces.web import create_app
from tests.interfaces.web.conftest import PORTAL, serving

QUESTION = "我在鲁山县开饭店，房租能减免吗？"


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client, web_settings):
    limit = web_settings.max_body_bytes
    for path in ("/api/ask", "/api/ask/stream", "/wechat", "/gradio_api/queue/join"):
        response = client.post(path, content=b"x" * (limit + 1), headers={"Content-Type": "application/json"})
        assert response.status_code == 413 and response.json() == {"error": f"请求内容太大了（最多 {limit} 字节），请精简后再试。"}
    padded = b'{"question": "%s", "history": []%s}' % (QUESTION.encode(), b" " * (limit - 100))
    assert client.post("/api/ask", content=padded, headers={"Content-Type": "application/json"}).status_code == 200


def test_a_chunked_body_that_grows_past_the_limit_is_refused_too(client, web_settings):
    def chunks():
        for _ in range(web_settings.max_body_bytes // 1000 + 2):
            yield b" " * 1000

    response = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def _raw(url: str, request: bytes, wait_s: float = 30) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait_s) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def test_a_client_that_never_finishes_its_body_gets_408_and_is_let_go(assistant, web_settings):
    settings = web_settings.model_copy(update={"body_timeout_seconds": 0.5})
    with serving(create_app(assistant, settings), settings) as url:
        head = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        received = _raw(url, head + b'{"question": "')  # and then nothing more: the server answers and closes
    status, _, body = received.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 408") and b"connection: close" in status.lower()
    assert "请求发送太慢" in body.decode()


def test_no_page_can_be_framed_by_another_site_and_nothing_is_sniffed(client):
    for path in ("/", "/docs", "/api/health", "/embed.js", "/widget/assets/widget.js", "/example-portal"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-frame-options"] == "SAMEORIGIN", path
    refused = client.post("/api/ask", content=b"{", headers={"Content-Type": "application/json"})
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_the_widget_keeps_its_own_list_of_portals_that_may_frame_it(client):
    widget = client.get("/widget")
    assert f"frame-ancestors 'self' {PORTAL}" in widget.headers["content-security-policy"]
    assert "x-frame-options" not in widget.headers  # it could only say SAMEORIGIN, and would shut the portals out
    assert widget.headers["x-content-type-options"] == "nosniff"


@pytest.fixture(scope="module")
def cors_url(assistant, web_settings):
    """A real server on loopback: the page framework's own CORS answers localhost origins only there."""
    settings = web_settings.model_copy(update={"cors_origins": ("https://www.ls.gov.cn", "https://*.pds.gov.cn")})
    with serving(create_app(assistant, settings), settings) as url:
        yield url


@pytest.mark.parametrize("origin", ["https://www.ls.gov.cn", "https://zhb.pds.gov.cn"])
def test_a_listed_origin_may_call_the_api_from_its_pages_without_credentials(cors_url, origin):
    preflight = httpx.options(f"{cors_url}/api/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                             "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answered = httpx.post(f"{cors_url}/api/ask", json={"question": QUESTION}, headers={"Origin": origin}, timeout=30)
    assert answered.status_code == 200 and answered.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-credentials" not in answered.headers and "Origin" in answered.headers["vary"]


@pytest.mark.parametrize("origin", ["http://localhost:8000", "http://127.0.0.1:3000", "https://evil.example",
                                    "https://www.ls.gov.cn.evil.example", "null"])
def test_any_other_origin_gets_no_cors_headers_whatever_the_page_framework_would_allow(cors_url, origin):
    preflight = httpx.options(f"{cors_url}/api/ask", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 403 and "跨域" in preflight.json()["error"]
    for response in (httpx.post(f"{cors_url}/api/ask", json={"question": QUESTION}, headers={"Origin": origin}, timeout=30),
                     httpx.get(f"{cors_url}/api/health", headers={"Origin": origin}),
                     httpx.get(f"{cors_url}/config", headers={"Origin": origin})):
        assert response.status_code == 200
        assert not [h for h in response.headers if h.startswith("access-control-")], response.url
