"""First run: create the first admin with the one-time code from install.sh or setup-code."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request, session

from appliance.accounts import setupcode
from appliance.accounts.users import check_new_account, hash_password, insert_user
from appliance.core import audit
from appliance.core.errors import BadRequest
from appliance.lan.access import ANYONE, requires
from appliance.lan.auth import client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext
from appliance.lan.sessions import open_session

bp = Blueprint("setup", __name__)

# Why a code was refused, in words the technician can act on (Italian source text).
REFUSALS = {
    "wrong": "Codice di configurazione errato.",
    "used": "Questo codice è già stato usato.",
    "expired": "Il codice è scaduto. Chiedine uno nuovo sul dispositivo con «sudo appliance "
    "setup-code», oppure crea l'amministratore con «appliance user add».",
    "exhausted": "Troppi tentativi errati: il codice non vale più. Chiedine uno nuovo sul "
    "dispositivo con «sudo appliance setup-code».",
    "none": "Nessun codice è stato emesso: chiedine uno sul dispositivo con «sudo appliance "
    "setup-code».",
}


@bp.get("/setup")
@requires(ANYONE)
async def setup_form() -> Any:
    """The first-run form, only while no account exists."""
    if not await setupcode.needs_setup(the_appliance().db):
        return redirect("/login", 303)
    return await page("setup.html")


@bp.post("/setup")
@requires(ANYONE)
async def setup() -> Any:
    """Spend the code and create the first admin in one transaction, then log in."""
    db = the_appliance().db
    form = await request.form
    code = form.get("code", "")
    username = form.get("username", "").strip()
    password = form.get("password", "")
    address = client_address()
    if not await setupcode.needs_setup(db):
        await flash(gettext("Il sistema è già configurato: accedi con il tuo account."), "info")
        return redirect("/login", 303)
    errors: dict[str, str] = {}
    try:
        check_new_account(username, password, "admin")
    except BadRequest as err:
        field = err.message.split(":")[0]
        errors[field] = (
            gettext("Da 2 a 40 caratteri: lettere, cifre, punto, trattino o trattino basso.")
            if field == "username"
            else gettext("Almeno 10 caratteri.")
        )
    if password != form.get("password2", ""):
        errors["password2"] = gettext("Le due password non coincidono.")
    if errors:
        return await page("setup.html", 400, errors=errors, username=username)
    hashed = await hash_password(password)

    async def job(conn: Any) -> tuple[str, str]:
        if await conn.execute_fetchall("SELECT 1 FROM users LIMIT 1"):
            return "used", ""
        status = await setupcode.spend(conn, code)
        if status != "ok":
            await audit.record_in(conn, "anonymous", "setup.failed", "", REFUSALS[status], address)
            return status, ""
        user_id = await insert_user(conn, username, hashed, "admin")
        await audit.record_in(conn, username, "setup.completed", username, "", address)
        return status, await open_session(conn, user_id, address)

    status, session_id = await db.write(job)
    if status != "ok":
        error = gettext(REFUSALS[status])
        return await page("setup.html", 403, error=error, username=username)
    session.clear()
    session["sid"] = session_id
    session.permanent = True
    await flash(gettext("Benvenuto! L'account amministratore è stato creato."), "success")
    return redirect("/", 303)
