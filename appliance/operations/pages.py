"""The webhook self-test page: one button that proves Meta can reach this box."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, g

from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page
from appliance.operations.selftest import webhook_selftest

bp = Blueprint("selftest", __name__, url_prefix="/selftest")


@bp.get("")
@requires("operator")
async def index() -> Any:
    """What the test does, and its button."""
    return await page("ops/selftest.html", result=None)


@bp.post("")
@requires("operator")
async def run() -> Any:
    """Do Meta's verification round trip through the public address and explain the outcome."""
    result = await webhook_selftest(the_appliance().config)
    advice = result.advice("en" if g.get("lang") == "en" else "it")
    return await page("ops/selftest.html", 200 if result.ok else 502, result=result, advice=advice)


def register(app: Any) -> None:
    """Add the self-test and dead-letter pages (reached from the dashboard) to the LAN app."""
    from appliance.lan.registry import add_pages
    from appliance.operations import deadletters

    add_pages(app, bp)
    add_pages(app, deadletters.bp)
