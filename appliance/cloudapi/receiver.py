"""GET/POST /webhook: Meta's verification and signed deliveries, stored before the 200.

POST is answered by ``WebhookReceiver``, an ASGI layer in front of the public app: it is
the hot path of every broadcast (a status per message sent, delivered and read), and the
framework's per-request work (contexts, routing, two tasks) was most of its cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, Response, current_app, request

from appliance.cloudapi.deliveries import DELIVERIES, Deliveries
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
# Bytes of webhook bodies held at once over every connection: beyond it a delivery is
# refused (503) before its body is read, so no number of connections can fill the memory.
# Meta's deliveries are a few KB and Meta retries a 503; 16 MB is four of the largest.
BODY_BUDGET_BYTES = 16 * 1024 * 1024
RETRY_AFTER_SECONDS = 5
DRAIN_SECONDS = 10  # reading the rest of a refused body; the connection is closed by then
_SIGNATURE_SHAPE = re.compile(r"sha256=[0-9a-fA-F]{64}")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _deliveries() -> Deliveries:
    return current_app.extensions["appliance"].parts[DELIVERIES]


@blueprint.before_app_serving
async def start_worker() -> None:
    """Start processing once every service is up (listeners start after the services)."""
    await _deliveries().start()


@blueprint.after_app_serving
async def stop_worker() -> None:
    """Stop processing before the services it uses stop."""
    await _deliveries().stop()


@blueprint.get("/webhook")
async def verify() -> Response:
    """Meta's subscription check: echo ``hub.challenge`` when the verify token matches."""
    expected = current_app.extensions["appliance"].config.whatsapp.verify_token
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


class _Channel:
    """The request's receive side, drained when an answer leaves before the body was read.

    Hypercorn hands the body over through a small queue and, when the answer ends the
    stream, puts "disconnect" on it from inside the app's own ``send``: with the queue full
    of unread body that put waits for ever, and the connection with everything it buffered
    is never freed. Reading (and dropping) the rest while answering lets it end.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._finished = False
        self._drain: asyncio.Task[None] | None = None

    async def __call__(self) -> dict[str, Any]:
        message = await self._receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            self._finished = True
        return message

    def sending(self, send: Send) -> Send:
        """``send`` that starts the drain just before the answer's last part leaves."""

        async def sending(message: dict[str, Any]) -> None:
            last = message["type"] == "http.response.body" and not message.get("more_body")
            if last and not self._finished and self._drain is None:
                self._drain = asyncio.create_task(self._drop_rest(), name="webhook-drain")
            await send(message)

        return sending

    async def _drop_rest(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while not self._finished:
                    await self()

    async def drained(self) -> None:
        """Wait for the drain, if one started (the connection is closed by then)."""
        if self._drain is not None:
            await self._drain


class LengthRequired(ApplianceError):
    """A delivery without Content-Length: its size must be known before it is read."""

    status = 411
    code = "length_required"


class Busy(ServiceUnavailable):
    """Too many bodies being read at once: retry in a moment (Meta does)."""


class BodyBudget:
    """Bytes of request bodies in memory now, across every connection (one event loop)."""

    def __init__(self, capacity: int = BODY_BUDGET_BYTES) -> None:
        self.capacity = capacity
        self.used = 0

    def take(self, size: int) -> bool:
        """Reserve ``size`` bytes; False when that would pass the capacity."""
        if self.used + size > self.capacity:
            return False
        self.used += size
        return True

    def give(self, size: int) -> None:
        """Return bytes reserved with ``take``."""
        self.used -= size


class WebhookReceiver:
    """ASGI layer answering ``POST /webhook``; every other request goes to the public app."""

    def __init__(
        self,
        app: ASGIApp,
        deliveries: Deliveries,
        app_secret: Callable[[], str],
        budget: BodyBudget | None = None,
    ) -> None:
        self._app = app
        self._deliveries = deliveries
        self._app_secret = app_secret
        self.budget = budget or BodyBudget()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take deliveries here; pass everything else (lifespan included) through."""
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        channel = _Channel(receive)
        try:
            if scope["path"] != "/webhook" or scope["method"] != "POST":
                await self._app(scope, channel, channel.sending(send))
                return
            await self._deliver(scope, channel, channel.sending(send))
        finally:
            await channel.drained()

    async def _deliver(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._accept(scope, receive)
        except _ClientGone:
            return
        except Busy as err:
            await _answer(send, err.status, err.message, retry_after=RETRY_AFTER_SECONDS)
            return
        except ApplianceError as err:
            await _answer(send, err.status, err.message)
            return
        await _answer(send, 200, "ok")

    async def _accept(self, scope: Scope, receive: Receive) -> None:
        """Verify the signature over the raw bytes and store durably; raise to refuse.

        Everything that can be judged from the headers is judged before a byte of the body
        is read; the body's declared size is reserved in the shared budget first.
        """
        headers = dict(scope["headers"])
        header = headers.get(b"x-hub-signature-256", b"").decode("latin-1").strip()
        if not header:
            raise Unauthorized("missing signature")
        if not _SIGNATURE_SHAPE.fullmatch(header):
            raise Forbidden("bad signature")
        size = _declared_size(headers)
        if not self.budget.take(size):
            raise Busy("busy; retry later")
        try:
            body = await _read_body(size, receive)
            if not signature_matches(body, header, self._app_secret()):
                raise Forbidden("bad signature")
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError) as err:
                raise BadRequest("body is not JSON") from err
            if not isinstance(payload, dict):
                raise BadRequest("body is not a JSON object")
            try:
                await self._deliveries.receive(body, payload)
            except sqlite3.Error as err:
                # Not stored, so not acknowledged: Meta delivers it again later (full disk...).
                log.error("webhook delivery not stored, answered 503: %s", err)
                raise ServiceUnavailable("delivery not stored; retry later") from err
        finally:
            self.budget.give(size)


def _declared_size(headers: dict[bytes, bytes]) -> int:
    """The body size the sender announces; refused when missing or over the cap."""
    declared = headers.get(b"content-length")
    if declared is None or not declared.strip().isdigit():
        raise LengthRequired("Content-Length required")
    size = int(declared)
    if size > MAX_BODY_BYTES:
        raise PayloadTooLarge("payload too large")
    return size


async def _read_body(size: int, receive: Receive) -> bytes:
    """The whole body of the announced ``size`` (the HTTP layer never passes more)."""
    body = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _ClientGone
                body += message.get("body", b"")
                if len(body) > size:
                    raise BadRequest("body longer than its Content-Length")
                if not message.get("more_body", False):
                    return bytes(body)
    except TimeoutError as err:
        raise RequestTimeout("request body timed out") from err


async def _answer(send: Send, status: int, text: str, *, retry_after: int = 0) -> None:
    body = text.encode()
    headers = [
        (b"content-type", PLAIN_TEXT.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if retry_after:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
