"""The REST API's core routes: who am I, health, audit log and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from quart import current_app, jsonify

from appliance.accounts.auditlog import AuditFilter, query_audit
from appliance.core import audit
from appliance.core.health import overall
from appliance.lan.access import requires
from appliance.lan.api import (
    api_blueprint,
    operation,
    page_answer,
    page_query,
    page_schema,
    query_args,
)
from appliance.lan.auth import principal, the_appliance

bp = api_blueprint("api", __name__)

CHECK_SCHEMA = {
    "type": "object",
    "required": ["key", "status", "title", "value", "explanation"],
    "properties": {
        "key": {"type": "string"},
        "status": {"type": "string", "enum": ["ok", "warn", "error", "unknown"]},
        "title": {"type": "string"},
        "value": {"type": "string"},
        "explanation": {"type": "string"},
    },
}
HEALTH_SCHEMA = {
    "type": "object",
    "required": ["status", "checks"],
    "properties": {
        "status": {"type": "string", "enum": ["ok", "warn", "error", "unknown"]},
        "checks": {"type": "array", "items": CHECK_SCHEMA},
    },
}
ME_SCHEMA = {
    "type": "object",
    "required": ["kind", "name", "role"],
    "properties": {
        "kind": {"type": "string", "enum": ["user", "token"]},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["admin", "operator", "editor", "viewer"]},
    },
}
AUDIT_ENTRY = {
    "type": "object",
    "required": ["id", "at", "actor", "action", "target", "detail", "address"],
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string"},
        "actor": {"type": "string"},
        "action": {"type": "string"},
        "target": {"type": "string"},
        "detail": {"type": "string"},
        "address": {"type": "string"},
    },
}
AUDIT_SCHEMA = page_schema("entries", AUDIT_ENTRY)
AUDIT_QUERY = {
    "action": {"type": "string", "maxLength": 100},
    "actor": {"type": "string", "maxLength": 100},
    "since": {"type": "string", "format": "date"},
    "until": {"type": "string", "format": "date"},
    **page_query(50, most=500),
}


@bp.get("/me")
@requires("viewer")
@operation("The user or token making the request", ME_SCHEMA)
async def me() -> Any:
    """Who the API sees (handy to check a token)."""
    who = principal()
    assert who is not None  # guaranteed by @requires
    return jsonify({"kind": who.kind, "name": who.name, "role": who.role})


@bp.get("/health")
@requires("viewer")
@operation("Health of the appliance, as on the dashboard", HEALTH_SCHEMA)
async def health() -> Any:
    """Every check and the worst status."""
    checks = await the_appliance().health.snapshot()
    return jsonify(
        {
            "status": overall([c.status for c in checks]),
            "checks": [
                {
                    "key": c.key,
                    "status": c.status,
                    "title": c.title,
                    "value": c.value,
                    "explanation": c.explanation,
                }
                for c in checks
            ],
        }
    )


@bp.get("/audit")
@requires("viewer")
@operation("The audit log, newest first", AUDIT_SCHEMA, query=AUDIT_QUERY)
async def audit_log() -> Any:
    """One page of the audit log (since/until are local dates, inclusive)."""
    args = query_args()
    flt = AuditFilter(args["action"] or "", args["actor"] or "", args["since"], args["until"])
    rows, more = await query_audit(the_appliance().db, flt, args["page"], args["per_page"])
    # Details stored as a key and values are worded, in Italian as the log's source text.
    entries = [{**dict(r), "detail": str(audit.describe(r["detail"]))} for r in rows]
    return page_answer("entries", entries, more)


@bp.get("/openapi.json")
@requires("viewer")
@operation("This document (OpenAPI 3.1)", {"type": "object"})
async def openapi() -> Any:
    """The OpenAPI document built from the real routes at start."""
    return jsonify(current_app.extensions["admin.openapi"])
