"""The dashboard: health at a glance, with what to do when something is not green."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from appliance.admin.access import requires
from appliance.admin.auth import principal, the_appliance
from appliance.admin.pages.forms import page
from appliance.health import ERROR, OK, UNKNOWN, WARN

bp = Blueprint("dashboard", __name__)
SEVERITY = {OK: 0, UNKNOWN: 1, WARN: 2, ERROR: 3}


def overall(statuses: list[str]) -> str:
    """The worst status among the checks (ok when there are none)."""
    return max(statuses, key=SEVERITY.__getitem__, default=OK)


@bp.get("/")
@requires("viewer")
async def index() -> Any:
    """Every registered probe's check, problems first."""
    appliance = the_appliance()
    checks = await appliance.health.snapshot()
    ordered = sorted(checks, key=lambda c: -SEVERITY.get(c.status, 1))
    who = principal()
    parked = 0
    if who is not None and who.can("admin") and "inbox" in appliance.parts:
        parked = await appliance.parts["inbox"].dead_letter_count()
    return await page(
        "dashboard.html",
        checks=ordered,
        overall=overall([c.status for c in checks]),
        dead_letters=parked,
    )
