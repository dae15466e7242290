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
from collections.abc import Callable
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
from appliance.core.text import N_, Text

if TYPE_CHECKING:
    from appliance.core.db import Database

log = logging.getLogger(__name__)

CHECK_KEY = "account"
TITLE = N_("Account WhatsApp")
_SEVERITY = {OK: 0, WARN: 1, ERROR: 2}
_RESTRICTIONS = {
    "RESTRICTED_BIZ_INITIATED_MESSAGING": N_("non può avviare conversazioni (campagne e avvisi)"),
    "RESTRICTED_CUSTOMER_INITIATED_MESSAGING": N_("non può rispondere ai cittadini"),
    "RESTRICTED_ADD_PHONE_NUMBER_ACTION": N_("non può aggiungere numeri"),
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
        state, date = str(ban.get("waba_ban_state") or ""), _ban_date(ban.get("waba_ban_date"))
        if state == "REINSTATE":
            return Standing("account", OK, N_("riattivato da Meta"))
        when = N_(" dal {date}", date=date) if date else ""
        return Standing(
            "account",
            ERROR,
            N_("Meta disattiva l'account{when}", when=when),
            N_(
                "Meta ha deciso di disattivare l'account WhatsApp del Comune{when}: dopo, "
                "nessun messaggio potrà essere inviato. Aprire Meta Business Suite > Qualità "
                "dell'account e chiedere una revisione; nel frattempo avvisare i cittadini con "
                "altri canali.",
                when=when,
            ),
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
            N_("limitato da Meta"),
            N_(
                "Meta ha limitato l'account WhatsApp: {limits}. Di solito dipende da molte "
                "segnalazioni dei cittadini. Controllare Meta Business Suite > Qualità "
                "dell'account e sospendere le campagne non urgenti.",
                limits=Text.join("; ", limits) if limits else N_("alcune funzioni sono bloccate"),
            ),
        )
    if name == "ACCOUNT_VIOLATION":
        info = value.get("violation_info") if isinstance(value.get("violation_info"), dict) else {}
        kind = str(info.get("violation_type") or "") or N_("non indicata")
        return Standing(
            "account",
            WARN,
            N_("violazione segnalata"),
            N_(
                "Meta segnala una violazione delle regole di WhatsApp (tipo: {kind}). Altre "
                "violazioni possono portare a limiti o alla disattivazione: rileggere i "
                "messaggi inviati di recente e le regole di Meta.",
                kind=kind,
            ),
        )
    if name in ("ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"):
        return Standing(
            "account",
            ERROR,
            N_("scollegato da Meta"),
            N_(
                "L'account WhatsApp non è più collegato a questa applicazione: nessun messaggio "
                "può essere inviato. Controllare in Meta Business Suite chi lo ha scollegato."
            ),
        )
    if name in ("ACCOUNT_RECONNECTED", "VERIFIED_ACCOUNT"):
        return Standing("account", OK, N_("attivo"))
    return None  # partners, pricing tiers, terms signed: nothing changes for sending


_MONTHS = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
).split()


def _ban_date(value: Any) -> str | Callable[[str], str]:
    """Meta writes ban dates in English ("January 31, 2021"): in Italian for Italian readers."""
    text = str(value or "").strip()
    try:
        day = datetime.strptime(text, "%B %d, %Y")
    except ValueError:
        return text
    italian = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return lambda language: italian if language == "it" else text


def _quality(name: str, value: dict[str, Any]) -> Standing | None:
    limit = str(value.get("current_limit") or value.get("new_limit") or "")
    limit_words = (
        N_(" (limite attuale: {limit})", limit=limit.removeprefix("TIER_")) if limit else ""
    )
    if name == "FLAGGED":
        return Standing(
            "quality",
            WARN,
            N_("qualità del numero bassa"),
            N_(
                "Molti cittadini hanno bloccato o segnalato i messaggi{limit}. Se la qualità "
                "non migliora in 7 giorni Meta riduce il numero di persone raggiungibili al "
                "giorno: inviare meno campagne e solo a chi le ha chieste.",
                limit=limit_words,
            ),
        )
    if name == "DOWNGRADE":
        return Standing(
            "quality",
            WARN,
            N_("limite giornaliero ridotto{limit}", limit=limit_words),
            N_(
                "Meta ha ridotto il numero di persone raggiungibili al giorno fuori dalle "
                "conversazioni aperte: le campagne grandi richiederanno più giorni."
            ),
        )
    if name in ("UNFLAGGED", "UPGRADE", "ONBOARDING"):
        return Standing("quality", OK, N_("buona{limit}", limit=limit_words))
    return None


def _template_quality(value: dict[str, Any]) -> Standing:
    name = str(value.get("message_template_name") or "")
    score = str(value.get("new_quality_score") or "").upper()
    if score in ("RED", "YELLOW"):
        words = N_("bassa") if score == "RED" else N_("in calo")
        return Standing(
            "template_quality",
            WARN,
            N_("modello «{name}»: qualità {words}", name=name, words=words),
            N_(
                "I cittadini reagiscono male al modello «{name}» (qualità {words}): Meta "
                "potrebbe sospenderlo. Rivederne il testo o usarlo meno spesso.",
                name=name,
                words=words,
            ),
        )
    return Standing("template_quality", OK, N_("modello «{name}»: qualità buona", name=name))


def _template_status(event: TemplateStatusUpdate) -> Standing:
    topic, name, status = f"template:{event.name}:{event.language}", event.name, event.event.upper()
    if status == "PAUSED":
        return Standing(
            topic,
            WARN,
            N_("modello «{name}» sospeso da Meta", name=name),
            N_(
                "Meta ha sospeso il modello «{name}» per la bassa qualità: i messaggi che lo "
                "usano vengono rifiutati finché non torna attivo. Scegliere un altro modello "
                "approvato.",
                name=name,
            ),
        )
    if status == "FLAGGED":
        return Standing(
            topic,
            WARN,
            N_("modello «{name}» segnalato da Meta", name=name),
            N_(
                "Il modello «{name}» ha ricevuto molte reazioni negative: Meta potrebbe "
                "sospenderlo a breve. Rivederne il testo o usarlo meno spesso.",
                name=name,
            ),
        )
    if status in ("DISABLED", "REJECTED", "PENDING_DELETION", "DELETED"):
        return Standing(
            topic,
            WARN,
            N_("modello «{name}» non più utilizzabile", name=name),
            N_(
                "Meta ha messo il modello «{name}» in stato {status}: crearne uno nuovo o "
                "sceglierne un altro nella pagina Modelli.",
                name=name,
                status=status,
            ),
        )
    return Standing(topic, OK, N_("modello «{name}» attivo", name=name))


def _errors(event: AccountErrors) -> Standing | None:
    for error in event.errors:
        rule = rule_for(error.code)
        if rule.action is Action.OPERATOR_ALERT:
            detail = error.details or error.message
            return Standing(
                "errors",
                ERROR,
                N_("errore dell'account (codice {code})", code=error.code),
                N_(
                    "Meta segnala un problema dell'account: {meaning}{detail}. Controllare Meta "
                    "Business Suite e il token di accesso.",
                    meaning=rule.meaning,
                    detail=" (" + detail + ")" if detail else "",
                ),
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

    def current(self) -> Check:
        """Every standing that needs attention, worst first; the latest good news otherwise.

        One line for the dashboard: a quality warning never hides behind a ban.
        """
        ordered = sorted(
            self.standings.values(), key=lambda s: (-_SEVERITY[s.level], -s.at, s.topic)
        )
        worries = [s for s in ordered if s.level != OK]
        if not worries:
            latest = max(ordered, key=lambda s: s.at, default=None)
            return Check(CHECK_KEY, OK, TITLE, latest.value if latest else N_("nessun avviso"))
        # Numbered when there are several, so each explanation is found beside its line.
        marks = [f"{n}) " if len(worries) > 1 else "" for n in range(1, len(worries) + 1)]
        pairs = list(zip(marks, worries, strict=True))
        return Check(
            CHECK_KEY,
            worries[0].level,
            TITLE,
            Text.join("; ", [Text.join("", (m, s.value)) for m, s in pairs]),
            Text.join(" ", [Text.join("", (m, s.explanation)) for m, s in pairs if s.explanation]),
        )

    def probe(self) -> Probe:
        """The account's health check (ok when Meta said nothing worrying)."""

        async def probe() -> Check:
            return self.current()

        return probe


def _at(standing: Standing, at: float) -> Standing:
    return Standing(standing.topic, standing.level, standing.value, standing.explanation, at)
