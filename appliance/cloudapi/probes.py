"""Health probes of the Cloud API side: webhooks arriving and processed, the token working."""

from __future__ import annotations

import time

from appliance.cloudapi.client import CloudApiClient
from appliance.cloudapi.deliveries import Deliveries
from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check, Probe


def webhook_probe(deliveries: Deliveries, silence_minutes: int) -> Probe:
    """Last webhook received and the dead letters waiting for staff."""

    async def probe() -> Check:
        dead = await deliveries.dead_letter_count()
        last = deliveries.last_received_at
        seen = f"ultimo {_ago(time.time() - last)}" if last else "mai ricevuto"
        if dead:
            return Check(
                "webhook",
                WARN,
                "Webhook",
                f"{seen}; {dead} da rielaborare",
                f"{dead} messaggi o stati ricevuti da Meta non sono stati elaborati dopo vari "
                "tentativi. Aprire l'elenco, leggere l'errore e premere «Riprova».",
            )
        if last is None:
            return Check(
                "webhook",
                UNKNOWN,
                "Webhook",
                seen,
                "Meta non ha ancora inviato nulla. Controllare il tunnel e l'URL del webhook "
                "nel pannello di Meta (WhatsApp > Configurazione).",
            )
        if time.time() - last > silence_minutes * 60:
            return Check(
                "webhook",
                WARN,
                "Webhook",
                seen,
                "Da molto tempo non arrivano notifiche da Meta: il tunnel potrebbe essere "
                "spento o l'URL del webhook cambiato. Verificare il tunnel e la configurazione.",
            )
        return Check("webhook", OK, "Webhook", seen)

    return probe


def client_probe(client: CloudApiClient) -> Probe:
    """Whether the access token worked at the last call."""

    async def probe() -> Check:
        failed_at, ok_at = client.last_auth_error_at, client.last_success_at
        if failed_at is not None and (ok_at is None or failed_at > ok_at):
            return Check(
                "cloudapi",
                ERROR,
                "API WhatsApp",
                f"errore {_ago(time.time() - failed_at)}",
                "Meta rifiuta le richieste: il token di accesso è scaduto o mancano permessi "
                f"({client.last_auth_error}). Creare un token permanente di un utente di "
                "sistema e aggiornare la configurazione.",
            )
        if ok_at is None:
            return Check("cloudapi", UNKNOWN, "API WhatsApp", "nessuna richiesta ancora")
        return Check("cloudapi", OK, "API WhatsApp", f"ultima risposta {_ago(time.time() - ok_at)}")

    return probe


def _ago(seconds: float) -> str:
    if seconds < 90:
        return "pochi secondi fa"
    if seconds < 5400:
        return f"{round(seconds / 60)} minuti fa"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} ore fa"
    return f"{round(seconds / 86400)} giorni fa"
