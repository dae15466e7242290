"""Staff pages: subscribers list and detail, counter requests (unsubscribe, export, erase),
CSV import with dry run and undo, CSV export, and the retention policy.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from quart import Blueprint, Response, flash, g, redirect, request, url_for

from appliance.audience import csvimport
from appliance.audience.listing import SearchFilter, search
from appliance.audience.retention import RETENTION, policy
from appliance.audience.store import AUDIENCE, Audience
from appliance.core import audit
from appliance.core.errors import ApplianceError, BadRequest
from appliance.core.formats import format_datetime
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.csvsafe import csv_response
from appliance.lan.forms import int_arg, page
from appliance.lan.i18n import gettext

bp = Blueprint("audience", __name__, url_prefix="/subscribers")

PER_PAGE = 50
MIN_PURPOSE = 10  # a word or two is no purpose a DPO can check
STATUSES = ("pending", "active", "unsubscribed", "erased")
PLAN_SECONDS = 3600  # a dry run can be committed within an hour
_plans: dict[str, tuple[float, str, csvimport.Plan]] = {}


def _audience() -> Audience:
    return the_appliance().parts[AUDIENCE]


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Subscribers with search and filters."""
    args = request.args
    flt = SearchFilter(
        text=args.get("q", "").strip()[:100],
        status=args.get("status", "") if args.get("status") in STATUSES else "",
        topic=args.get("topic", "")[:100],
        language=args.get("language", "") if args.get("language") in ("it", "en") else "",
    )
    page_number = int_arg("page", 1, minimum=1)
    rows, more = await search(the_appliance().db, flt, page_number, PER_PAGE)
    counts = await the_appliance().db.fetchall(
        "SELECT status, count(*) AS n FROM subscribers GROUP BY status"
    )
    query = {k: v for k, v in vars(flt).items() if v}
    query = {("q" if k == "text" else k): v for k, v in query.items()}
    return await page(
        "audience/list.html",
        rows=rows,
        flt=flt,
        statuses=STATUSES,
        topics=await _audience().topics(active_only=False),
        counts={r["status"]: r["n"] for r in counts},
        page_number=page_number,
        newer=url_for("audience.index", **query, page=page_number - 1) if page_number > 1 else "",
        older=url_for("audience.index", **query, page=page_number + 1) if more else "",
        imports=await the_appliance().db.fetchall(
            "SELECT * FROM imports ORDER BY id DESC LIMIT 10"
        ),
    )


@bp.get("/<int:sid>")
@requires("viewer")
async def detail(sid: int) -> Any:
    """One subscriber: identity, answers, topics, consent history and conversation."""
    audience = _audience()
    row = await audience.get(sid)
    questions = {q.key: q for q in await audience.questions(active_only=False)}
    chat = await the_appliance().db.fetchall(
        "SELECT * FROM chat_messages WHERE subscriber_id = ? ORDER BY id DESC LIMIT 200", (sid,)
    )
    return await page(
        "audience/detail.html",
        sub=row,
        answer_words=answer_words,
        answers=await audience.answers(sid),
        questions=questions,
        topics=await audience.subscriber_topics(sid),
        consents=await audience.consents(sid),
        chat=list(reversed(chat)),
    )


@bp.post("/<int:sid>/unsubscribe")
@requires("operator")
async def unsubscribe(sid: int) -> Any:
    """A request made at the counter or by letter: the same as STOP, audited."""
    audience = _audience()
    row = await audience.get(sid)
    if row["status"] != "active":
        await flash(gettext("Questa persona non è iscritta."), "error")
    else:
        await audience.unsubscribe(row, actor(), "staff", client_address())
        await flash(gettext("Iscrizione annullata."), "success")
    return redirect(url_for("audience.detail", sid=sid), 303)


@bp.post("/<int:sid>/erase")
@requires("admin")
async def erase(sid: int) -> Any:
    """Erasure on request (confirmed by ticking the box): the same as CANCELLA I MIEI DATI."""
    form = await request.form
    audience = _audience()
    row = await audience.get(sid)
    if form.get("confirm") != "yes":
        await flash(gettext("Per cancellare i dati spunta la casella di conferma."), "error")
        return redirect(url_for("audience.detail", sid=sid), 303)
    if row["status"] != "erased":
        await audience.erase(row, actor(), "staff", client_address())
    await flash(gettext("Dati cancellati: resta solo una traccia anonima."), "success")
    return redirect(url_for("audience.detail", sid=sid), 303)


@bp.get("/<int:sid>/export.json")
@requires("operator")
async def export(sid: int) -> Any:
    """Everything stored about one person, as a file to hand over (audited)."""
    data = await _audience().export(sid)
    await audit.record(
        the_appliance().db,
        actor(),
        "subscriber.exported",
        f"subscriber:{sid}",
        "",
        client_address(),
    )
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dati-{sid}.json"'},
    )


# The subscribers file is for people (a spreadsheet at the town hall): words, not codes.
STATUS_WORDS = {
    "pending": "in contatto, non iscritto",
    "active": "iscritto",
    "unsubscribed": "disiscritto",
}
LANGUAGE_WORDS = {"it": "italiano", "en": "inglese"}


def answer_words(question: Any, value: Any) -> str:
    """A stored answer as the citizen chose it (option labels, not their keys)."""
    labels = {key: italian for key, italian, _ in question.options} if question else {}
    values = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(str(v), str(v)) for v in values)


@bp.get("/<int:sid>/document")
@requires("operator")
async def document(sid: int) -> Any:
    """Everything stored about one person as a printable page in Italian, for the counter."""
    audience = _audience()
    data = await audience.export(sid)
    questions = {q.key: q for q in await audience.questions(active_only=False)}
    await audit.record(
        the_appliance().db,
        actor(),
        "subscriber.exported",
        f"subscriber:{sid}",
        "documento stampabile",
        client_address(),
    )
    g.lang = "it"  # the document is for the citizen: Italian whatever the clerk's language
    return await page(
        "audience/document.html",
        sub=data["subscriber"],
        topics=await audience.subscriber_topics(sid),
        answers=[
            (questions[k].prompt_it if k in questions else k, answer_words(questions.get(k), v))
            for k, v in data["answers"].items()
        ],
        consents=data["consents"],
        chat=data["messages"],
        town=the_appliance().config.town.name,
        now=time.time(),
    )


# Names the import also reads back (telefono/phone, nome/name, lingua/language, argomenti/topics).
EXPORT_COLUMNS = (
    "telefono",
    "id utente",
    "id utente principale",
    "nome utente",
    "stato",
    "lingua",
    "nome",
    "iscritto dal",
    "argomenti",
)


@bp.post("/export.csv")
@requires("admin")
async def export_csv() -> Any:
    """Every subscriber who is not erased, for a stated purpose (audited; never for propaganda)."""
    purpose = " ".join((await request.form).get("purpose", "").split())[:200]
    if len(purpose) < MIN_PURPOSE:
        await flash(
            gettext(
                "Scrivi lo scopo dell'esportazione (almeno {n} caratteri): resta nel registro "
                "attività. Gli iscritti non possono essere usati per propaganda politica.",
                n=MIN_PURPOSE,
            ),
            "error",
        )
        return redirect(url_for("audience.index"), 303)
    db = the_appliance().db
    # Topic keys stay: the import reads them back; everything else is in the clerk's words.
    rows = await db.fetchall(
        "SELECT s.wa_id, s.user_id, s.parent_user_id, s.username, s.status, s.language,"
        " s.profile_name, s.subscribed_at,"
        " (SELECT group_concat(t.key, ', ') FROM subscriber_topics st JOIN topics t"
        "  ON t.id = st.topic_id WHERE st.subscriber_id = s.id) FROM subscribers s"
        " WHERE s.status != 'erased' ORDER BY s.id"
    )
    await audit.record(
        db,
        actor(),
        "subscribers.exported",
        "csv",
        audit.detail("exported", n=len(rows), purpose=purpose),
        client_address(),
    )
    rows = [
        (
            r[0],
            r[1],
            r[2],
            r[3],
            STATUS_WORDS.get(r[4], r[4]),
            LANGUAGE_WORDS.get(r[5], r[5]),
            r[6],
            format_datetime(r[7]),
            r[8],
        )
        for r in rows
    ]
    return csv_response("iscritti.csv", [gettext(h) for h in EXPORT_COLUMNS], rows)


@bp.get("/import")
@requires("admin")
async def import_form() -> Any:
    """Upload a contact list with its consent source and date."""
    return await page("audience/import.html", errors={}, values={})


@bp.post("/import")
@requires("admin")
async def import_dry_run() -> Any:
    """Read the file and show what would happen; nothing is written yet."""
    form, files = await request.form, await request.files
    upload = files.get("file")
    values = {k: form.get(k, "") for k in ("consent_source", "consent_date")}
    if upload is None or not upload.filename:
        errors = {"file": gettext("Scegli un file CSV.")}
        return await page("audience/import.html", 400, errors=errors, values=values)
    try:
        plan = await csvimport.plan(
            _audience(),
            upload.filename,
            upload.read(),
            values["consent_source"],
            values["consent_date"],
        )
    except BadRequest as err:
        field, _, problem = err.message.partition(": ")
        errors = {field if field in ("file", *values) else "file": problem or err.message}
        return await page("audience/import.html", 400, errors=errors, values=values)
    _forget_old_plans()
    token = secrets.token_urlsafe(16)
    _plans[token] = (time.monotonic(), actor(), plan)
    return await page("audience/import_report.html", plan=plan, token=token)


@bp.post("/import/commit")
@requires("admin")
async def import_commit() -> Any:
    """Apply a dry run shown to the same person."""
    token = (await request.form).get("token", "")
    _forget_old_plans()
    entry = _plans.pop(token, None)
    if entry is None or entry[1] != actor():
        await flash(gettext("Anteprima scaduta: carica di nuovo il file."), "error")
        return redirect(url_for("audience.import_form"), 303)
    import_id = await csvimport.commit(_audience(), entry[2], actor(), client_address())
    await flash(gettext("Importazione {n} completata.", n=import_id), "success")
    return redirect(url_for("audience.index"), 303)


@bp.post("/imports/<int:import_id>/undo")
@requires("admin")
async def import_undo(import_id: int) -> Any:
    """Undo a whole import (people who left since then are not touched)."""
    try:
        removed, restored = await csvimport.undo(_audience(), import_id, actor(), client_address())
    except ApplianceError as err:
        await flash(err.message, "error")
    else:
        await flash(
            gettext(
                "Importazione annullata: {removed} rimossi, {restored} ripristinati.",
                removed=removed,
                restored=restored,
            ),
            "success",
        )
    return redirect(url_for("audience.index"), 303)


@bp.get("/retention")
@requires("viewer")
async def retention() -> Any:
    """The retention policy in force and the last run of the daily purge."""
    appliance = the_appliance()
    return await page(
        "audience/retention.html",
        periods=policy(appliance.config),
        last=await appliance.parts[RETENTION].last_run(),
    )


def _forget_old_plans() -> None:
    now = time.monotonic()
    for token in [t for t, (at, _, _) in _plans.items() if now - at > PLAN_SECONDS]:
        del _plans[token]
