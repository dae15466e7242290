"""Who is asking, and may they: every LAN request passes ``guard`` before its view runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quart import current_app, g, request, session

from appliance.core import audit
from appliance.core.errors import Forbidden, Unauthorized
from appliance.lan.access import ANYONE, Principal, required_role
from appliance.lan.api import API_PREFIX
from appliance.lan.i18n import pick_language
from appliance.lan.security import UNSAFE_METHODS, check_host, check_same_origin, client_allowed
from appliance.lan.sessions import session_user
from appliance.lan.tokens import token_principal_row

if TYPE_CHECKING:
    from appliance.core.context import Appliance

LANGUAGE_COOKIE = "lang"
# Endpoints Quart adds itself; static files (CSS, JS) are needed by the login page.
_OPEN_ENDPOINTS = {"static"}


def the_appliance() -> Appliance:
    """The appliance this LAN app belongs to."""
    return current_app.extensions["appliance"]


def client_address() -> str:
    """The client's IP address as the socket saw it."""
    return request.remote_addr or ""


def principal() -> Principal | None:
    """The authenticated staff member or token of this request, if any."""
    return g.get("principal")


def actor() -> str:
    """How the audit log names whoever makes this request."""
    who = principal()
    if who is None:
        return "anonymous"
    return who.name if who.kind == "user" else f"token:{who.name}"


async def record_change(action: str, target: str = "", detail: str = "") -> None:
    """Write the audit row of a change the current request made (who, from where)."""
    await audit.record(the_appliance().db, actor(), action, target, detail, client_address())


def _bearer() -> str | None:
    """The bearer token of an API request, or None when it carries none."""
    header = request.headers.get("Authorization")
    if header is None or not request.path.startswith(API_PREFIX + "/"):
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("expected Authorization: Bearer TOKEN")
    return token.strip()


async def guard() -> None:
    """Host and client allow-lists, CSRF, authentication and the view's role, in that order."""
    check_host(current_app.extensions["admin.hosts"])
    if not client_allowed(client_address(), current_app.extensions["admin.networks"]):
        raise Forbidden("this address is not allowed to use the appliance")
    db = the_appliance().db
    token = _bearer()
    who: Principal | None = None
    if token is not None:
        row = await token_principal_row(db, token)
        if row is None:
            raise Unauthorized("unknown or revoked API token")
        who = Principal("token", row["id"], row["name"], row["role"])
    else:
        if request.method in UNSAFE_METHODS:
            check_same_origin()
        session_id = session.get("sid")
        row = await session_user(db, session_id) if session_id else None
        if row is not None:
            who = Principal("user", row["id"], row["username"], row["role"], row["language"])
    g.principal = who
    g.lang = pick_language(
        who.language if who and who.kind == "user" else None,
        request.cookies.get(LANGUAGE_COOKIE),
    )
    if request.endpoint is None or request.endpoint in _OPEN_ENDPOINTS:
        return  # routing answers 404/405 itself
    role = required_role(current_app.view_functions[request.endpoint])
    if role is ANYONE:
        return
    if who is None:
        raise Unauthorized("login required" if token is None else "unknown token")
    if not who.can(role):
        raise Forbidden(f"this needs the {role} role")
