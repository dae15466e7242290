"""Settings > API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request

from appliance.accounts.pages.users import role_options
from appliance.core.errors import BadRequest, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.lan.tokens import create_token, list_tokens, revoke_token

bp = Blueprint("tokens", __name__, url_prefix="/settings/tokens")


async def _list_page(status: int = 200, **context: Any) -> Any:
    tokens = await list_tokens(the_appliance().db)
    return await page(
        "settings/tokens.html", status, tokens=tokens, role_options=role_options(), **context
    )


@bp.get("")
@requires("admin")
async def index() -> Any:
    """Every token (never the secret) and the form for a new one."""
    return await _list_page()


@bp.post("")
@requires("admin")
async def create() -> Any:
    """Create a token and show it this once."""
    form = await request.form
    name, role = form.get("name", ""), form.get("role", "")
    try:
        token = await create_token(the_appliance().db, name, role, actor(), client_address())
    except BadRequest:
        error = gettext("Indica un nome (1-80 caratteri) e un ruolo dell'elenco.")
        return await _list_page(400, error=error, new={"name": name, "role": role})
    return await page("settings/token_created.html", 201, token=token, name=name.strip())


@bp.post("/<int:token_id>/revoke")
@requires("admin")
async def revoke(token_id: int) -> Any:
    """Revoke a token at once."""
    try:
        await revoke_token(the_appliance().db, token_id, actor(), client_address())
    except NotFound:
        await flash(gettext("Token non trovato o già revocato."), "error")
    else:
        await flash(gettext("Token revocato."), "success")
    return redirect("/settings/tokens", 303)
