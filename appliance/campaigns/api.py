"""REST core for campaigns (DESIGN.md §5): create, send, pause, resume, cancel, status, recipients."""

from __future__ import annotations

from typing import Any

from quart import jsonify, request

from appliance.campaigns.engine import CAMPAIGNS, Campaigns
from appliance.campaigns.model import PART_TYPES, ROW_RANK, STATUSES, parse_campaign
from appliance.core.errors import BadRequest
from appliance.lan.access import requires
from appliance.lan.api import (
    api_blueprint,
    operation,
    page_answer,
    page_query,
    page_schema,
    query_args,
)
from appliance.lan.auth import actor, client_address, the_appliance

bp = api_blueprint("campaigns_api", __name__)

_TIME = {"type": ["string", "null"], "description": "ISO 8601 with time zone"}
PART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": list(PART_TYPES)},
        "text": {"type": "string", "maxLength": 4096},
        "media_id": {"type": "string"},
        "link": {"type": "string"},
        "caption": {"type": "string", "maxLength": 1024},
        "filename": {"type": "string"},
        "latitude": {"type": ["number", "string"]},
        "longitude": {"type": ["number", "string"]},
        "name": {"type": "string"},
        "address": {"type": "string"},
    },
}
TEMPLATE_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "language": {"type": "string"},
        "parameters": {"type": ["array", "object"]},
    },
}
CREATE_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "audience": {
            "type": "object",
            "description": "empty: every active subscriber",
            "properties": {
                "topics": {"type": "array", "items": {"type": "string"}},
                "segment_id": {"type": ["integer", "null"]},
            },
        },
        "content": {"type": "array", "items": PART_SCHEMA, "maxItems": 10},
        "template": TEMPLATE_SCHEMA,
        "category": {"type": "string", "enum": ["UTILITY", "MARKETING"]},
        "send_at": _TIME,
        "expires_at": _TIME,
    },
}
CREATED_SCHEMA = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": ["draft"]}},
}
STATUS_SCHEMA = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {"id": {"type": "integer"}, "status": {"type": "string", "enum": list(STATUSES)}},
}
COUNTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["queued", "sent", "delivered", "read", "failed"],
    "properties": {
        **{
            key: {"type": "integer"}
            for key in (
                "queued",
                "sent",
                "delivered",
                "read",
                "failed",
                "needs_template",
                "skipped",
                "expired",
                "cancelled",
            )
        },
        "failed_by_code": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}
CAMPAIGN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "status", "counts"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "kind": {"type": "string", "enum": ["campaign", "emergency"]},
        "category": {"type": "string"},
        "audience": {"type": "object"},
        "content": {"type": "array"},
        "template": {"type": ["object", "null"]},
        "send_at": _TIME,
        "expires_at": _TIME,
        "recipients": {"type": "integer"},
        "paused_reason": {"type": "string"},
        "created_at": _TIME,
        "started_at": _TIME,
        "finished_at": _TIME,
        "counts": COUNTS_SCHEMA,
    },
}
LIST_SCHEMA = {
    "type": "object",
    "required": ["campaigns"],
    "properties": {"campaigns": {"type": "array", "items": STATUS_SCHEMA}},
}
RECIPIENT_SCHEMA = {
    "type": "object",
    "required": ["part", "status"],
    "properties": {
        "subscriber_id": {"type": ["integer", "null"]},
        "wa_id": {"type": ["string", "null"]},
        "user_id": {"type": ["string", "null"]},
        "part": {"type": ["integer", "string"]},
        "status": {"type": "string", "enum": list(ROW_RANK)},
        "error_code": {"type": ["integer", "null"]},
        "error_detail": {"type": "string"},
        "wamid": {"type": ["string", "null"]},
        "updated_at": _TIME,
    },
}
RECIPIENTS_SCHEMA = page_schema("recipients", RECIPIENT_SCHEMA)
RECIPIENTS_QUERY = {
    "status": {"type": "string", "enum": list(ROW_RANK)},
    **page_query(100, most=1000),
}
PREFLIGHT_SCHEMA = {
    "type": "object",
    "required": ["recipients", "template_recipients", "limit", "exceeds"],
    "properties": {
        "recipients": {"type": "integer"},
        "template_recipients": {"type": "integer"},
        "limit": {"type": "integer", "description": "0: unlimited"},
        "used_24h": {"type": "integer"},
        "available": {"type": ["integer", "null"]},
        "exceeds": {"type": "boolean"},
        "days": {"type": "integer"},
    },
}
SEND_BODY = {
    "type": "object",
    "properties": {
        "spread": {
            "type": "boolean",
            "description": "over the daily messaging limit: continue over the next days",
        }
    },
}


def _campaigns() -> Campaigns:
    return the_appliance().parts[CAMPAIGNS]


async def _json_body(optional: bool = False) -> Any:
    body = await request.get_json(force=True, silent=True)
    if body is None and not optional:
        raise BadRequest("expected a JSON body")
    return body


@bp.post("/campaigns")
@requires("editor")
@operation("Create a campaign (a draft)", CREATED_SCHEMA, status=201, body=CREATE_BODY)
async def create() -> Any:
    """Check and store a draft; preparing needs the editor role, sending the operator role."""
    spec = parse_campaign(await _json_body())
    campaign_id = await _campaigns().create(spec, actor(), client_address())
    return jsonify({"id": campaign_id, "status": "draft"}), 201


@bp.get("/campaigns")
@requires("viewer")
@operation(
    "Campaigns, newest first",
    LIST_SCHEMA,
    query={"status": {"type": "string", "enum": list(STATUSES)}},
)
async def list_campaigns() -> Any:
    """Id, name and status of the last 500 campaigns."""
    status = query_args()["status"]
    sql = "SELECT id, name, status FROM campaigns"
    rows = await the_appliance().db.fetchall(
        sql + (" WHERE status = ?" if status else "") + " ORDER BY id DESC LIMIT 500",
        (status,) if status else (),
    )
    return jsonify({"campaigns": [dict(r) for r in rows]})


@bp.get("/campaigns/<int:campaign_id>")
@requires("viewer")
@operation("A campaign with its status and counts", CAMPAIGN_SCHEMA)
async def show(campaign_id: int) -> Any:
    """Status and counts (sent, delivered and read are cumulative)."""
    return jsonify(await _campaigns().describe(campaign_id))


@bp.get("/campaigns/<int:campaign_id>/recipients")
@requires("viewer")
@operation("Per-recipient statuses", RECIPIENTS_SCHEMA, query=RECIPIENTS_QUERY)
async def recipients(campaign_id: int) -> Any:
    """One row per recipient and part, in queue order."""
    args = query_args()
    entries, more = await _campaigns().recipients(
        campaign_id, args["page"], args["per_page"], args["status"]
    )
    return page_answer("recipients", entries, more)


@bp.get("/campaigns/<int:campaign_id>/preflight")
@requires("viewer")
@operation("What sending would do to the daily messaging limit", PREFLIGHT_SCHEMA)
async def preflight(campaign_id: int) -> Any:
    """Recipients now, new template recipients, the limit and what is left of it."""
    return jsonify((await _campaigns().preflight(campaign_id)).as_dict())


@bp.post("/campaigns/<int:campaign_id>/send")
@requires("operator")
@operation("Send now, or at send_at", STATUS_SCHEMA, body=SEND_BODY)
async def send(campaign_id: int) -> Any:
    """Start (or schedule) a draft; 409 when it would exceed the daily limit without spread."""
    body = await _json_body(optional=True) or {}
    if not isinstance(body, dict) or not isinstance(body.get("spread", False), bool):
        raise BadRequest('expected {"spread": true|false} or no body')
    status = await _campaigns().send(
        campaign_id, actor(), client_address(), spread=body.get("spread", False)
    )
    return jsonify({"id": campaign_id, "status": status})


@bp.post("/campaigns/<int:campaign_id>/pause")
@requires("operator")
@operation("Pause a sending or scheduled campaign", STATUS_SCHEMA)
async def pause(campaign_id: int) -> Any:
    """Takes effect within a second; requests already out finish."""
    status = await _campaigns().pause(campaign_id, actor(), client_address())
    return jsonify({"id": campaign_id, "status": status})


@bp.post("/campaigns/<int:campaign_id>/resume")
@requires("operator")
@operation("Resume a paused campaign", STATUS_SCHEMA)
async def resume(campaign_id: int) -> Any:
    """Continue where it stopped."""
    status = await _campaigns().resume(campaign_id, actor(), client_address())
    return jsonify({"id": campaign_id, "status": status})


@bp.post("/campaigns/<int:campaign_id>/cancel")
@requires("operator")
@operation("Cancel a campaign: nothing more is sent", STATUS_SCHEMA)
async def cancel(campaign_id: int) -> Any:
    """Final: what is not sent yet is dropped."""
    status = await _campaigns().cancel(campaign_id, actor(), client_address())
    return jsonify({"id": campaign_id, "status": status})
