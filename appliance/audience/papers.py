"""The DPO's papers (deliberation, register entry, DPIA outline, accessibility statement), filled in."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from appliance.audience.privacy_facts import PrivacyFacts, privacy_facts
from appliance.core.errors import NotFound
from appliance.lan.access import ROLES

if TYPE_CHECKING:
    from collections.abc import Callable

    from appliance.core.config import Config
    from appliance.core.db import Database

FOLDER = Path(__file__).with_name("papers")


@dataclass(frozen=True)
class Paper:
    """One model document: its file (a Jinja template of Markdown) and its title."""

    key: str
    title: str
    title_en: str

    @property
    def filename(self) -> str:
        """The name the download is saved under."""
        return f"{self.key}.md"


PAPERS = (
    Paper("deliberazione", "Schema di deliberazione del servizio", "Model council deliberation"),
    Paper(
        "registro_trattamenti", "Scheda del registro dei trattamenti", "Record of processing entry"
    ),
    Paper("dpia", "Traccia della valutazione d'impatto (DPIA)", "DPIA outline"),
    Paper(
        "dichiarazione_accessibilita",
        "Dichiarazione di accessibilità delle pagine pubbliche",
        "Accessibility statement of the public pages",
    ),
)
_BY_KEY = {p.key: p for p in PAPERS}
# Markdown, not HTML: the page that shows a paper escapes it like any other text.
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(FOLDER),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)


def paper(key: str) -> Paper:
    """The paper called ``key``, or NotFound."""
    try:
        return _BY_KEY[key]
    except KeyError as err:
        raise NotFound(f"no paper {key!r}") from err


# The roles as the papers name them (the staff pages' own labels live with the accounts).
_ROLE_WORDS = {"admin": "amministratore", "operator": "operatore", "editor": "redattore"}
CONTACT_QUERY = "SELECT value FROM settings WHERE key = 'town_data.accessibility_contact'"


async def paper_context(db: Database, config: Config) -> dict[str, Any]:
    """What the papers are filled with, read from the running box's database."""
    contact = await db.fetchval(CONTACT_QUERY)
    return context_from(await privacy_facts(db, config), contact or "", config)


def context_from(facts: PrivacyFacts, contact: str, config: Config) -> dict[str, Any]:
    """The legal facts, retention, roles and addresses the papers are filled with."""
    return {
        "facts": asdict(facts),
        "retention": config.retention.as_dict(),
        "roles": [_ROLE_WORDS.get(role, "lettore") for role in ROLES],
        "allowed_networks": list(config.server.allowed_networks),
        "public_url": config.server.public_url.rstrip("/"),
        "accessibility_contact": contact,
        "today": dt.date.today().strftime("%d/%m/%Y"),
    }


def render(key: str, context: dict[str, Any], finalize: Callable[[Any], str] | None = None) -> str:
    """The paper ``key`` filled with ``context`` (each filled-in value through ``finalize``)."""
    env = _ENV if finalize is None else _ENV.overlay(finalize=finalize)
    return env.get_template(paper(key).filename).render(context)
