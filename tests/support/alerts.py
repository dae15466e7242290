"""Small helpers shared by the alert tests."""

from __future__ import annotations

from datetime import datetime

from appliance.feeds.alerts import ALERTS
from appliance.feeds.words import TZ

LOMBARDY_LINK = "https://www.allertalom.regione.lombardia.it/allerta"
LOMBARDY_CREDIT = "Fonte: Regione Lombardia – Protezione Civile (allertaLOM)"
OFFER_IT = (
    "Per ricevere le allerte su WhatsApp iscriviti al servizio (opzione 4 del menu) "
    "e scegli l'argomento «allerte»."
)


def rome(day: int, hour: int, month: int = 9) -> datetime:
    """A Rome-time moment in September 2026."""
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


def monitor(running):
    return running.appliance.parts[ALERTS]


def poll(running, source: str):
    return running.call(monitor(running).poll_now(source))


def alerts_text(running, language: str = "it") -> str:
    return running.call(monitor(running).text(language))


def events(running) -> list:
    return running.call(monitor(running).changes())


def risk_error(running, risk: str, source: str = "lombardy") -> str:
    """The last error of one risk of a source, in words."""
    return monitor(running).risk_status[source][risk].last_error


def health(running, key: str):
    checks = running.call(running.appliance.health.snapshot())
    return next(c for c in checks if c.key == key)


def serve_lombardy(fake, thunderstorm: str, hydrogeological: str = "allertalom_im06_green.xml"):
    fake.serve("/lista-zone?cdTipologiaGis=7", thunderstorm)
    fake.serve("/lista-zone?cdTipologiaGis=9", hydrogeological)
