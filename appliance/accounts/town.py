"""Town display data staff may edit (contacts, hours); technical keys stay in the config file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.core.audit import detail as audit_detail
from appliance.core.audit import record_in
from appliance.core.db.settings import put_settings_in
from appliance.core.errors import BadRequest

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database

# Stored in the settings table as "town_data.<key>"; other capabilities may read them there.
KEY_PREFIX = "town_data."
MAX_LENGTH = 500


@dataclass(frozen=True)
class TownField:
    """One editable item: its key, Italian label and help text."""

    key: str
    label: str
    help: str = ""
    multiline: bool = False


TOWN_FIELDS = (
    TownField("display_name", "Nome mostrato ai cittadini", "Per esempio: Comune di Rota d'Imagna"),
    TownField("address", "Indirizzo del municipio"),
    TownField("phone", "Telefono"),
    TownField("email", "E-mail"),
    TownField("pec", "PEC"),
    TownField("office_hours", "Orari di apertura", multiline=True),
    TownField("dpo_contact", "Contatto del responsabile della protezione dei dati (RPD)"),
    TownField(
        "legal_basis_act",
        "Atto che istituisce il servizio (base giuridica dell'informativa)",
        "Per esempio: Deliberazione del Consiglio comunale n. 12 del 3 marzo 2026",
    ),
    TownField("accessibility_contact", "Contatto per segnalazioni sull'accessibilità"),
)
_KEYS = {f.key for f in TOWN_FIELDS}


async def town_data(db: Database, config: Config) -> dict[str, str]:
    """Every field's current value; the display name falls back to the configured name."""
    rows = await db.fetchall(
        "SELECT key, value FROM settings WHERE substr(key, 1, ?) = ?",
        (len(KEY_PREFIX), KEY_PREFIX),
    )
    stored = {r["key"].removeprefix(KEY_PREFIX): r["value"] for r in rows}
    values = {f.key: stored.get(f.key, "") for f in TOWN_FIELDS}
    values["display_name"] = values["display_name"] or f"Comune di {config.town.name}"
    return values


async def save_town_data(
    db: Database, config: Config, new: dict[str, str], actor: str, address: str
) -> list[str]:
    """Store changed fields with one audit row; return the keys that changed."""
    for key, value in new.items():
        if key not in _KEYS:
            raise BadRequest(f"unknown field {key}")
        if len(value) > MAX_LENGTH:
            raise BadRequest(f"{key}: at most {MAX_LENGTH} characters")
    current = await town_data(db, config)
    changed = [k for k, v in new.items() if v.strip() != current[k]]
    if not changed:
        return []

    async def job(conn: Any) -> None:
        await put_settings_in(conn, [(KEY_PREFIX + k, new[k].strip()) for k in changed])
        labels = {f.key: f.label for f in TOWN_FIELDS}
        detail = audit_detail("fields", fields_pairs=[[labels[k], new[k].strip()] for k in changed])
        await record_in(conn, actor, "settings.changed", "town_data", detail, address)

    await db.write(job)
    return changed
