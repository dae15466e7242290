"""Settings > users: create accounts, change roles, reset passwords, disable and enable."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request

from appliance.accounts.users import (
    MIN_PASSWORD,
    check_new_account,
    check_password,
    ensure_other_admin,
    get_user,
    hash_password,
    insert_user,
    list_users,
)
from appliance.core import audit
from appliance.core.errors import BadRequest, Conflict
from appliance.lan.access import ROLES, check_role, requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import LANGUAGES, gettext
from appliance.lan.sessions import close_user_sessions

bp = Blueprint("users", __name__, url_prefix="/settings/users")

ROLE_LABELS = {
    "admin": "Amministratore: tutto, comprese le impostazioni",
    "operator": "Operatore: prepara e invia",
    "editor": "Redattore: prepara, non invia né approva",
    "viewer": "Lettore: solo consultazione (es. RPD, integrazioni)",
}
# What each change says when it worked (Italian source text).
DONE = {
    "role": "Ruolo di «{name}» aggiornato.",
    "disable": "Account «{name}» disattivato.",
    "enable": "Account «{name}» riattivato.",
    "password": "Password di «{name}» cambiata.",
}
_FIELD_ERRORS = {
    "username": "Da 2 a 40 caratteri: lettere, cifre, punto, trattino o trattino basso.",
    "password": "Almeno 10 caratteri.",
    "role": "Scegli un ruolo dell'elenco.",
}


def role_options() -> list[tuple[str, str]]:
    """Each role with its explanation, for a select."""
    return [(role, gettext(ROLE_LABELS[role])) for role in ROLES]


async def _list_page(status: int = 200, **context: Any) -> Any:
    users = await list_users(the_appliance().db)
    return await page(
        "settings/users.html",
        status,
        users=users,
        roles=ROLES,
        role_options=role_options(),
        min_password=MIN_PASSWORD,
        **context,
    )


@bp.get("")
@requires("admin")
async def index() -> Any:
    """Every account with its role and state, and the form for a new one."""
    return await _list_page()


@bp.post("")
@requires("admin")
async def create() -> Any:
    """Create an account."""
    form = await request.form
    username, password = form.get("username", "").strip(), form.get("password", "")
    role = form.get("role", "")
    language = form.get("language", "it") if form.get("language") in LANGUAGES else "it"
    try:
        check_new_account(username, password, role)
    except BadRequest as err:
        field = err.message.split(":")[0]
        errors = {field: gettext(_FIELD_ERRORS.get(field, err.message))}
        return await _list_page(400, errors=errors, new={"username": username, "role": role})
    hashed = await hash_password(password)
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await insert_user(conn, username, hashed, role, language)
        await audit.record_in(
            conn,
            who,
            "user.created",
            username,
            audit.detail("role", role_words=audit.ROLE_NAMES[role]),
            address,
        )

    try:
        await the_appliance().db.write(job)
    except Conflict:
        errors = {"username": gettext("Esiste già un account con questo nome.")}
        return await _list_page(400, errors=errors, new={"username": username, "role": role})
    await flash(gettext("Account «{name}» creato.", name=username), "success")
    return redirect("/settings/users", 303)


async def _change(user_id: int, change: str, value: str = "") -> str:
    """Apply one change to an account in one transaction with its audit row."""
    who, address = actor(), client_address()
    hashed = await hash_password(value) if change == "password" else ""

    async def job(conn: Any) -> str:
        user = await get_user(conn, user_id)
        name = user["username"]
        if change == "role":
            if user["role"] == "admin" and value != "admin":
                await ensure_other_admin(conn, user_id)
            await conn.execute("UPDATE users SET role = ? WHERE id = ?", (value, user_id))
            detail = audit.detail(
                "role_changed",
                old_words=audit.ROLE_NAMES[user["role"]],
                new_words=audit.ROLE_NAMES[value],
            )
        elif change == "disable":
            if user["role"] == "admin":
                await ensure_other_admin(conn, user_id)
            await conn.execute("UPDATE users SET disabled = 1 WHERE id = ?", (user_id,))
            await close_user_sessions(conn, user_id)
            detail = ""
        elif change == "enable":
            await conn.execute("UPDATE users SET disabled = 0 WHERE id = ?", (user_id,))
            detail = ""
        else:
            await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (hashed, user_id))
            await close_user_sessions(conn, user_id)
            detail = ""
        await audit.record_in(conn, who, f"user.{change}", name, detail, address)
        return name

    return await the_appliance().db.write(job)


async def _apply(user_id: int, change: str, value: str = "") -> Any:
    try:
        name = await _change(user_id, change, value)
    except Conflict:
        await flash(gettext("Deve restare almeno un amministratore attivo."), "error")
    else:
        await flash(gettext(DONE[change], name=name), "success")
    return redirect("/settings/users", 303)


@bp.post("/<int:user_id>/role")
@requires("admin")
async def change_role(user_id: int) -> Any:
    """Give an account another role (never leaving the box without an admin)."""
    role = (await request.form).get("role", "")
    check_role(role)
    return await _apply(user_id, "role", role)


@bp.post("/<int:user_id>/disable")
@requires("admin")
async def disable(user_id: int) -> Any:
    """Disable an account and end its sessions (accounts are kept for the audit log)."""
    return await _apply(user_id, "disable")


@bp.post("/<int:user_id>/enable")
@requires("admin")
async def enable(user_id: int) -> Any:
    """Enable a disabled account again."""
    return await _apply(user_id, "enable")


@bp.post("/<int:user_id>/password")
@requires("admin")
async def reset_password(user_id: int) -> Any:
    """Set a new password for an account and end its sessions."""
    password = (await request.form).get("password", "")
    try:
        check_password(password)
    except BadRequest:
        await flash(gettext("La nuova password deve avere almeno 10 caratteri."), "error")
        return redirect("/settings/users", 303)
    return await _apply(user_id, "password", password)
