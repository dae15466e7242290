"""Webhook self-test against real HTTP servers on loopback, each misconfigured in one way."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from appliance.operations.checks import run_checks
from appliance.operations.selftest import ADVICE, webhook_selftest
from tests.support.appliance import TEST_CREDENTIALS, make_config

pytestmark = pytest.mark.fast


class FakeEdge(BaseHTTPRequestHandler):
    """Plays what sits behind a public URL: a good webhook, a wrong box, a bad tunnel…"""

    mode = "good"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        query = parse_qs(urlsplit(self.path).query)
        path = urlsplit(self.path).path
        mode = self.server.mode  # type: ignore[attr-defined]
        if mode == "good" or mode == "other-token":
            token = "another-token" if mode == "other-token" else TEST_CREDENTIALS["verify_token"]
            if path == "/webhook" and query.get("hub.verify_token") == [token]:
                return self._send(200, query["hub.challenge"][0])
            return self._send(403 if path == "/webhook" else 404, "forbidden")
        if mode == "no-route":
            return self._send(404, "not found")
        if mode == "tunnel-error":
            return self._send(530, "error 1033", "text/html")
        if mode == "redirect":
            self.send_response(301)
            self.send_header("Location", "https://elsewhere.example/webhook")
            self.end_headers()
            return None
        return self._send(200, "<html>router login</html>", "text/html")

    def _send(self, status: int, body: str, kind: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def edge():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEdge)
    server.mode = "good"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="fake-edge")
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def config_for(tmp_path, url: str):
    return make_config(tmp_path, server={"public_url": url})


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("good", "ok"),
        ("other-token", "wrong_token"),
        ("no-route", "no_webhook"),
        ("tunnel-error", "tunnel_down"),
        ("redirect", "redirect"),
        ("router", "wrong_answer"),
    ],
)
async def test_each_failure_is_named(tmp_path, edge, mode, code):
    edge.mode = mode
    config = config_for(tmp_path, f"http://127.0.0.1:{edge.server_port}")
    result = await webhook_selftest(config)
    assert result.code == code
    assert result.url == f"http://127.0.0.1:{edge.server_port}/webhook"
    assert result.advice("it") == ADVICE[code][0] and result.advice("en") == ADVICE[code][1]


async def test_nothing_listening_is_unreachable(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await webhook_selftest(config_for(tmp_path, f"http://127.0.0.1:{port}"))
    assert result.code == "unreachable" and "tunnel" in result.advice("en")


async def test_plain_http_behind_an_https_url_is_a_tls_problem(tmp_path, edge):
    config = config_for(tmp_path, f"https://127.0.0.1:{edge.server_port}")
    assert (await webhook_selftest(config)).code == "tls"


async def test_a_silent_server_times_out(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        config = config_for(tmp_path, f"http://127.0.0.1:{sock.getsockname()[1]}")
        async with httpx.AsyncClient(timeout=0.3) as client:
            result = await webhook_selftest(config, client)
    assert result.code == "timeout"


async def test_no_public_url_is_reported(tmp_path):
    assert (await webhook_selftest(make_config(tmp_path))).code == "not_configured"


async def test_appliance_check_runs_the_self_test(tmp_path, edge):
    edge.mode = "no-route"
    config = make_config(
        tmp_path,
        server={"public_url": f"http://127.0.0.1:{edge.server_port}"},
        whatsapp={"access_token": ""},
    )
    lines: list[str] = []
    assert await run_checks(config, lines.append) == 1
    assert any(line.startswith("webhook self-test: failed") for line in lines)
    assert any("/webhook to 127.0.0.1:8081" in line for line in lines)
    edge.mode = "good"
    lines.clear()
    assert await run_checks(config, lines.append) == 0
    assert any(line.startswith("webhook self-test: ok") for line in lines)
