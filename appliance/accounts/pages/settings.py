"""Settings: the index, town data and the status of the credentials (never the secrets)."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, flash, redirect, request

from appliance.accounts.town import MAX_LENGTH, TOWN_FIELDS, save_town_data, town_data
from appliance.core.config import SETTINGS
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("settings", __name__, url_prefix="/settings")

# Where a value came from, in words (Italian source text).
ORIGINS = {
    "config file": "file di configurazione",
    "secrets file": "file dei segreti",
    "override": "impostato all'avvio",
}


@bp.get("/")
@requires("admin")
async def index() -> Any:
    """Links to every settings page."""
    return await page("settings/index.html")


@bp.get("/town")
@requires("admin")
async def town_form() -> Any:
    """The town's display data."""
    appliance = the_appliance()
    values = await town_data(appliance.db, appliance.config)
    return await page("settings/town.html", fields=TOWN_FIELDS, values=values)


@bp.post("/town")
@requires("admin")
async def town_save() -> Any:
    """Store the changed fields (one audit row)."""
    appliance = the_appliance()
    form = await request.form
    new = {f.key: form.get(f.key, "") for f in TOWN_FIELDS}
    too_long = [f.key for f in TOWN_FIELDS if len(new[f.key]) > MAX_LENGTH]
    if too_long:
        errors = {k: gettext("Al massimo {n} caratteri.", n=MAX_LENGTH) for k in too_long}
        return await page("settings/town.html", 400, fields=TOWN_FIELDS, values=new, errors=errors)
    changed = await save_town_data(appliance.db, appliance.config, new, actor(), client_address())
    await flash(
        gettext("Dati del comune salvati.") if changed else gettext("Nessuna modifica."), "success"
    )
    return redirect("/settings/town", 303)


@bp.get("/credentials")
@requires("admin")
async def credentials() -> Any:
    """Which credentials are configured and where from; never their values."""
    config = the_appliance().config
    rows = [
        {
            "name": f"[{s.section}] {s.key}",
            "help": s.help,
            "configured": bool(config.get(s.section, s.key)),
            "origin": _origin(config.origins.get((s.section, s.key), "")),
        }
        for s in SETTINGS
        if s.secret
    ]
    server = config.server
    return await page(
        "settings/credentials.html",
        rows=rows,
        whatsapp=config.whatsapp,
        tls=bool(server.tls_certfile),
        networks=server.allowed_networks,
        demo=config.demo,
    )


def _origin(raw: str) -> str:
    if raw.startswith("environment "):
        return gettext("variabile d'ambiente {name}", name=raw.removeprefix("environment "))
    return gettext(ORIGINS[raw]) if raw in ORIGINS else ""
