"""The dashboard: health at a glance, with what to do when something is not green."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from appliance.core.health import SEVERITY, overall
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@requires("viewer")
async def index() -> Any:
    """Every registered probe's check, problems first."""
    checks = await the_appliance().health.snapshot()
    ordered = sorted(checks, key=lambda c: -SEVERITY.get(c.status, 1))
    return await page("dashboard.html", checks=ordered, overall=overall([c.status for c in checks]))
