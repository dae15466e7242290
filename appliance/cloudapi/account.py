"""Account and number health: Meta's notices (bans, restrictions, quality, errors) in plain words.

Each notice that changes what the comune can send becomes a standing per topic (account,
number quality, templates' quality, account errors); the dashboard line shows every standing
that needs attention, worst first, the LED follows the worst, and every change is in the
audit log. Texts are Italian, with English in ``catalog_en``. The standings are rebuilt from the
stored webhook events at start, so a restart forgets nothing.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.cloudapi.catalog_en import MESSAGES_EN
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
class Words:
    """Italian source text and its values; ``say`` fills it in the staff's language."""

    text: str
    values: tuple[tuple[str, Any], ...] = ()

    def say(self, language: str = "it") -> str:
        """The text in ``language`` (Italian when the catalog lacks it), values filled in."""
        source = MESSAGES_EN.get(self.text, self.text) if language == "en" else self.text
        return source.format(**{k: _fill(v, language) for k, v in self.values})


def words(text: str, **values: Any) -> Words:
    """Words with named values; a value may itself be Words, or a tuple of them (a list)."""
    return Words(text, tuple(values.items()))


def _fill(value: Any, language: str) -> str:
    if isinstance(value, Words):
        return value.say(language)
    if isinstance(value, tuple):
        return "; ".join(_fill(v, language) for v in value)
    return str(value)


@dataclass(frozen=True)
class Standing:
    """What one topic's latest notice means: level, a short value and what to do."""

    topic: str
    level: str
    value: Words
    explanation: Words | None = None
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
            return Standing("account", OK, words("riattivato da Meta"))
        what = "Meta ha deciso di disattivare l'account WhatsApp del Comune"
        then = (
            ": dopo, nessun messaggio potrà essere inviato. Aprire Meta Business Suite > Qualità "
            "dell'account e chiedere una revisione; nel frattempo avvisare i cittadini con altri "
            "canali."
        )
        if date:
            return Standing(
                "account",
                ERROR,
                words("Meta disattiva l'account dal {date}", date=date),
                words(what + " dal {date}" + then, date=date),
            )
        return Standing("account", ERROR, words("Meta disattiva l'account"), words(what + then))
    if name == "ACCOUNT_RESTRICTION":
        items = (
            value.get("restriction_info") if isinstance(value.get("restriction_info"), list) else []
        )
        limits = tuple(
            words(_RESTRICTIONS[kind]) if kind in _RESTRICTIONS else kind
            for kind in (str(i.get("restriction_type")) for i in items if isinstance(i, dict))
        )
        return Standing(
            "account",
            ERROR,
            words("limitato da Meta"),
            words(
                "Meta ha limitato l'account WhatsApp: {limits}. Di solito dipende da molte "
                "segnalazioni dei cittadini. Controllare Meta Business Suite > Qualità "
                "dell'account e sospendere le campagne non urgenti.",
                limits=limits or words("alcune funzioni sono bloccate"),
            ),
        )
    if name == "ACCOUNT_VIOLATION":
        info = value.get("violation_info") if isinstance(value.get("violation_info"), dict) else {}
        kind = info.get("violation_type") or words("non indicata")
        return Standing(
            "account",
            WARN,
            words("violazione segnalata"),
            words(
                "Meta segnala una violazione delle regole di WhatsApp (tipo: {kind}). Altre "
                "violazioni possono portare a limiti o alla disattivazione: rileggere i messaggi "
                "inviati di recente e le regole di Meta.",
                kind=kind,
            ),
        )
    if name in ("ACCOUNT_DELETED", "ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"):
        return Standing(
            "account",
            ERROR,
            words("scollegato da Meta"),
            words(
                "L'account WhatsApp non è più collegato a questa applicazione: nessun messaggio "
                "può essere inviato. Controllare in Meta Business Suite chi lo ha scollegato."
            ),
        )
    if name in ("ACCOUNT_RECONNECTED", "VERIFIED_ACCOUNT"):
        return Standing("account", OK, words("attivo"))
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
    tier = str(value.get("current_limit") or value.get("new_limit") or "").removeprefix("TIER_")
    limit: Any = words(" (limite attuale: {tier})", tier=tier) if tier else ""
    if name == "FLAGGED":
        return Standing(
            "quality",
            WARN,
            words("qualità del numero bassa"),
            words(
                "Molti cittadini hanno bloccato o segnalato i messaggi{limit}. Se la qualità non "
                "migliora in 7 giorni Meta riduce il numero di persone raggiungibili al giorno: "
                "inviare meno campagne e solo a chi le ha chieste.",
                limit=limit,
            ),
        )
    if name == "DOWNGRADE":
        return Standing(
            "quality",
            WARN,
            words("limite giornaliero ridotto{limit}", limit=limit),
            words(
                "Meta ha ridotto il numero di persone raggiungibili al giorno fuori dalle "
                "conversazioni aperte: le campagne grandi richiederanno più giorni."
            ),
        )
    if name in ("UNFLAGGED", "UPGRADE", "ONBOARDING"):
        return Standing("quality", OK, words("qualità buona{limit}", limit=limit))
    return None


def _template_quality(value: dict[str, Any]) -> Standing:
    name = str(value.get("message_template_name") or "")
    score = str(value.get("new_quality_score") or "").upper()
    if score in ("RED", "YELLOW"):
        how = words("bassa") if score == "RED" else words("in calo")
        return Standing(
            "template_quality",
            WARN,
            words("modello «{name}»: qualità {how}", name=name, how=how),
            words(
                "I cittadini reagiscono male al modello «{name}» (qualità {how}): Meta potrebbe "
                "sospenderlo. Rivederne il testo o usarlo meno spesso.",
                name=name,
                how=how,
            ),
        )
    return Standing("template_quality", OK, words("modello «{name}»: qualità buona", name=name))


def _template_status(event: TemplateStatusUpdate) -> Standing:
    topic, name, status = f"template:{event.name}:{event.language}", event.name, event.event.upper()
    if status == "PAUSED":
        return Standing(
            topic,
            WARN,
            words("modello «{name}» sospeso da Meta", name=name),
            words(
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
            words("modello «{name}» segnalato da Meta", name=name),
            words(
                "Il modello «{name}» ha ricevuto molte reazioni negative: Meta potrebbe "
                "sospenderlo a breve. Rivederne il testo o usarlo meno spesso.",
                name=name,
            ),
        )
    if status in ("DISABLED", "REJECTED", "PENDING_DELETION", "DELETED"):
        return Standing(
            topic,
            WARN,
            words("modello «{name}» non più utilizzabile", name=name),
            words(
                "Meta ha messo il modello «{name}» in stato {status}: crearne uno nuovo o "
                "sceglierne un altro nella pagina Modelli.",
                name=name,
                status=status,
            ),
        )
    return Standing(topic, OK, words("modello «{name}» attivo", name=name))


def _errors(event: AccountErrors) -> Standing | None:
    for error in event.errors:
        rule = rule_for(error.code)
        if rule.action is Action.OPERATOR_ALERT:
            said = error.details or error.message
            return Standing(
                "errors",
                ERROR,
                words("errore dell'account (codice {code})", code=error.code),
                words(
                    "Meta segnala un problema dell'account: {meaning}{said}. Controllare Meta "
                    "Business Suite e il token di accesso.",
                    meaning=rule.meaning,
                    said=f" ({said})" if said else "",
                ),
            )
    return None


class AccountHealth:
    """Inbox subscriber for account notices and errors; the dashboard's "Account" line."""

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
            said = standing.value.say()
            await audit.record(self._db, "meta", "account.notice", standing.topic, said)
            if standing.level != OK:
                log.warning("Meta account notice: %s", said)

    def current(self, language: str = "it") -> Check:
        """Every standing that needs attention, worst first; the latest good news otherwise.

        One line for the dashboard: a quality warning never hides behind a ban.
        """
        ordered = sorted(
            self.standings.values(), key=lambda s: (-_SEVERITY[s.level], -s.at, s.topic)
        )
        worries = [s for s in ordered if s.level != OK]
        if not worries:
            latest = max(ordered, key=lambda s: s.at, default=None)
            value = latest.value if latest else words("nessun avviso")
            return Check(CHECK_KEY, OK, TITLE, value.say(language))
        # Numbered when there are several, so each explanation is found beside its line.
        marks = [f"{n}) " if len(worries) > 1 else "" for n in range(1, len(worries) + 1)]
        return Check(
            CHECK_KEY,
            worries[0].level,
            TITLE,
            "; ".join(m + s.value.say(language) for m, s in zip(marks, worries, strict=True)),
            " ".join(
                m + s.explanation.say(language)
                for m, s in zip(marks, worries, strict=True)
                if s.explanation
            ),
        )

    def probe(self) -> Probe:
        """The account's health check (ok when Meta said nothing worrying)."""

        async def probe() -> Check:
            return self.current()

        return probe


def _at(standing: Standing, at: float) -> Standing:
    return replace(standing, at=at)
