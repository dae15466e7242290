"""The box's states and the LED pattern of each, defined once (the README table comes from here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BoxState(StrEnum):
    """What the box is doing, as the status LED and the dashboard show it."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    SENDING = "sending"
    SENT = "sent"
    COOLDOWN = "cooldown"
    ERROR = "error"
    OFF = "off"


@dataclass(frozen=True)
class Pattern:
    """One LED pattern: alternating on/off durations (seconds, starting with on), repeated."""

    state: BoxState
    steps: tuple[float, ...]
    label_it: str  # English and further languages: the staff catalogs
    meaning_it: str
    # One cycle per event-loop tick instead of free-running: a hung loop stops the heartbeat.
    per_tick: bool = False


# On-phases are kept short where possible: a killed process leaves the pin as it was, and a
# short on-phase makes "left on" unlikely (the systemd unit turns the pin off after a crash).
PATTERNS: dict[BoxState, Pattern] = {
    p.state: p
    for p in (
        Pattern(
            BoxState.HEALTHY,
            (0.08,),
            "battito",
            "un lampo breve al secondo: tutto funziona",
            per_tick=True,
        ),
        Pattern(
            BoxState.DEGRADED,
            (0.6, 1.4),
            "lampeggio lento",
            "qualcosa non va: il motivo è nella pagina iniziale dell'interfaccia",
        ),
        Pattern(
            BoxState.SENDING,
            (0.1, 0.1),
            "lampeggio veloce",
            "invio dell'emergenza in corso",
        ),
        Pattern(
            BoxState.SENT,
            (0.6, 0.4, 0.6, 0.4, 0.6, 2.0),
            "tre lampi lunghi",
            "emergenza inviata",
        ),
        Pattern(
            BoxState.COOLDOWN,
            (0.15, 0.25, 0.15, 1.8),
            "doppio lampo",
            "pulsante in pausa dopo un invio: la nuova pressione non ha inviato nulla",
        ),
        Pattern(
            BoxState.ERROR,
            (0.15, 0.25, 0.15, 0.25, 0.15, 1.4),
            "triplo lampo breve",
            "errore: nessun messaggio pronto, invio impossibile o programma bloccato",
        ),
        Pattern(
            BoxState.OFF,
            (),
            "spenta",
            "il programma non è in esecuzione",
        ),
    )
}
