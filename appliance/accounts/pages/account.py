"""My account: every staff member changes their own password here."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request, session

from appliance.accounts.users import MIN_PASSWORD, authenticate, hash_password
from appliance.core import audit
from appliance.lan.access import requires
from appliance.lan.auth import client_address, principal, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.lan.sessions import close_user_sessions, open_session

bp = Blueprint("account", __name__)


@bp.get("/account")
@requires("viewer")
async def index() -> Any:
    """The account page."""
    return await page("account.html", min_password=MIN_PASSWORD)


@bp.post("/account/password")
@requires("viewer")
async def change_password() -> Any:
    """Change my password: other sessions of mine end, this one goes on."""
    db = the_appliance().db
    who = principal()
    assert who is not None  # guaranteed by @requires
    form = await request.form
    new = form.get("new_password", "")
    errors: dict[str, str] = {}
    if await authenticate(db, who.name, form.get("current_password", "")) is None:
        errors["current_password"] = gettext("La password attuale non è corretta.")
    if len(new) < MIN_PASSWORD:
        errors["new_password"] = gettext("Almeno 10 caratteri.")
    elif new != form.get("new_password2", ""):
        errors["new_password2"] = gettext("Le due password non coincidono.")
    if errors:
        return await page("account.html", 400, min_password=MIN_PASSWORD, errors=errors)
    hashed = await hash_password(new)
    address = client_address()

    async def job(conn: Any) -> str:
        await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hashed, who.id))
        await close_user_sessions(conn, who.id)
        await audit.record_in(
            conn, who.name, "user.password", who.name, audit.detail("own_password"), address
        )
        return await open_session(conn, who.id, address)

    session["sid"] = await db.write(job)
    await flash(gettext("Password cambiata."), "success")
    return redirect("/account", 303)
