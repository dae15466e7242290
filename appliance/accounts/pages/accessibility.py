"""The accessibility statement (AgID model), open to anyone on the LAN."""

from __future__ import annotations

from typing import Any

from quart import Blueprint

from appliance.accounts.town import town_data
from appliance.lan.access import ANYONE, requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("accessibility", __name__)


@bp.get("/accessibility")
@requires(ANYONE)
async def statement() -> Any:
    """The statement, filled with the town's data; the comune completes and publishes it."""
    appliance = the_appliance()
    return await page("accessibility.html", town=await town_data(appliance.db, appliance.config))
