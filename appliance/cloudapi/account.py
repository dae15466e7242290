"""Account and number health: Meta's notices (bans, restrictions, quality, errors) in plain words.

Each notice that changes what the comune can send becomes a standing per topic (account,
number quality, templates' quality, account errors); the dashboard line shows the worst,
the LED follows it, and every change is in the audit log. The standings are rebuilt from the
stored webhook events at start, so a restart forgets nothing.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.cloudapi.codes import Action, rule_for
from appliance.cloudapi.events import (
    AccountErrors,
    AccountNotice,
    Event,
    TemplateStatusUpdate,
    to_event,
)
from appliance.core import audit
from appliance.core.health import ERROR, OK, WARN, Check, Probe

if TYPE_CHECKING:
    from appliance.core.db import Database

log = logging.getLogger(__name__)

CHECK_KEY = "account"
TITLE = "Account WhatsApp"
_SEVERITY = {OK: 0, WARN: 1, ERROR: 2}
_RESTRICTIONS = {
    "RESTRICTED_BIZ_INITIATED_MESSAGING": "non può avviare conversazioni (campagne e avvisi)",
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING": "non può rispondere ai cittadini",
    "RESTRICTED_ADD_PHONE_NUMBER_ACTION": "non può aggiungere numeri",
}


@dataclass(frozen=True)
class Standing:
    """What one topic's latest notice means: level, a short value and what to do."""

    topic: str
    level: str
    value: str
    explanation: str = ""
    at: float = 0.0


def standing_of(event: Event) -> Standing | None:
    """The standing a notice sets, or None when it changes nothing for sending."""
    if isinstance(event, AccountErrors):
        return _errors(event)
    if isinstance(event, TemplateStatusUpdate):
        return _template_status(event)
    if not isinstance(event, AccountNotice):
        return None
    if event.field_name == "account_update":
        return _account(event.event, event.value)
    if event.field_name == "phone_number_quality_update":
        return _quality(event.event, event.value)
    if event.field_name == "message_template_quality_update":
        return _template_quality(event.value)
    return None


def _account(name: str, value: dict[str, Any]) -> Standing | None:
    if name == "DISABLED_UPDATE":
        ban = value.get("ban_info") if isinstance(value.get("ban_info"), dict) else {}
        state, date = str(ban.get("waba_ban_state") or ""), _italian_date(ban.get("waba_ban_date"))
        if state == "REINSTATE":
            return Standing("account", OK, "riattivato da Meta")
        when = f" dal {date}" if date else ""
        return Standing(
            "account",
            ERROR,
            f"Meta disattiva l'account{when}",
            f"Meta ha deciso di disattivare l'account WhatsApp del Comune{when}: dopo, nessun "
            "messaggio potrà essere inviato. Aprire Meta Business Suite > Qualità dell'account "
            "e chiedere una revisione; nel frattempo avvisare i cittadini con altri canali.",
        )
    if name == "ACCOUNT_RESTRICTION":
        items = (
            value.get("restriction_info") if isinstance(value.get("restriction_info"), list) else []
        )
        limits = [
            _RESTRICTIONS.get(str(i.get("restriction_type")), str(i.get("restriction_type")))
            for i in items
            if isinstance(i, dict)
        ]
        return Standing(
            "account",
            ERROR,
            "limitato da Meta",
            "Meta ha limitato l'account WhatsApp: "
            + ("; ".join(limits) or "alcune funzioni sono bloccate")
            + ". Di solito dipende da molte segnalazioni dei cittadini. Controllare Meta "
            "Business Suite > Qualità dell'account e sospendere le campagne non urgenti.",
        )
    if name == "ACCOUNT_VIOLATION":
        info = value.get("violation_info") if isinstance(value.get("violation_info"), dict) else {}
        kind = str(info.get("violation_type") or "non indicata")
        return Standing(
            "account",
            WARN,
            "violazione segnalata",
            f"Meta segnala una violazione delle regole di WhatsApp (tipo: {kind}). Altre "
            "violazioni possono portare a limiti o alla disattivazione: rileggere i messaggi "
            "inviati di recente e le regole di Meta.",
        )
    if name in ("ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"):
        return Standing(
            "account",
            ERROR,
            "scollegato da Meta",
            "L'account WhatsApp non è più collegato a questa applicazione: nessun messaggio "
            "può essere inviato. Controllare in Meta Business Suite chi lo ha scollegato.",
        )
    if name in ("ACCOUNT_RECONNECTED", "VERIFIED_ACCOUNT"):
        return Standing("account", OK, "attivo")
    return None  # partners, pricing tiers, terms signed: nothing changes for sending


_MONTHS = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
).split()


def _italian_date(value: Any) -> str:
    """Meta writes ban dates in English ("January 31, 2021"): in Italian when it parses."""
    text = str(value or "").strip()
    try:
        day = datetime.strptime(text, "%B %d, %Y")
    except ValueError:
        return text
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _quality(name: str, value: dict[str, Any]) -> Standing | None:
    limit = str(value.get("current_limit") or value.get("new_limit") or "")
    limit_words = f" (limite attuale: {limit.removeprefix('TIER_')})" if limit else ""
    if name == "FLAGGED":
        return Standing(
            "quality",
            WARN,
            "qualità del numero bassa",
            f"Molti cittadini hanno bloccato o segnalato i messaggi{limit_words}. Se la qualità "
            "non migliora in 7 giorni Meta riduce il numero di persone raggiungibili al giorno: "
            "inviare meno campagne e solo a chi le ha chieste.",
        )
    if name == "DOWNGRADE":
        return Standing(
            "quality",
            WARN,
            f"limite giornaliero ridotto{limit_words}",
            "Meta ha ridotto il numero di persone raggiungibili al giorno fuori dalle "
            "conversazioni aperte: le campagne grandi richiederanno più giorni.",
        )
    if name in ("UNFLAGGED", "UPGRADE", "ONBOARDING"):
        return Standing("quality", OK, f"buona{limit_words}")
    return None


def _template_quality(value: dict[str, Any]) -> Standing:
    name = str(value.get("message_template_name") or "")
    score = str(value.get("new_quality_score") or "").upper()
    if score in ("RED", "YELLOW"):
        words = "bassa" if score == "RED" else "in calo"
        return Standing(
            "template_quality",
            WARN,
            f"modello «{name}»: qualità {words}",
            f"I cittadini reagiscono male al modello «{name}» (qualità {words}): Meta "
            "potrebbe sospenderlo. Rivederne il testo o usarlo meno spesso.",
        )
    return Standing("template_quality", OK, f"modello «{name}»: qualità buona")


def _template_status(event: TemplateStatusUpdate) -> Standing:
    topic, name, status = f"template:{event.name}:{event.language}", event.name, event.event.upper()
    if status == "PAUSED":
        return Standing(
            topic,
            WARN,
            f"modello «{name}» sospeso da Meta",
            f"Meta ha sospeso il modello «{name}» per la bassa qualità: i messaggi che lo usano "
            "vengono rifiutati finché non torna attivo. Scegliere un altro modello approvato.",
        )
    if status == "FLAGGED":
        return Standing(
            topic,
            WARN,
            f"modello «{name}» segnalato da Meta",
            f"Il modello «{name}» ha ricevuto molte reazioni negative: Meta potrebbe sospenderlo "
            "a breve. Rivederne il testo o usarlo meno spesso.",
        )
    if status in ("DISABLED", "REJECTED", "PENDING_DELETION", "DELETED"):
        return Standing(
            topic,
            WARN,
            f"modello «{name}» non più utilizzabile",
            f"Meta ha messo il modello «{name}» in stato {status}: crearne uno nuovo o sceglierne "
            "un altro nella pagina Modelli.",
        )
    return Standing(topic, OK, f"modello «{name}» attivo")


def _errors(event: AccountErrors) -> Standing | None:
    for error in event.errors:
        rule = rule_for(error.code)
        if rule.action is Action.OPERATOR_ALERT:
            return Standing(
                "errors",
                ERROR,
                f"errore dell'account (codice {error.code})",
                f"Meta segnala un problema dell'account: {rule.meaning}"
                f"{f' ({error.details or error.message})' if error.details or error.message else ''}"
                ". Controllare Meta Business Suite e il token di accesso.",
            )
    return None


class AccountHealth:
    """Webhook subscriber for account notices and errors; the dashboard's "Account" line."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.standings: dict[str, Standing] = {}

    async def start(self) -> None:
        """Rebuild the standings from the notices already received."""
        rows = await self._db.fetchall(
            "SELECT dedupe_key, kind, record, created_at FROM webhook_events"
            " WHERE kind IN ('account_update', 'error', 'template_status') ORDER BY id"
        )
        for row in rows:
            event = to_event(row["dedupe_key"], row["kind"], json.loads(row["record"]))
            standing = standing_of(event)
            if standing is not None:
                self.standings[standing.topic] = _at(standing, row["created_at"])

    async def stop(self) -> None:
        """Forget the standings (the next start rebuilds them from the stored events)."""
        self.standings = {}

    async def on_event(self, event: Event) -> None:
        """Keep the standing of the notice's topic; audit every change."""
        standing = standing_of(event)
        if standing is None:
            return
        standing = _at(standing, time.time())
        before = self.standings.get(standing.topic)
        self.standings[standing.topic] = standing
        if before is None or (before.level, before.value) != (standing.level, standing.value):
            await audit.record(self._db, "meta", "account.notice", standing.topic, standing.value)
            if standing.level != OK:
                log.warning("Meta account notice: %s", standing.value)

    def probe(self) -> Probe:
        """The worst standing as a health check (ok when Meta said nothing worrying)."""

        async def probe() -> Check:
            worst = max(
                self.standings.values(), key=lambda s: (_SEVERITY[s.level], s.at), default=None
            )
            if worst is None or worst.level == OK:
                return Check(CHECK_KEY, OK, TITLE, worst.value if worst else "nessun avviso")
            return Check(CHECK_KEY, worst.level, TITLE, worst.value, worst.explanation)

        return probe


def _at(standing: Standing, at: float) -> Standing:
    return Standing(standing.topic, standing.level, standing.value, standing.explanation, at)
