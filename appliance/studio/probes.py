"""The studio's dashboard line: is there an approved template for people outside the window?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.core.health import Check, Probe
from appliance.core.text import N_, N_plural, Text

if TYPE_CHECKING:
    from appliance.cloudapi.templates import TemplateCatalog

TITLE = N_("Modelli approvati")


def templates_probe(catalog: TemplateCatalog) -> Probe:
    """Warn while no template is approved: campaigns could reach only people inside the window."""

    async def probe() -> Check:
        approved = [t for t in catalog.all() if t.get("status") == "APPROVED"]
        paused = [t["name"] for t in catalog.all() if t.get("status") in ("PAUSED", "DISABLED")]
        if not approved:
            return Check(
                "studio_templates",
                "warn",
                TITLE,
                N_("nessuno"),
                N_(
                    "Senza un modello approvato le campagne raggiungono solo chi ha scritto al "
                    "Comune nelle ultime 24 ore. Apri la pagina Modelli e invia in revisione i "
                    "modelli pronti: Meta può impiegare fino a un giorno."
                ),
            )
        if paused:
            return Check(
                "studio_templates",
                "warn",
                TITLE,
                N_(
                    "{approved} approvati; sospesi: {paused}",
                    approved=len(approved),
                    paused=Text.join(", ", sorted(paused)),
                ),
                N_(
                    "Meta ha sospeso o disattivato alcuni modelli per la qualità: le campagne "
                    "che li usano vanno in pausa. Scegli un altro modello nella composizione."
                ),
            )
        return Check(
            "studio_templates",
            "ok",
            TITLE,
            N_plural("{n} approvato", "{n} approvati", len(approved)),
        )

    return probe
