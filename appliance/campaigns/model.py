"""Campaigns as data: states, the checked REST body, and content parts as Cloud API messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appliance.cloudapi import messages
from appliance.cloudapi.limits import validate_message
from appliance.cloudapi.messages import Media
from appliance.core.errors import BadRequest

DRAFT, SCHEDULED, SENDING, PAUSED = "draft", "scheduled", "sending", "paused"
DONE, CANCELLED, EXPIRED = "done", "cancelled", "expired"
STATUSES = (DRAFT, SCHEDULED, SENDING, PAUSED, DONE, CANCELLED, EXPIRED)
ACTIVE = (SCHEDULED, SENDING, PAUSED)
FINAL = (DONE, CANCELLED, EXPIRED)

# Outbox row states and their forward-only rank; every rank-9 state is final.
QUEUED, ACCEPTED, SENT, DELIVERED, READ = "queued", "accepted", "sent", "delivered", "read"
FAILED, NEEDS_TEMPLATE, SKIPPED = "failed", "needs_template", "skipped"
ROW_RANK = {
    QUEUED: 0,
    ACCEPTED: 1,
    SENT: 2,
    DELIVERED: 3,
    READ: 4,
    FAILED: 9,
    NEEDS_TEMPLATE: 9,
    SKIPPED: 9,
    EXPIRED: 9,
    CANCELLED: 9,
}
# Status webhooks in outbox terms ("played" is a read voice note).
STATUS_STATE = {"sent": SENT, "delivered": DELIVERED, "read": READ, "played": READ}

TEMPLATE_PART = -1  # the outbox part number of the template sent outside the 24-hour window
MEDIA = ("image", "document", "audio", "video")
PART_TYPES = ("text", *MEDIA, "location")
MAX_PARTS = 10
MAX_NAME = 200
_PROBE_NUMBER = "+390000000000"  # a syntactically valid recipient for checking limits early


@dataclass(frozen=True)
class CampaignSpec:
    """A checked campaign body, ready to store."""

    name: str
    topics: tuple[str, ...]
    content: list[dict[str, Any]]
    template: dict[str, Any] | None
    category: str
    send_at: float | None
    expires_at: float | None
    segment_id: int | None = None  # a studio segment, copied into the campaign at creation


def _timestamp(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key}: an ISO 8601 date and time such as 2026-05-04T08:00:00+02:00")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{key}: an ISO 8601 date and time with its time zone") from None
    if moment.tzinfo is None:
        raise BadRequest(f"{key}: give the time zone (e.g. +02:00 or Z)")
    return moment.timestamp()


def parse_campaign(body: Any) -> CampaignSpec:
    """Check a POST /api/v1/campaigns body; raise BadRequest naming the first problem."""
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise BadRequest(f"name: 1-{MAX_NAME} characters")
    audience = body.get("audience") or {}
    if not isinstance(audience, dict):
        raise BadRequest('audience: an object like {"topics": ["notizie"]}')
    segment_id = audience.get("segment_id")
    if segment_id is not None and (type(segment_id) is not int or segment_id < 1):
        raise BadRequest("audience.segment_id: the id of a saved segment")
    topics = audience.get("topics") or []
    if not isinstance(topics, list) or not all(isinstance(t, str) and t for t in topics):
        raise BadRequest("audience.topics: a list of topic keys")
    content = body.get("content") or []
    if not isinstance(content, list) or len(content) > MAX_PARTS:
        raise BadRequest(f"content: a list of at most {MAX_PARTS} parts")
    for index, part in enumerate(content):
        check_part(part, index)
    template = body.get("template")
    if template is not None:
        template = _check_template(template)
    if not content and template is None:
        raise BadRequest("content or template: a campaign needs something to send")
    category = str(body.get("category") or "UTILITY").upper()
    if category not in ("UTILITY", "MARKETING"):
        raise BadRequest("category: UTILITY or MARKETING")
    send_at, expires_at = _timestamp(body, "send_at"), _timestamp(body, "expires_at")
    if send_at is not None and expires_at is not None and expires_at <= send_at:
        raise BadRequest("expires_at: must come after send_at")
    return CampaignSpec(
        name.strip(),
        tuple(dict.fromkeys(topics)),
        content,
        template,
        category,
        send_at,
        expires_at,
        segment_id,
    )


def check_part(part: Any, index: int) -> None:
    """One content part, checked against the Cloud API's limits."""
    if not isinstance(part, dict) or part.get("type") not in PART_TYPES:
        raise BadRequest(f"content[{index}].type: one of {', '.join(PART_TYPES)}")
    try:
        kind, value = part_message(part)
        validate_message(messages.envelope(_PROBE_NUMBER, kind, value))
    except BadRequest as err:
        raise BadRequest(f"content[{index}]: {err.message}") from err
    except (KeyError, TypeError, ValueError) as err:
        raise BadRequest(f"content[{index}]: missing or wrong field {err}") from err


def _check_template(template: Any) -> dict[str, Any]:
    if not isinstance(template, dict) or not isinstance(template.get("name"), str):
        raise BadRequest('template: an object like {"name", "language", "parameters"}')
    parameters = template.get("parameters") or []
    if not isinstance(parameters, list | dict):
        raise BadRequest("template.parameters: a list (or an object for named parameters)")
    clean = {
        "name": template["name"],
        "language": str(template.get("language") or "it"),
        "parameters": parameters,
    }
    header = template.get("header")
    if header is not None:  # a media header {"type", "media_id" or "link"}, or a text one
        kinds = ("image", "video", "document", "text")
        if not isinstance(header, dict) or header.get("type") not in kinds:
            raise BadRequest(
                "template.header: {type: image|video|document, media_id or link}"
                " or {type: text, text, name (for a named variable)}"
            )
        keys = (
            ("type", "text", "name") if header["type"] == "text" else ("type", "media_id", "link")
        )
        clean["header"] = {k: str(header[k]) for k in keys if header.get(k)}
    try:
        kind, value = template_message(clean)
        validate_message(messages.envelope(_PROBE_NUMBER, kind, value))
    except BadRequest as err:
        raise BadRequest(f"template: {err.message}") from err
    return clean


def part_message(part: dict[str, Any]) -> tuple[str, Any]:
    """A content part as the client's ``(kind, content)`` message."""
    kind = part["type"]
    if kind == "text":
        text = str(part["text"])
        return messages.text(text, preview_url="http://" in text or "https://" in text)
    if kind == "location":
        return messages.location(
            part["latitude"],
            part["longitude"],
            name=str(part.get("name") or ""),
            address=str(part.get("address") or ""),
        )
    return messages.media(
        Media(
            kind=kind,
            id=part.get("media_id") or None,
            link=part.get("link") or None,
            caption=(part.get("caption") or None) if kind != "audio" else None,
            filename=(part.get("filename") or None) if kind == "document" else None,
        )
    )


def template_message(template: dict[str, Any]) -> tuple[str, Any]:
    """The campaign's template as the client's ``(kind, content)`` message."""
    parameters = template.get("parameters") or []
    body = (
        {str(k): str(v) for k, v in parameters.items()}
        if isinstance(parameters, dict)
        else [str(v) for v in parameters]
    )
    header = template.get("header")
    value: Media | str | dict[str, str] | None = None
    if header and header["type"] == "text":
        text = str(header.get("text") or "")
        value = {str(header["name"]): text} if header.get("name") else text
    elif header:
        value = Media(kind=header["type"], id=header.get("media_id"), link=header.get("link"))
    return messages.template(
        template["name"], template.get("language") or "it", body=body, header=value
    )


def loads(text: str | None, default: Any) -> Any:
    """JSON column to value."""
    return json.loads(text) if text else default
