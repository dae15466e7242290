"""Login, logout and the language switch."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, current_app, redirect, request, session

from appliance.accounts.setupcode import needs_setup
from appliance.accounts.throttle import LoginThrottle
from appliance.accounts.users import authenticate
from appliance.core import audit
from appliance.lan.access import ANYONE, requires
from appliance.lan.auth import LANGUAGE_COOKIE, client_address, principal, the_appliance
from appliance.lan.forms import page, safe_next
from appliance.lan.i18n import LANGUAGES, gettext
from appliance.lan.sessions import close_session, open_session

bp = Blueprint("auth", __name__)
MAX_NAME = 100


@bp.get("/login")
@requires(ANYONE)
async def login_form() -> Any:
    """The login page (or the first-run page while no account exists)."""
    if await needs_setup(the_appliance().db):
        return redirect("/setup", 303)
    if principal() is not None:
        return redirect(safe_next(request.args.get("next")), 303)
    return await page("login.html", next=safe_next(request.args.get("next")))


@bp.post("/login")
@requires(ANYONE)
async def login() -> Any:
    """Check the password; failures slow down further attempts, they never lock anyone out."""
    db = the_appliance().db
    form = await request.form
    username = form.get("username", "").strip()[:MAX_NAME]
    password = form.get("password", "")
    target = safe_next(form.get("next"))
    address = client_address()
    throttle = LoginThrottle(db, current_app.extensions["admin.login_slots"])
    wait = await throttle.reserve(username, address)
    if wait:
        error = gettext("Troppi tentativi errati: riprova tra {seconds} secondi.", seconds=wait)
        return await page("login.html", 429, next=target, username=username, error=error)
    if not await throttle.verify_slot():
        error = gettext("Troppi accessi in corso: riprova tra qualche secondo.")
        return await page("login.html", 429, next=target, username=username, error=error)
    try:
        user = await authenticate(db, username, password) if username and password else None
    finally:
        throttle.release_slot()
    if user is None:
        await throttle.failed(username, address)
        await audit.record(db, "anonymous", "login.failed", username, "", address)
        error = gettext("Nome utente o password non corretti.")
        return await page("login.html", 401, next=target, username=username, error=error)
    await throttle.succeeded(username, address)

    async def job(conn: Any) -> str:
        await audit.record_in(conn, user["username"], "login", user["username"], "", address)
        return await open_session(conn, user["id"], address)

    session.clear()
    session["sid"] = await db.write(job)
    session.permanent = True
    return redirect(target, 303)


@bp.post("/logout")
@requires("viewer")
async def logout() -> Response:
    """End this session."""
    db = the_appliance().db
    who = principal()
    await close_session(db, session["sid"])
    if who is not None:
        await audit.record(db, who.name, "logout", who.name, "", client_address())
    session.clear()
    return redirect("/login", 303)


@bp.post("/language")
@requires(ANYONE)
async def language() -> Response:
    """Switch the interface language (remembered for the account when logged in)."""
    form = await request.form
    chosen = form.get("language", "")
    response = redirect(safe_next(form.get("next")), 303)
    if chosen not in LANGUAGES:
        return response
    who = principal()
    if who is not None and who.kind == "user":
        await the_appliance().db.execute(
            "UPDATE users SET language = ? WHERE id = ?", (chosen, who.id)
        )
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.scheme == "https",
    )
    return response
