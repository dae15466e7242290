"""Dashboard lines of the broadcast engine: the outbox, sending, the daily messaging limit."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from appliance.campaigns.limiter import CAMPAIGN, EMERGENCY, REPLY
from appliance.core.health import ERROR, OK, WARN, Check, Probe
from appliance.core.text import N_, N_plural

if TYPE_CHECKING:
    from appliance.campaigns.dispatcher import Dispatcher
    from appliance.core.db import Database

REPLY_WAIT_WARN = 60.0  # a citizen's answer waiting longer than this is news
OUTBOX, SENDING, LIMIT = N_("Coda di invio"), N_("Invio"), N_("Limite giornaliero")


def outbox_probe(db: Database, dispatcher: Dispatcher) -> Probe:
    """How many messages wait, per lane, and whether replies are stuck."""

    async def probe() -> Check:
        rows = await db.fetchall(
            "SELECT lane, count(*) AS n, min(created_at) AS oldest FROM outbox"
            " WHERE state = 'queued' AND claimed_at IS NULL GROUP BY lane"
        )
        waiting = {r["lane"]: (r["n"], r["oldest"]) for r in rows}
        total = sum(n for n, _ in waiting.values()) + dispatcher.ready_count()
        value = N_(
            "{total} in coda (emergenza {emergency}, risposte {replies}, campagne {campaigns}),"
            " {in_flight} in invio",
            total=total,
            emergency=waiting.get(EMERGENCY, (0, 0))[0],
            replies=waiting.get(REPLY, (0, 0))[0],
            campaigns=waiting.get(CAMPAIGN, (0, 0))[0],
            in_flight=dispatcher.in_flight,
        )
        oldest_reply = waiting.get(REPLY, (0, None))[1]
        if oldest_reply is not None and time.time() - oldest_reply > REPLY_WAIT_WARN:
            return Check(
                "outbox",
                WARN,
                OUTBOX,
                value,
                N_(
                    "Alcune risposte ai cittadini aspettano da più di un minuto. Controllare le "
                    "righe «Invio» e «API WhatsApp»: di solito Meta non risponde o il token non "
                    "vale più."
                ),
            )
        return Check("outbox", OK, OUTBOX, value)

    return probe


def sending_probe(db: Database, dispatcher: Dispatcher) -> Probe:
    """Sending or stopped, and why: the token alarm and campaigns paused by Meta's answers."""

    async def probe() -> Check:
        alert = dispatcher.alarms.auth
        if alert is not None:
            return Check(
                "sending",
                ERROR,
                SENDING,
                N_("fermo: Meta rifiuta il token (errore {code})", code=alert.code),
                N_(
                    "Tutti gli invii sono sospesi perché Meta non accetta il token di accesso "
                    "({error}). Creare un nuovo token permanente di un utente di sistema e "
                    "aggiornare la configurazione; l'invio riprende da solo appena il token "
                    "funziona.",
                    error=alert.message,
                ),
            )
        paused = await db.fetchall(
            "SELECT id, name, paused_reason FROM campaigns WHERE status = 'paused'"
            " AND paused_reason != '' ORDER BY id"
        )
        if paused:
            first = paused[0]
            return Check(
                "sending",
                WARN,
                SENDING,
                N_plural(
                    "{n} campagna sospesa da Meta", "{n} campagne sospese da Meta", len(paused)
                ),
                N_(
                    "La campagna «{name}» è stata sospesa perché Meta ha risposto {reason}. "
                    "Verificare la qualità del numero e il pagamento nel pannello di Meta, poi "
                    "riprendere la campagna.",
                    name=first["name"],
                    reason=first["paused_reason"],
                ),
            )
        rate = dispatcher.limiter.current_rate
        active = sum(1 for c in dispatcher.campaigns.values() if c.status == "sending")
        if active:
            return Check(
                "sending",
                OK,
                SENDING,
                N_plural(
                    "{n} campagna in invio, {rate} msg/s",
                    "{n} campagne in invio, {rate} msg/s",
                    active,
                    rate=round(rate),
                ),
            )
        return Check("sending", OK, SENDING, N_("nessuna campagna in invio"))

    return probe


def tier_probe(dispatcher: Dispatcher, db: Database) -> Probe:
    """The moving 24-hour messaging limit, and an emergency larger than what is left of it."""

    async def probe() -> Check:
        tier = dispatcher.tier
        used = tier.used()
        limit = tier.limit or N_("illimitato")
        value = N_("{used} destinatari nuovi in 24 ore su {limit}", used=used, limit=limit)
        if not tier.known:
            value = N_("{value} (limite non ancora letto da Meta)", value=value)
        if tier.blocked_emergency is not None:
            return Check(
                "messaging_limit",
                WARN,
                LIMIT,
                value,
                N_(
                    "L'emergenza in corso ha più destinatari di quanti il limite giornaliero di "
                    "Meta ne consenta: gli altri la riceveranno quando il limite si libera "
                    "(entro 24 ore) o se scade prima, mai. Avvisare con altri mezzi chi manca."
                ),
            )
        if tier.known and tier.limit:
            # Checked before anyone presses the button: an emergency goes to every active
            # subscriber, and people not reached in the last 24 hours count against the limit.
            active = await db.fetchval("SELECT count(*) FROM subscribers WHERE status = 'active'")
            available = max(0, tier.limit - used)
            if active > available:
                return Check(
                    "messaging_limit",
                    WARN,
                    LIMIT,
                    value,
                    N_(
                        "Un'emergenza inviata ora raggiungerebbe fino a {active} iscritti, ma il "
                        "limite giornaliero di Meta ne consente ancora {available}: gli altri "
                        "la riceverebbero solo quando il limite si libera. Chiedere a Meta un "
                        "limite più alto (verifica dell'azienda) e tenere pronti altri canali.",
                        active=active,
                        available=available,
                    ),
                )
        if tier.limit and used >= tier.limit:
            return Check(
                "messaging_limit",
                WARN,
                LIMIT,
                value,
                N_(
                    "Il limite giornaliero di Meta è raggiunto: i modelli verso nuove persone "
                    "aspettano che il limite si liberi."
                ),
            )
        return Check("messaging_limit", OK, LIMIT, value)

    return probe
