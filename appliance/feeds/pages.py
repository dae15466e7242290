"""The Alerts page: level changes with their source data, staff approval, the sources' health.

Everyone on the staff may read it; operators and admins approve or dismiss (editors write
texts, they do not decide what reaches the whole town).
"""

from __future__ import annotations

import json
from typing import Any

from quart import Blueprint, flash, g, redirect, request

from appliance.admin.access import requires
from appliance.admin.auth import actor, client_address, the_appliance
from appliance.admin.i18n import gettext
from appliance.admin.pages.forms import page
from appliance.errors import Conflict, NotFound
from appliance.feeds import words
from appliance.feeds.alerts import STATUSES, AlertMonitor
from appliance.feeds.levels import risk_label
from appliance.feeds.probes import NAMES

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
CHECKS = ("alerts", "weather")
FILTERS = (*STATUSES, "all")
SAFE_SCHEMES = ("https://", "http://")


def _monitor() -> AlertMonitor:
    return the_appliance().parts["alerts"]


def _sending_available(monitor: AlertMonitor) -> bool:
    """True when something (the broadcast engine) turns changes into campaigns."""
    # AlertMonitor keeps its subscribers private; with none, approving sends nothing.
    return bool(monitor._handlers)


def _row(change: Any, language: str) -> dict[str, Any]:
    """What the page shows of one change; links only when they are plain web addresses."""
    return {
        "change": change,
        "source": NAMES.get(change.source, change.source),
        "risk": risk_label(change.risk, language),
        "old": change.old_level.label(language) if change.old_level is not None else "",
        "new": change.new_level.label(language),
        "emoji": change.new_level.emoji,
        "valid_from": words.moment(change.valid_from, language),
        "valid_to": words.moment(change.valid_to, language),
        "detected": words.moment(change.detected_at, language),
        "link_ok": change.link.lower().startswith(SAFE_SCHEMES),
        "detail": json.dumps(change.detail, ensure_ascii=False, indent=2, default=str),
        "message": change.message(language),
    }


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Changes of one status (pending first), the sources' health and what approval does."""
    shown = request.args.get("status", "pending")
    if shown not in FILTERS:
        raise NotFound(f"unknown filter {shown!r}")
    monitor = _monitor()
    language = words.lang(g.get("lang", "it"))
    changes = await monitor.changes(None if shown == "all" else shown)
    checks = {c.key: c for c in await the_appliance().health.snapshot() if c.key in CHECKS}
    auto = monitor.auto_level.label(language) if monitor.auto_level is not None else ""
    return await page(
        "feeds/alerts.html",
        rows=[_row(c, language) for c in changes],
        shown=shown,
        filters=FILTERS,
        checks=[checks[key] for key in CHECKS if key in checks],
        sending=_sending_available(monitor),
        auto=auto,
        enabled=monitor.enabled,
    )


async def _decide(approve: bool) -> Any:
    form = await request.form
    key, back = form.get("key", ""), form.get("status", "pending")
    monitor = _monitor()
    try:
        if approve:
            await monitor.approve(key, actor(), client_address())
        else:
            await monitor.dismiss(key, actor(), client_address())
    except (Conflict, NotFound) as err:
        await flash(gettext("Non è stato possibile: {error}", error=err.message), "error")
    else:
        if approve and _sending_available(monitor):
            await flash(gettext("Allerta approvata: parte l'invio agli iscritti."), "success")
        elif approve:
            await flash(
                gettext(
                    "Allerta approvata, ma l'invio agli iscritti non è ancora disponibile: nessun messaggio è partito."
                ),
                "warn",
            )
        else:
            await flash(gettext("Allerta scartata: non verrà inviata."), "success")
    return redirect(f"/alerts?status={back if back in FILTERS else 'pending'}", 303)


@bp.post("/approve")
@requires("operator")
async def approve() -> Any:
    """Approve a pending change: the broadcast engine may send it."""
    return await _decide(True)


@bp.post("/dismiss")
@requires("operator")
async def dismiss() -> Any:
    """Dismiss a pending or approved change: it is never sent."""
    return await _decide(False)


def register(app: Any) -> None:
    """Add the page to the LAN app's navigation and its English texts to the catalog."""
    from appliance.admin.i18n import add_catalog
    from appliance.admin.registry import NavItem, add_pages

    add_catalog("en", MESSAGES_EN)
    add_pages(app, bp, NavItem("alerts.index", "Allerte", order=40))


# English for the page's Italian source texts (merged into the admin catalog at setup).
MESSAGES_EN: dict[str, str] = {
    "Allerte": "Alerts",
    "Meteo": "Weather",
    "Nuova allerta": "New alert",
    "Allerta in aumento": "Alert raised",
    "Allerta in diminuzione": "Alert lowered",
    "Fine allerta": "Alert over",
    "In attesa": "Pending",
    "Approvate": "Approved",
    "Inviate": "Sent",
    "Scartate": "Dismissed",
    "Tutte": "All",
    "Qui compaiono i cambi di livello delle allerte di protezione civile per la zona del Comune, con i dati della fonte ufficiale.": "Changes of the civil-protection alert levels for the town's zone appear here, with the official source's data.",
    "Che cosa succede approvando": "What approving does",
    "Un'allerta approvata diventa una campagna per gli iscritti all'argomento «allerte», con un modello approvato di categoria UTILITY.": "An approved alert becomes a campaign to the subscribers of the «allerte» topic, with an approved UTILITY template.",
    "Dal livello «{level}» in su l'invio parte da solo, senza approvazione.": "From «{level}» upward it is sent automatically, without approval.",
    "Nessun livello parte da solo: ogni allerta aspetta l'approvazione.": "No level is sent automatically: every alert waits for approval.",
    "L'invio delle allerte agli iscritti non è ancora disponibile in questa versione: approvare o scartare registra solo la decisione, nessun messaggio parte. Avvisare la popolazione con gli altri mezzi del Comune.": "Sending alerts to subscribers is not available in this version yet: approving or dismissing only records the decision, no message goes out. Warn the population through the town's other channels.",
    "Il controllo automatico delle fonti è disattivato ([feeds] alerts_enabled).": "Automatic polling of the sources is off ([feeds] alerts_enabled).",
    "Filtra le allerte": "Filter the alerts",
    "Allerte: {status}": "Alerts: {status}",
    "Nessuna allerta in questo elenco.": "No alert in this list.",
    "Stato": "Status",
    "Livello": "Level",
    "Zona": "Zone",
    "Validità": "Valid",
    "da {start} a {end}": "from {start} to {end}",
    "Fonte": "Source",
    "Collegamento ufficiale": "Official link",
    "Rilevata": "Detected",
    "Codice (nel registro attività)": "Key (in the audit log)",
    "Invio": "Sending",
    "automatico (livello alto)": "automatic (high level)",
    "automatico (livello alto), ma l'invio non è ancora disponibile": "automatic (high level), but sending is not available yet",
    "dopo l'approvazione del personale": "after staff approval",
    "Testo per i cittadini e dati della fonte": "Citizens' text and source data",
    "Testo per i cittadini": "Citizens' text",
    "Dati della fonte": "Source data",
    "Approva": "Approve",
    "Scarta": "Dismiss",
    "Solo operatori e amministratori possono approvare o scartare le allerte.": "Only operators and administrators can approve or dismiss alerts.",
    "Non è stato possibile: {error}": "Not possible: {error}",
    "Allerta approvata: parte l'invio agli iscritti.": "Alert approved: sending to subscribers starts.",
    "Allerta approvata, ma l'invio agli iscritti non è ancora disponibile: nessun messaggio è partito.": "Alert approved, but sending to subscribers is not available yet: no message went out.",
    "Allerta scartata: non verrà inviata.": "Alert dismissed: it will not be sent.",
}
