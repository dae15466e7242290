"""The Alerts page: level changes with their source data, staff approval, the sources' health.

Everyone on the staff may read it; operators and admins approve or dismiss (editors write
texts, they do not decide what reaches the whole town).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, current_app, flash, g, redirect, request

from appliance.core.errors import ApplianceError, Conflict, NotFound
from appliance.feeds import words
from appliance.feeds.alerts import ALERT_DRAFTS, ALERTS, STATUSES, AlertDrafts, AlertMonitor
from appliance.feeds.changes import zone_label
from appliance.feeds.levels import risk_label
from appliance.feeds.probes import NAMES
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("alerts", __name__, url_prefix="/alerts")
CHECKS = ("alerts", "weather")
FILTERS = (*STATUSES, "all")
SAFE_SCHEMES = ("https://", "http://")
DRAFT = "draft"  # a campaign the broadcast engine prepared and staff have not sent yet
CAMPAIGN_PAGE = "studio.detail"  # the campaign studio's page of one campaign, when installed


def _monitor() -> AlertMonitor:
    return the_appliance().parts[ALERTS]


def _engine() -> AlertDrafts | None:
    """The broadcast engine's campaigns when it turns alert changes into campaigns, else None."""
    drafts = the_appliance().parts.get(ALERT_DRAFTS)
    # The engine's alert subscriber hooks itself in here: sending the draft approves the change.
    return drafts if drafts is not None and drafts.on_alert_sent is not None else None


def _outcome(status: Any, language: str) -> dict[str, str]:
    """One source's or risk's last success and last error, in words."""
    never = gettext("mai")
    return {
        "state": "error" if status.failures else ("ok" if status.last_success else "unknown"),
        "success": words.moment(status.last_success, language) if status.last_success else never,
        "error": status.last_error if status.failures else "",
        "error_at": words.moment(status.last_error_at, language) if status.failures else "",
    }


def _sources(monitor: AlertMonitor, language: str) -> list[dict[str, Any]]:
    """Per source, then per risk it reads one by one: what the page's source table shows."""
    rows = []
    for name, status in monitor.status.items():
        label = NAMES.get(name, name)
        rows.append({"name": label, "risk": "", **_outcome(status, language)})
        for risk, risk_status in sorted(monitor.risk_status.get(name, {}).items()):
            rows.append(
                {
                    "name": label,
                    "risk": risk_label(risk, language),
                    **_outcome(risk_status, language),
                }
            )
    return rows


async def _row(change: Any, language: str, engine: Any | None) -> dict[str, Any]:
    """What the page shows of one change; links only when they are plain web addresses."""
    campaign = await engine.by_alert(change.key) if engine is not None else None
    draft = campaign is not None and campaign["status"] == DRAFT
    return {
        "change": change,
        "source": NAMES.get(change.source, change.source),
        "risk": risk_label(change.risk, language),
        "zone": zone_label(change.zone, change.zone_name),
        "old": change.old_level.label(language) if change.old_level is not None else "",
        "new": change.new_level.label(language),
        "emoji": change.new_level.emoji,
        "period": words.period(change.valid_from, change.valid_to, language),
        "detected": words.moment(change.detected_at, language),
        "link_ok": change.link.lower().startswith(SAFE_SCHEMES),
        "detail": json.dumps(change.detail, ensure_ascii=False, indent=2, default=str),
        "message": change.message(language),
        "campaign": campaign,
        "preflight": await engine.preflight(campaign["id"]) if draft else None,
    }


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Changes of one status (pending first), the sources' health and what approval does."""
    shown = request.args.get("status", "pending")
    if shown not in FILTERS:
        raise NotFound(f"unknown filter {shown!r}")
    monitor, engine = _monitor(), _engine()
    language = words.lang(g.get("lang", "it"))
    changes = await monitor.changes(None if shown == "all" else shown)
    checks = {c.key: c for c in await the_appliance().health.snapshot() if c.key in CHECKS}
    auto = monitor.auto_level.label(language) if monitor.auto_level is not None else ""
    return await page(
        "feeds/alerts.html",
        rows=[await _row(c, language, engine) for c in changes],
        shown=shown,
        filters=FILTERS,
        checks=[checks[key] for key in CHECKS if key in checks],
        sources=_sources(monitor, language),
        sending=engine is not None,
        auto=auto,
        enabled=monitor.enabled,
        campaign_page=CAMPAIGN_PAGE if CAMPAIGN_PAGE in current_app.view_functions else None,
    )


async def _approve(key: str) -> None:
    """Send the engine's draft (which approves the change), or only record the approval."""
    change = await _monitor().get(key)
    if change.status != "pending":
        raise Conflict(f"alert change {key} is {change.status}, not pending")
    engine = _engine()
    campaign = await engine.by_alert(key) if engine is not None else None
    if campaign is not None and campaign["status"] == DRAFT:
        await engine.send(campaign["id"], actor(), client_address())
        await flash(gettext("Allerta approvata: l'invio agli iscritti è partito."), "success")
        return
    await _monitor().approve(key, actor(), client_address())
    await flash(
        gettext(
            "Allerta approvata, ma nessun messaggio è partito: l'invio delle allerte non è disponibile per questa allerta."
        ),
        "warn",
    )


async def _dismiss(key: str) -> None:
    """Dismiss the change and cancel the engine's draft, so nobody sends it later by mistake."""
    await _monitor().dismiss(key, actor(), client_address())
    engine = _engine()
    campaign = await engine.by_alert(key) if engine is not None else None
    if campaign is not None and campaign["status"] == DRAFT:
        await engine.cancel(campaign["id"], actor(), client_address())
    await flash(gettext("Allerta scartata: non verrà inviata."), "success")


async def _decide(action: Callable[[str], Awaitable[None]]) -> Any:
    form = await request.form
    back = form.get("status", "pending")
    try:
        await action(form.get("key", ""))
    except ApplianceError as err:
        await flash(gettext("Non è stato possibile: {error}", error=err.message), "error")
    return redirect(f"/alerts?status={back if back in FILTERS else 'pending'}", 303)


@bp.post("/approve")
@requires("operator")
async def approve() -> Any:
    """Approve a pending change; with the broadcast engine, its campaign goes out now."""
    return await _decide(_approve)


@bp.post("/dismiss")
@requires("operator")
async def dismiss() -> Any:
    """Dismiss a pending or approved change: it is never sent."""
    return await _decide(_dismiss)


def register(app: Any) -> None:
    """Add the page to the LAN app's navigation."""
    from appliance.lan.registry import NavItem, add_pages

    add_pages(app, bp, NavItem("alerts.index", "Allerte", order=40))
