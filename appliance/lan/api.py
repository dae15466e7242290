"""The REST API's plumbing: route descriptions, query validation and the OpenAPI document."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from quart import Blueprint, Response, current_app, jsonify, request

from appliance import __version__
from appliance.core.db.ids import MAX_ROWID
from appliance.core.errors import BadRequest
from appliance.lan.access import ANYONE, required_role

if TYPE_CHECKING:
    from quart import Quart

    from appliance.core.db import Database

API_PREFIX = "/api/v1"
F = TypeVar("F", bound=Callable[..., Any])
_ATTRIBUTE = "__openapi__"
_IGNORED_METHODS = {"HEAD", "OPTIONS"}
_CONVERTERS = {
    "integer": {"type": "integer", "minimum": 0, "maximum": MAX_ROWID},
    "default": {"type": "string"},
}
_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint whose routes live under /api/v1; register it with ``add_pages``."""
    return Blueprint(name, import_name, url_prefix=API_PREFIX)


def operation(
    summary: str,
    response: dict[str, Any],
    *,
    status: int = 200,
    query: dict[str, dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    tag: str = "core",
) -> Callable[[F], F]:
    """Describe an API view for the OpenAPI document (query: name -> JSON schema)."""
    spec = {
        "summary": summary,
        "response": response,
        "status": status,
        "query": query or {},
        "body": body,
        "tag": tag,
    }

    def mark(view: F) -> F:
        setattr(view, _ATTRIBUTE, spec)
        return view

    return mark


def query_args() -> dict[str, Any]:
    """The current request's query parameters, checked and converted by the view's description."""
    spec = getattr(current_app.view_functions[request.endpoint], _ATTRIBUTE)
    declared = spec["query"]
    unknown = set(request.args) - set(declared)
    if unknown:
        raise BadRequest(f"unknown query parameter: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, schema in declared.items():
        raw = request.args.getlist(name)
        if len(raw) > 1:
            raise BadRequest(f"{name}: give it once")
        values[name] = _convert(name, raw[0], schema) if raw else schema.get("default")
    return values


def page_query(per_page: int, most: int) -> dict[str, dict[str, Any]]:
    """The ``page`` and ``per_page`` query parameters of a list read a page at a time."""
    return {
        "page": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": most, "default": per_page},
    }


def page_schema(key: str, item: dict[str, Any]) -> dict[str, Any]:
    """A page of a list: its items under ``key``, the page number and whether more follow."""
    return {
        "type": "object",
        "required": [key, "page", "has_more"],
        "properties": {
            key: {"type": "array", "items": item},
            "page": {"type": "integer"},
            "has_more": {"type": "boolean"},
        },
    }


async def fetch_page(
    db: Database, sql: str, params: Sequence[Any], page: int, per_page: int
) -> tuple[list[Any], bool]:
    """One page of the rows of ``sql`` (ordered by the caller) and whether more follow."""
    rows = await db.fetchall(
        sql + " LIMIT ? OFFSET ?", [*params, per_page + 1, (page - 1) * per_page]
    )
    return rows[:per_page], len(rows) > per_page


def page_answer(key: str, items: list[Any], more: bool) -> Response:
    """The JSON answer of a paged list, for the page the request asked for."""
    return jsonify({key: items, "page": query_args()["page"], "has_more": more})


def _convert(name: str, raw: str, schema: dict[str, Any]) -> Any:
    if schema["type"] == "integer":
        # int() would also take " 1", "1_0" or other scripts' digits; JSON Schema does not.
        if not _INTEGER.fullmatch(raw):
            raise BadRequest(f"{name}: expected a whole number")
        value: Any = int(raw)
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            raise BadRequest(f"{name}: between {schema['minimum']} and {schema['maximum']}")
        return value
    if len(raw) > schema.get("maxLength", len(raw)):
        raise BadRequest(f"{name}: at most {schema['maxLength']} characters")
    if "enum" in schema and raw not in schema["enum"]:
        raise BadRequest(f"{name}: one of {', '.join(schema['enum'])}")
    if schema.get("format") == "date":
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            raise BadRequest(f"{name}: expected a date like 2025-01-31") from None
    return raw


def openapi_document(app: Quart) -> dict[str, Any]:
    """OpenAPI 3.1 built from the real /api/v1 routes; a route without a description fails."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        spec = getattr(view, _ATTRIBUTE, None)
        if spec is None:
            raise RuntimeError(f"API route {rule.rule} has no @operation description")
        path = _PARAM.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - _IGNORED_METHODS):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Banditore REST API",
            "version": __version__,
            "description": "JSON over the LAN listener; errors are "
            '{"error": {"code", "message"}}. Authenticate with "Authorization: Bearer TOKEN".',
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


def _operation(rule: Any, view: Callable[..., Any], spec: dict[str, Any]) -> dict[str, Any]:
    error = {
        "description": "Error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _CONVERTERS.get(type(converter).__name__.removesuffix("Converter").lower())
            or _CONVERTERS["default"],
        }
        for name, converter in rule._converters.items()
    ]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": schema}
        for name, schema in spec["query"].items()
    ]
    role = required_role(view)
    result: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_"),
        "summary": spec["summary"],
        "tags": [spec["tag"]],
        "x-required-role": role or "none",
        "parameters": parameters,
        "responses": {
            str(spec["status"]): {
                "description": "Success",
                "content": {"application/json": {"schema": spec["response"]}},
            },
            "400": error,
            "default": error,
        },
    }
    if role is not ANYONE:
        result["responses"].update({"401": error, "403": error})
    else:
        result["security"] = []
    if spec["body"] is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": spec["body"]}},
        }
    return result
