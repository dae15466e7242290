"""A feed failure in words a clerk understands, followed by the technical detail."""

from __future__ import annotations

import re

from appliance.feeds.fetch import FeedError, FeedFormatError, NoZoneData

# (pattern in the technical message, Italian words), first match wins.
_NETWORK = (
    (r"CERTIFICATE_VERIFY_FAILED|SSL|certificate", "certificato del server non verificabile"),
    (r"did not answer within", "nessuna risposta entro il tempo massimo"),
    (r"HTTP 404", "indirizzo non trovato (HTTP 404)"),
    (r"HTTP 5\d\d", "servizio momentaneamente non disponibile"),
    (r"HTTP \d+", "risposta di errore del servizio"),
    (r"unreachable", "servizio irraggiungibile (connessione a Internet assente?)"),
)
_FORMAT = (
    (r"web page", "il servizio risponde con una pagina web invece dei dati (manutenzione?)"),
    (r"hostile XML", "risposta rifiutata perché potenzialmente pericolosa"),
    (r"too large|larger than the limit", "risposta troppo grande"),
)


def explain(err: Exception) -> str:
    """``parole: dettaglio`` for the Alerts page, the dashboard and the log."""
    detail = str(err)
    if isinstance(err, NoZoneData):
        words = "nessun dato per la zona del Comune"
    elif isinstance(err, FeedFormatError):
        words = _first(_FORMAT, detail, "risposta illeggibile o incompleta")
    elif isinstance(err, FeedError):
        words = _first(_NETWORK, detail, "servizio non raggiungibile")
    else:
        words = "errore interno dell'apparecchio"
    return f"{words}: {detail}"


def _first(table: tuple[tuple[str, str], ...], detail: str, default: str) -> str:
    return next((words for pattern, words in table if re.search(pattern, detail)), default)
