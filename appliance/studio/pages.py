"""Campaign list and detail, the Templates page and the election-period switch (LAN pages)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request, url_for

from appliance.audience import recipients
from appliance.audience.segments import resend_filter
from appliance.campaigns.engine import CAMPAIGNS
from appliance.campaigns.model import FINAL
from appliance.cloudapi.client import CLOUDAPI, GraphApiError
from appliance.core import audit
from appliance.core.errors import ApplianceError, BadRequest, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, record_change, the_appliance
from appliance.lan.csvsafe import csv_response
from appliance.lan.forms import int_arg, page
from appliance.lan.i18n import gettext
from appliance.lan.labels import KINDS
from appliance.studio import STUDIO, report
from appliance.studio.compose import STATE_NAMES, _approved_templates
from appliance.studio.drafts import Drafts
from appliance.studio.shipped import SHIPPED, ShippedTemplate, placeholders

MEDIA_HEADERS = ("IMAGE", "DOCUMENT", "VIDEO")

bp = Blueprint("studio", __name__, url_prefix="/studio")

STATUS_NAMES = {
    "draft": "Bozza",
    "scheduled": "Programmata",
    "sending": "In invio",
    "paused": "In pausa",
    "done": "Completata",
    "cancelled": "Annullata",
    "expired": "Scaduta",
}
LOG_PAGE = 100
# The statuses whose time the CSV gives in a column each (the last one is in "ora" too).
RECIPIENT_COLUMNS = (
    "destinatario",
    "parte",
    "stato",
    "tentativi",
    "codice errore",
    "spiegazione",
    "ora",
)
HISTORY_COLUMNS = {
    "accepted": "accettato da Meta",
    "sent": "inviato",
    "delivered": "consegnato",
    "read": "letto",
    "failed": "non riuscito",
    report.FOLLOWED: "ha toccato «Leggi»",
}


def _drafts() -> Drafts:
    return the_appliance().parts[STUDIO]


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Campaigns with status and progress, drafts waiting, the election switch."""
    db = the_appliance().db
    rows = await db.fetchall(
        "SELECT c.*, (SELECT count(*) FROM outbox o WHERE o.campaign_id = c.id) AS total,"
        " (SELECT count(*) FROM outbox o WHERE o.campaign_id = c.id AND o.state != 'queued')"
        " AS finished FROM campaigns c ORDER BY c.id DESC LIMIT 200"
    )
    return await page(
        "studio/index.html",
        campaigns=rows,
        drafts=await _drafts().all(),
        status_names=STATUS_NAMES,
        state_names=STATE_NAMES,
        election=_drafts().election.state,
    )


@bp.post("/election")
@requires("operator")
async def election() -> Any:
    """Turn the election period on or off."""
    form = await request.form
    on = form.get("on") == "1"
    await _drafts().election.set(on, actor(), client_address())
    await flash(
        gettext("Periodo elettorale attivo: solo comunicazioni indispensabili.")
        if on
        else gettext("Periodo elettorale terminato."),
        "success",
    )
    return redirect(url_for("studio.index"))


@bp.get("/campaigns/<int:campaign_id>")
@requires("viewer")
async def detail(campaign_id: int) -> Any:
    """Counts, read rate, timeline, the per-recipient log."""
    appliance = the_appliance()
    campaigns = appliance.parts[CAMPAIGNS]
    described = await campaigns.describe(campaign_id)
    row = await campaigns.row(campaign_id)
    counts = described["counts"]
    state = request.args.get("state", "")
    state = state if state in report.STATE_NAMES else ""
    offset = int_arg("offset", 0)
    log = await report.recipient_log(
        appliance.db, campaign_id, state=state, offset=offset, limit=LOG_PAGE + 1
    )
    series = await report.timeline(appliance.db, campaign_id)
    delivered = counts.get("delivered", 0)
    retryable = 0
    if row["status"] in FINAL and counts.get("failed"):
        retryable = await recipients.count(appliance.db, resend_filter(campaign_id))
    return await page(
        "studio/detail.html",
        c=described,
        row=row,
        counts=counts,
        read_rate=(counts.get("read", 0) / delivered * 100) if delivered else None,
        followups=await report.followups(appliance.db, campaign_id),
        svg=report.timeline_svg(series),
        log=log[:LOG_PAGE],
        more=len(log) > LOG_PAGE,
        offset=offset,
        state=state,
        state_names=report.STATE_NAMES,
        status_names=STATUS_NAMES,
        explain=report.explain,
        retryable=retryable,
    )


@bp.get("/campaigns/<int:campaign_id>/recipients.csv")
@requires("viewer")
async def export(campaign_id: int) -> Any:
    """The per-recipient log as CSV (formula-safe)."""
    appliance = the_appliance()
    await appliance.parts[CAMPAIGNS].row(campaign_id)
    rows = await report.recipient_log(appliance.db, campaign_id, limit=1_000_000)
    header = [*RECIPIENT_COLUMNS, *HISTORY_COLUMNS.values()]
    return csv_response(
        f"campagna-{campaign_id}.csv",
        [gettext(h) for h in header],
        (
            [
                r["recipient"],
                gettext(r["part_label"]),
                gettext(r["state_label"]),
                r["attempts"],
                r["error_code"],
                r["explanation"],
                r["at_text"],
                *_status_times(r["history"]),
            ]
            for r in rows
        ),
    )


def _status_times(history: list[dict[str, Any]]) -> list[str]:
    """When the row reached each of the CSV's status columns ('' when it did not)."""
    times = {e["state"]: e["at_text"] for e in history}
    return [times.get(state, "") for state in HISTORY_COLUMNS]


@bp.post("/campaigns/<int:campaign_id>/<action>")
@requires("operator")
async def control(campaign_id: int, action: str) -> Any:
    """Pause, resume or cancel from the detail page."""
    if action not in ("pause", "resume", "cancel"):
        raise NotFound(f"no action {action!r}")
    campaigns = the_appliance().parts[CAMPAIGNS]
    try:
        await getattr(campaigns, action)(campaign_id, actor(), client_address())
    except ApplianceError as err:
        await flash(err.message, "error")
    return redirect(url_for("studio.detail", campaign_id=campaign_id))


@bp.post("/campaigns/<int:campaign_id>/resend")
@requires("operator")
async def resend(campaign_id: int) -> Any:
    """A new draft of the same content for those whose message failed retryably."""
    draft_id = await _drafts().resend_failed(campaign_id, actor())
    await record_change("draft.created", f"draft:{draft_id}", audit.detail("resend", n=campaign_id))
    await flash(
        gettext("Nuova bozza per chi non ha ricevuto il messaggio: controlla e invia."), "success"
    )
    return redirect(url_for("compose.preview", draft_id=draft_id))


# -- templates ---------------------------------------------------------------------------------


@bp.get("/templates")
@requires("viewer")
async def templates() -> Any:
    """Meta's templates (status and category kept current) and the shipped set to submit."""
    known = _approved_templates()
    names = {(t["name"], t["language"]) for t in known}
    return await page(
        "studio/templates.html",
        known=known,
        shipped=[(s, (s.name, "it") in names) for s in SHIPPED],
    )


@bp.post("/templates/sync")
@requires("operator")
async def sync() -> Any:
    """Read every template from Meta now."""
    try:
        found = await the_appliance().parts[CLOUDAPI].list_templates()
        await record_change("templates.refreshed", "", audit.detail("templates_read", n=len(found)))
        await flash(gettext("Modelli aggiornati da Meta: {n}.", n=len(found)), "success")
    except GraphApiError as err:
        await flash(gettext("Meta non risponde: {error}", error=err.message), "error")
    return redirect(url_for("studio.templates"))


@bp.post("/templates/submit")
@requires("operator")
async def submit() -> Any:
    """Submit one of the shipped templates, or one written on the page, for Meta's review."""
    form = await request.form
    chosen = next((s for s in SHIPPED if s.name == form.get("name")), None)
    if chosen is None and form.get("action") == "new":
        chosen = _written(form)
    if chosen is None:
        raise BadRequest("modello sconosciuto")
    client = the_appliance().parts[CLOUDAPI]
    try:
        await client.create_template(chosen.name, "it", chosen.category, chosen.components())
        category = KINDS["template_category"].get(chosen.category, chosen.category)
        await record_change(
            "template.submitted", chosen.name, audit.detail("category", category_words=category)
        )
        await client.list_templates()
        await flash(
            gettext(
                "«{name}» inviato a Meta per la revisione (può servire fino a un giorno).",
                name=chosen.name,
            ),
            "success",
        )
    except (GraphApiError, BadRequest) as err:
        await flash(gettext("Meta ha rifiutato l'invio: {error}", error=err.message), "error")
    return redirect(url_for("studio.templates"))


def _written(form: Any) -> ShippedTemplate:
    """A template written on the page: body with {{1}}…, an example per variable, options."""
    body = form.get("body", "").strip()
    examples = tuple(line.strip() for line in form.get("examples", "").splitlines() if line.strip())
    if not body or len(body) > 1024:
        raise BadRequest("testo: da 1 a 1024 caratteri")
    if len(examples) != len(placeholders([{"type": "BODY", "text": body}])):
        raise BadRequest("serve un esempio, su una riga, per ogni variabile {{1}}, {{2}}…")
    return ShippedTemplate(
        name=form.get("new_name", "").strip(),
        category="MARKETING" if form.get("category") == "MARKETING" else "UTILITY",
        purpose="",
        body=body,
        examples=examples,
        media_header=form.get("header") if form.get("header") in MEDIA_HEADERS else "",
        read_button=form.get("read_button") == "1",
    )
