"""Dead letters: Meta's notifications that failed every attempt, retried or dismissed by staff."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from quart import Blueprint, flash, redirect, url_for

from appliance.cloudapi.deliveries import DELIVERIES, DeadLetter, Deliveries
from appliance.cloudapi.events import Message, StatusUpdate
from appliance.core import audit
from appliance.core.errors import NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("deadletters", __name__, url_prefix="/dead-letters")
SHOWN = 200

# What each kind of notification is, and which step of the box failed on it (Italian source).
KINDS = {
    "message": "Messaggio di un cittadino",
    "status": "Stato di un messaggio inviato",
    "template_status": "Stato di un modello",
    "template_category": "Categoria di un modello",
    "user_preferences": "Preferenze di un cittadino",
    "error": "Errore segnalato da Meta",
    "unsupported": "Notifica non riconosciuta",
}
STEPS = {
    "conversation": "la risposta al cittadino",
    "outbox-statuses": "l'aggiornamento dello stato di un invio",
    "rate-inbound": "il conteggio dei messaggi ricevuti",
    "templates": "l'aggiornamento dei modelli",
    "studio-followup": "l'invio dei contenuti dopo «Leggi»",
    "studio-templates": "l'aggiornamento dei modelli delle campagne",
    "erasure-followup": "la conferma di una cancellazione dei dati",
}
# The last error, in words, by what its text contains (first match wins).
CAUSES = (
    ("database or disk is full", "il disco era pieno"),
    ("database is locked", "il database era occupato"),
    ("disk i/o error", "errore di lettura o scrittura del disco"),
    ("timeout", "Meta o la rete non hanno risposto in tempo"),
    ("connect", "la rete non era raggiungibile"),
)


@dataclass(frozen=True)
class Shown:
    """A dead letter as the page lists it."""

    id: int
    when: str
    kind: str
    who: str
    reason: str
    attempts: int
    technical: str


def reason_in_words(error: str) -> str:
    """'conversation: OperationalError: database or disk is full' as a sentence for staff."""
    parts = []
    for failure in filter(None, (f.strip() for f in error.split(";"))):
        name, _, detail = failure.partition(":")
        step = gettext(STEPS.get(name.strip(), "un passo interno"))
        cause = next((c for key, c in CAUSES if key in detail.lower()), "")
        text = gettext("Non riuscito: {step}", step=step)
        parts.append(f"{text} ({gettext(cause)})." if cause else f"{text}.")
    return " ".join(parts) or gettext("Motivo non registrato.")


def _who(letter: DeadLetter) -> str:
    event = letter.event
    identity = (
        event.sender
        if isinstance(event, Message)
        else event.recipient
        if isinstance(event, StatusUpdate)
        else None
    )
    return (identity.wa_id or identity.user_id or "") if identity is not None else ""


def shown(letter: DeadLetter) -> Shown:
    """What the page says about one dead letter."""
    return Shown(
        id=letter.id,
        when=time.strftime("%Y-%m-%d %H:%M", time.localtime(letter.created_at)),
        kind=gettext(KINDS.get(letter.kind, "Notifica")),
        who=_who(letter),
        reason=reason_in_words(letter.error or ""),
        attempts=letter.attempts,
        technical=letter.error or "",
    )


def _deliveries() -> Deliveries:
    return the_appliance().parts[DELIVERIES]


@bp.get("")
@requires("admin")
async def index() -> Any:
    """Every parked notification, newest first, with why and what can be done."""
    letters = await _deliveries().dead_letters(limit=SHOWN)
    total = await _deliveries().dead_letter_count()
    return await page("ops/deadletters.html", letters=[shown(x) for x in letters], total=total)


@bp.post("/<int:event_id>/retry")
@requires("admin")
async def retry(event_id: int) -> Any:
    """Process the notification again now, with a fresh set of attempts (audited)."""
    if not await _deliveries().retry_dead_letter(event_id):
        raise NotFound("this notification is no longer waiting")
    await audit.record(
        the_appliance().db, actor(), "deadletter.retried", str(event_id), "", client_address()
    )
    await flash(gettext("Notifica rimessa in elaborazione."), "success")
    return redirect(url_for("deadletters.index"), 303)


@bp.post("/<int:event_id>/dismiss")
@requires("admin")
async def dismiss(event_id: int) -> Any:
    """Close the notification without processing it; it stays recorded (audited)."""
    if not await _deliveries().dismiss_dead_letter(event_id, actor()):
        raise NotFound("this notification is no longer waiting")
    await audit.record(
        the_appliance().db, actor(), "deadletter.dismissed", str(event_id), "", client_address()
    )
    await flash(gettext("Notifica scartata."), "success")
    return redirect(url_for("deadletters.index"), 303)
