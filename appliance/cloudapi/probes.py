"""Health probes of the Cloud API side: webhooks arriving and processed, the token working."""

from __future__ import annotations

import time

from appliance.cloudapi.client import CloudApiClient
from appliance.cloudapi.deliveries import Deliveries
from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check, Probe
from appliance.core.text import N_, N_plural, Text

WEBHOOK, API = N_("Webhook"), N_("API WhatsApp")


def webhook_probe(deliveries: Deliveries, silence_minutes: int) -> Probe:
    """Last webhook received and the dead letters waiting for staff."""

    async def probe() -> Check:
        dead = await deliveries.dead_letter_count()
        last = deliveries.last_received_at
        seen = N_("ultimo {ago}", ago=_ago(time.time() - last)) if last else N_("mai ricevuto")
        if dead:
            return Check(
                "webhook",
                WARN,
                WEBHOOK,
                N_("{seen}; {dead} da rielaborare", seen=seen, dead=dead),
                N_plural(
                    "Un messaggio o stato ricevuto da Meta non è stato elaborato dopo vari "
                    "tentativi. Aprire l'elenco, leggere l'errore e premere «Riprova».",
                    "{n} messaggi o stati ricevuti da Meta non sono stati elaborati dopo vari "
                    "tentativi. Aprire l'elenco, leggere l'errore e premere «Riprova».",
                    dead,
                ),
            )
        if last is None:
            return Check(
                "webhook",
                UNKNOWN,
                WEBHOOK,
                seen,
                N_(
                    "Meta non ha ancora inviato nulla. Controllare il tunnel e l'URL del webhook "
                    "nel pannello di Meta (WhatsApp > Configurazione)."
                ),
            )
        if time.time() - last > silence_minutes * 60:
            return Check(
                "webhook",
                WARN,
                WEBHOOK,
                seen,
                N_(
                    "Da molto tempo non arrivano notifiche da Meta: il tunnel potrebbe essere "
                    "spento o l'URL del webhook cambiato. Verificare il tunnel e la "
                    "configurazione."
                ),
            )
        return Check("webhook", OK, WEBHOOK, seen)

    return probe


def client_probe(client: CloudApiClient) -> Probe:
    """Whether the access token worked at the last call."""

    async def probe() -> Check:
        failed_at, ok_at = client.last_auth_error_at, client.last_success_at
        if failed_at is not None and (ok_at is None or failed_at > ok_at):
            return Check(
                "cloudapi",
                ERROR,
                API,
                N_("errore {ago}", ago=_ago(time.time() - failed_at)),
                N_(
                    "Meta rifiuta le richieste: il token di accesso è scaduto o mancano permessi "
                    "({error}). Creare un token permanente di un utente di sistema e aggiornare "
                    "la configurazione.",
                    error=client.last_auth_error,
                ),
            )
        if ok_at is None:
            return Check("cloudapi", UNKNOWN, API, N_("nessuna richiesta ancora"))
        return Check(
            "cloudapi", OK, API, N_("ultima risposta {ago}", ago=_ago(time.time() - ok_at))
        )

    return probe


def _ago(seconds: float) -> Text:
    if seconds < 90:
        return N_("pochi secondi fa")
    if seconds < 5400:
        return N_plural("{n} minuto fa", "{n} minuti fa", round(seconds / 60))
    if seconds < 2 * 86400:
        return N_plural("{n} ora fa", "{n} ore fa", round(seconds / 3600))
    return N_plural("{n} giorno fa", "{n} giorni fa", round(seconds / 86400))
