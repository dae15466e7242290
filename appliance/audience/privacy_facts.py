"""The legal facts a privacy notice needs (GDPR art. 13), and which of them are still missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database

# Staff edit these on the settings page (stored as "town_data.<key>", which wins over the
# config file's [privacy] key of the same meaning).
_FROM_SETTINGS = {
    "controller_name": "display_name",
    "controller_address": "address",
    "controller_pec": "pec",
    "dpo_contact": "dpo_contact",
    "legal_basis_act": "legal_basis_act",
}
# Required before a notice may be published, with the words staff and technicians read.
REQUIRED = {
    "legal_basis_act": ("l'atto che istituisce il servizio", "the act that lays down the service"),
    "controller_name": ("il nome del titolare", "the controller's name"),
    "controller_address": ("l'indirizzo del titolare", "the controller's address"),
    "controller_pec": ("la PEC del titolare", "the controller's PEC address"),
    "dpo_contact": ("il contatto del responsabile della protezione dei dati", "the DPO's contact"),
}


@dataclass(frozen=True)
class PrivacyFacts:
    """The controller, the DPO, the legal basis and the processors, as configured."""

    legal_basis_act: str
    controller_name: str
    controller_address: str
    controller_pec: str
    dpo_contact: str
    integrator: str

    @property
    def missing(self) -> list[str]:
        """Keys of the required facts that are still empty."""
        return [key for key in REQUIRED if not getattr(self, key).strip()]

    def missing_words(self, language: str = "it") -> list[str]:
        """The missing facts in words."""
        index = 1 if language == "en" else 0
        return [REQUIRED[key][index] for key in self.missing]


# Read by the app (aiosqlite) and by ``appliance check`` (sqlite3, read-only) alike.
SETTINGS_QUERY = (
    "SELECT key, value FROM settings WHERE key IN ("
    + ", ".join(f"'town_data.{k}'" for k in _FROM_SETTINGS.values())
    + ")"
)


async def privacy_facts(db: Database, config: Config) -> PrivacyFacts:
    """Each fact from the settings page, else from ``[privacy]`` in the config file."""
    rows = await db.fetchall(SETTINGS_QUERY)
    return facts_from({r["key"]: r["value"] for r in rows}, config)


def facts_from(settings: dict[str, str], config: Config) -> PrivacyFacts:
    """The facts from the settings table's rows (key → value) and the config file."""
    stored = {k.removeprefix("town_data."): (v or "").strip() for k, v in settings.items()}
    configured = config.privacy
    values = {
        fact: stored.get(setting) or str(getattr(configured, fact)).strip()
        for fact, setting in _FROM_SETTINGS.items()
    }
    values["controller_name"] = values["controller_name"] or f"Comune di {config.town.name}"
    return PrivacyFacts(**values, integrator=str(configured.integrator).strip())
