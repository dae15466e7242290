"""GET/POST /webhook: Meta's verification and signed deliveries, stored before the 200.

POST is answered by ``WebhookReceiver``, an ASGI layer in front of the public app: it is
the hot path of every broadcast (a status per message sent, delivered and read), and the
framework's per-request work (contexts, routing, two tasks) was most of its cost.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, Response, current_app, request

from appliance.cloudapi.inbox import Inbox
from appliance.cloudapi.responses import MAX_BODY_BYTES, PLAIN_TEXT
from appliance.cloudapi.signature import signature_matches
from appliance.core.errors import (
    ApplianceError,
    BadRequest,
    Forbidden,
    PayloadTooLarge,
    RequestTimeout,
    ServiceUnavailable,
    Unauthorized,
)

log = logging.getLogger(__name__)
blueprint = Blueprint("webhook", __name__)

BODY_TIMEOUT_SECONDS = 60  # a delivery that trickles in slower than this is refused (408)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _inbox() -> Inbox:
    return current_app.extensions["appliance"].parts["inbox"]


@blueprint.before_app_serving
async def start_worker() -> None:
    """Start processing once every service is up (listeners start after the services)."""
    await _inbox().start()


@blueprint.after_app_serving
async def stop_worker() -> None:
    """Stop processing before the services it uses stop."""
    await _inbox().stop()


@blueprint.get("/webhook")
async def verify() -> Response:
    """Meta's subscription check: echo ``hub.challenge`` when the verify token matches."""
    expected = current_app.extensions["appliance"].config.values["whatsapp"]["verify_token"]
    given = request.args.get("hub.verify_token", "")
    if (
        request.args.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(given.encode(), expected.encode())
    ):
        response = Response(request.args.get("hub.challenge", ""), content_type="text/plain")
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    raise Forbidden("verification failed")


class _ClientGone(Exception):
    """The sender hung up before its body arrived: there is nobody to answer."""


class WebhookReceiver:
    """ASGI layer answering ``POST /webhook``; every other request goes to the public app."""

    def __init__(self, app: ASGIApp, inbox: Inbox, app_secret: Callable[[], str]) -> None:
        self._app = app
        self._inbox = inbox
        self._app_secret = app_secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take deliveries here; pass everything else (lifespan included) through."""
        if scope["type"] != "http" or scope["path"] != "/webhook" or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        try:
            await self._accept(scope, receive)
        except _ClientGone:
            return
        except ApplianceError as err:
            await _answer(send, err.status, err.message)
            return
        await _answer(send, 200, "ok")

    async def _accept(self, scope: Scope, receive: Receive) -> None:
        """Verify the signature over the raw bytes and store durably; raise to refuse."""
        headers = dict(scope["headers"])
        header = headers.get(b"x-hub-signature-256", b"").decode("latin-1")
        if not header:
            raise Unauthorized("missing signature")
        body = await _read_body(headers, receive)
        if not signature_matches(body, header, self._app_secret()):
            raise Forbidden("bad signature")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as err:
            raise BadRequest("body is not JSON") from err
        if not isinstance(payload, dict):
            raise BadRequest("body is not a JSON object")
        try:
            await self._inbox.receive(body, payload)
        except sqlite3.Error as err:
            # Not stored, so not acknowledged: Meta delivers it again later (full disk...).
            log.error("webhook delivery not stored, answered 503: %s", err)
            raise ServiceUnavailable("delivery not stored; retry later") from err


async def _read_body(headers: dict[bytes, bytes], receive: Receive) -> bytes:
    """The whole body, refused past the cap before or while it is read."""
    declared = headers.get(b"content-length", b"0")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge("payload too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise PayloadTooLarge("payload too large")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError as err:
        raise RequestTimeout("request body timed out") from err


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PLAIN_TEXT.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
