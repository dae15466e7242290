"""The staff inbox: citizens' free text, answered inside the 24-hour window; outside it, the page
explains why free text is impossible and offers an approved template instead.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request, url_for

from appliance.audience.store import AUDIENCE
from appliance.campaigns.replies import REPLIES
from appliance.cloudapi import limits, messages
from appliance.conversation.engine import CONVERSATION
from appliance.core import audit
from appliance.core.errors import ApplianceError
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

WINDOW_SECONDS = 24 * 3600
# The bot's automatic messages longer than this are folded in the thread (menus, the notice).
BOILERPLATE = 160


@bp.record_once
def _register_badge(state: Any) -> None:
    """The navigation shows how many citizens wait for an answer beside *Messaggi*."""
    state.app.extensions.setdefault("admin.nav_badges", {})["inbox.index"] = waiting_people


async def waiting_people() -> int:
    """Citizens with a message nobody has dealt with yet."""
    return int(
        await the_appliance().db.fetchval(
            "SELECT count(DISTINCT subscriber_id) FROM chat_messages"
            " WHERE inbox = 1 AND handled = 0"
        )
    )


def _now() -> float:
    return the_appliance().parts[CONVERSATION].clock()


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Citizens waiting for an answer, the longest waiting first."""
    rows = await the_appliance().db.fetchall(
        "SELECT s.id, s.wa_id, s.user_id, s.profile_name, s.last_inbound_at, count(*) AS waiting,"
        " min(c.at) AS since, (SELECT text FROM chat_messages l WHERE l.subscriber_id = s.id"
        "  AND l.inbox = 1 AND l.handled = 0 ORDER BY l.id DESC LIMIT 1) AS latest"
        " FROM chat_messages c JOIN subscribers s ON s.id = c.subscriber_id"
        " WHERE c.inbox = 1 AND c.handled = 0 GROUP BY s.id ORDER BY since"
    )
    now = _now()
    return await page(
        "conversation/inbox.html",
        rows=rows,
        open_window=lambda at: at is not None and now - at < WINDOW_SECONDS,
    )


@bp.get("/<int:sid>")
@requires("viewer")
async def thread(sid: int) -> Any:
    """One citizen's conversation, with the reply form or the template offer."""
    appliance = the_appliance()
    sub = await appliance.parts[AUDIENCE].get(sid)
    chat = await appliance.db.fetchall(
        "SELECT * FROM (SELECT * FROM chat_messages WHERE subscriber_id = ? ORDER BY id DESC"
        " LIMIT 100) ORDER BY id",
        (sid,),
    )
    last = sub["last_inbound_at"]
    waiting = [m for m in chat if m["inbox"] and not m["handled"]]
    templates = await appliance.db.fetchall(
        "SELECT name, language, category, components FROM wa_templates WHERE status = 'APPROVED'"
        " ORDER BY name, language"
    )
    return await page(
        "conversation/thread.html",
        sub=sub,
        chat=chat,
        waiting=waiting,
        boilerplate=BOILERPLATE,
        window_open=last is not None and _now() - last < WINDOW_SECONDS,
        templates=templates,
        max_text=limits.TEXT_BODY,
    )


async def _send(sid: int, message: tuple[str, Any], line: str, action: str) -> Any:
    appliance = the_appliance()
    sub = await appliance.parts[AUDIENCE].get(sid)
    recipient = sub["wa_id"] or sub["user_id"]
    if recipient is None or sub["status"] == "erased":
        await flash(gettext("Questa persona ha chiesto la cancellazione dei dati."), "error")
        return redirect(url_for("inbox.thread", sid=sid), 303)
    try:
        await appliance.parts[REPLIES].send(recipient, message)
    except ApplianceError as err:
        await flash(gettext("Messaggio non inviato: {reason}", reason=err.message), "error")
        return redirect(url_for("inbox.thread", sid=sid), 303)
    who, address, now = actor(), client_address(), _now()

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT INTO chat_messages (subscriber_id, direction, at, type, text, staff, handled)"
            " VALUES (?, 'out', ?, ?, ?, ?, 1)",
            (sid, now, message[0], line, who),
        )
        await conn.execute(
            "UPDATE chat_messages SET handled = 1 WHERE subscriber_id = ? AND inbox = 1", (sid,)
        )
        await audit.record_in(conn, who, action, f"subscriber:{sid}", "", address)

    await appliance.db.write(job)
    await flash(gettext("Risposta inviata."), "success")
    return redirect(url_for("inbox.thread", sid=sid), 303)


@bp.post("/<int:sid>/reply")
@requires("operator")
async def reply(sid: int) -> Any:
    """A free-text answer, possible only inside the citizen's 24-hour window."""
    text = (await request.form).get("text", "").replace("\r\n", "\n").strip()
    sub = await the_appliance().parts[AUDIENCE].get(sid)
    last = sub["last_inbound_at"]
    if last is None or _now() - last >= WINDOW_SECONDS:
        await flash(
            gettext("Sono passate più di 24 ore dall'ultimo messaggio: usa un modello approvato."),
            "error",
        )
        return redirect(url_for("inbox.thread", sid=sid), 303)
    if not text or len(text) > limits.TEXT_BODY:
        await flash(gettext("Scrivi una risposta (al massimo 4096 caratteri)."), "error")
        return redirect(url_for("inbox.thread", sid=sid), 303)
    return await _send(sid, messages.text(text), text, "inbox.replied")


@bp.post("/<int:sid>/template")
@requires("operator")
async def template(sid: int) -> Any:
    """An approved template, the only thing WhatsApp delivers outside the window."""
    form = await request.form
    name, _, language = form.get("template", "").partition("|")
    values = [v.strip() for v in form.get("parameters", "").splitlines() if v.strip()]
    found = await the_appliance().db.fetchval(
        "SELECT count(*) FROM wa_templates WHERE name = ? AND language = ? AND status = 'APPROVED'",
        (name, language),
    )
    if not found:
        await flash(gettext("Scegli un modello approvato."), "error")
        return redirect(url_for("inbox.thread", sid=sid), 303)
    line = f"[{name}] " + " · ".join(values)
    return await _send(
        sid, messages.template(name, language, body=values), line, "inbox.template_sent"
    )


@bp.post("/<int:sid>/done")
@requires("operator")
async def done(sid: int) -> Any:
    """Mark the citizen's messages as dealt with (answered by phone, at the counter…)."""
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await conn.execute(
            "UPDATE chat_messages SET handled = 1 WHERE subscriber_id = ? AND inbox = 1", (sid,)
        )
        await audit.record_in(conn, who, "inbox.done", f"subscriber:{sid}", "", address)

    await the_appliance().db.write(job)
    await flash(gettext("Segnato come gestito."), "success")
    return redirect(url_for("inbox.index"), 303)
