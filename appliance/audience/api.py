"""REST core for subscribers: GET /api/v1/subscribers and GET /api/v1/subscribers/{id}."""

from __future__ import annotations

from typing import Any

from quart import jsonify

from appliance.audience.listing import SearchFilter, public_view, search
from appliance.audience.store import AUDIENCE
from appliance.lan.access import requires
from appliance.lan.api import (
    api_blueprint,
    operation,
    page_answer,
    page_query,
    page_schema,
    query_args,
)
from appliance.lan.auth import the_appliance

bp = api_blueprint("subscribers_api", __name__)

STATUSES = ["pending", "active", "unsubscribed", "erased"]
SUBSCRIBER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["wa_id", "user_id", "status", "language", "topics", "answers", "subscribed_at"],
    "properties": {
        "wa_id": {"type": ["string", "null"]},
        "user_id": {"type": ["string", "null"]},
        "status": {"type": "string", "enum": STATUSES},
        "language": {"type": "string"},
        "topics": {"type": "array", "items": {"type": "string"}},
        "answers": {"type": "object"},
        "subscribed_at": {"type": ["string", "null"]},
    },
}
LIST_SCHEMA = page_schema("subscribers", SUBSCRIBER_SCHEMA)
LIST_QUERY = {
    "status": {"type": "string", "enum": STATUSES},
    "topic": {"type": "string", "maxLength": 100},
    **page_query(100, most=500),
}


@bp.get("/subscribers")
@requires("viewer")
@operation("Subscribers, newest first (filter by status and topic)", LIST_SCHEMA, query=LIST_QUERY)
async def list_subscribers() -> Any:
    """One page of subscribers."""
    args = query_args()
    appliance = the_appliance()
    audience = appliance.parts[AUDIENCE]
    flt = SearchFilter(status=args["status"] or "", topic=args["topic"] or "")
    rows, more = await search(appliance.db, flt, args["page"], args["per_page"])
    return page_answer("subscribers", [await public_view(audience, r) for r in rows], more)


@bp.get("/subscribers/<id>")
@requires("viewer")
@operation("One subscriber by wa_id or user_id", SUBSCRIBER_SCHEMA)
async def show_subscriber(id: str) -> Any:  # noqa: A002 - the path names it {id} (DESIGN.md 5)
    """A subscriber with topics and answers."""
    audience = the_appliance().parts[AUDIENCE]
    return jsonify(await public_view(audience, await audience.by_identifier(id)))
