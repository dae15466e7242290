"""GET/POST /webhook: Meta's verification and signed deliveries, stored before the 200."""

from __future__ import annotations

import hmac
import json

from quart import Blueprint, Response, current_app, request

from appliance.cloudapi.inbox import Inbox
from appliance.cloudapi.signature import signature_matches
from appliance.errors import BadRequest, Forbidden, Unauthorized

blueprint = Blueprint("webhook", __name__)


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


@blueprint.post("/webhook")
async def receive() -> Response:
    """Verify the signature over the raw bytes, store durably, then answer 200."""
    header = request.headers.get("X-Hub-Signature-256", "")
    if not header:
        raise Unauthorized("missing signature")
    body = await request.get_data(cache=False)  # 413 past MAX_CONTENT_LENGTH, even when streamed
    secret = current_app.extensions["appliance"].config.values["whatsapp"]["app_secret"]
    if not signature_matches(body, header, secret):
        raise Forbidden("bad signature")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise BadRequest("body is not JSON") from err
    if not isinstance(payload, dict):
        raise BadRequest("body is not a JSON object")
    await _inbox().receive(body, payload)
    return Response("ok", content_type="text/plain")
