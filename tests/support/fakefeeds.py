"""A real HTTP server on loopback that plays Open-Meteo, allertaLOM, DPC and CAP publishers."""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).parents[1] / "feeds" / "fixtures"


@dataclass
class Reply:
    """What one route answers."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between 16-byte pieces: a server that barely answers


class FakeFeeds:
    """Routes are ``/path`` or ``/path?param=value`` (matched on one query parameter)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Reply] = {}
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                query = dict(parse_qsl(parts.query))
                fake.requests.append((parts.path, query, dict(self.headers)))
                reply = next(
                    (
                        fake.routes[f"{parts.path}?{k}={v}"]
                        for k, v in query.items()
                        if f"{parts.path}?{k}={v}" in fake.routes
                    ),
                    fake.routes.get(parts.path, Reply(b"not found", 404)),
                )
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(reply.body)
                    return
                try:
                    for start in range(0, len(reply.body), 16):
                        time.sleep(reply.trickle)
                        self.wfile.write(reply.body[start : start + 16])
                        self.wfile.flush()
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if tls is not None:  # HTTPS with whatever chain the context was given
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-feeds")

    def start(self) -> FakeFeeds:
        """Serve in a thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def serve(self, route: str, fixture: str, status: int = 200, **headers: str) -> None:
        """Answer ``route`` with a fixture file."""
        self.routes[route] = Reply((FIXTURES / fixture).read_bytes(), status, headers)

    def reply(self, route: str, body: bytes, status: int = 200, **headers: str) -> None:
        """Answer ``route`` with bytes a test made (a variation of a real file)."""
        self.routes[route] = Reply(body, status, headers)

    def count(self, path: str) -> int:
        """How many requests reached ``path``."""
        return sum(1 for p, _, _ in self.requests if p == path)
