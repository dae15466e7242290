"""The one place that decides the box's state and its reason, for the LED and the dashboard."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from appliance.box.led import StatusLed
from appliance.box.patterns import PATTERNS, BoxState
from appliance.core.health import ERROR, OK, UNKNOWN, WARN, Check, HealthRegistry
from appliance.core.periodic import Periodic
from appliance.core.text import N_, Text

log = logging.getLogger(__name__)

LED_CHECK = "led"
EMERGENCY_CHECK = "emergency"
TICK_SECONDS = 1.0  # the heartbeat: one flash per tick of the event loop
EVALUATE_SECONDS = 5.0  # how often the health probes are run again


@dataclass(frozen=True)
class EmergencyView:
    """What the emergency button is doing right now (state None: nothing in progress)."""

    state: BoxState | None = None  # SENDING, SENT, COOLDOWN or ERROR
    reason_it: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class BoxStatus:
    """The box's state and why, in Italian and English; ``source`` is the deciding check."""

    state: BoxState
    reason_it: str
    reason_en: str
    source: str = ""


STARTING = BoxStatus(BoxState.OFF, N_("Avvio in corso"), "Starting")
HEALTHY = BoxStatus(BoxState.HEALTHY, N_("Tutto funziona"), "Everything works")


def _because(check: Check) -> tuple[str, str]:
    italian = Text(
        "{title}: {why}", {"title": check.title, "why": check.explanation or check.value}
    )
    english = f"check '{check.key}' reports {check.status}: {check.value}"
    return italian, english


def decide(checks: Iterable[Check], emergency: EmergencyView) -> BoxStatus:
    """The state from the health snapshot and the emergency button, in order of precedence."""
    checks = [c for c in checks if c.key != LED_CHECK]
    errors = [c for c in checks if c.status == ERROR and c.key != EMERGENCY_CHECK]
    if emergency.state is BoxState.SENDING and errors:
        # Queued but stuck (Cloud API down, token invalid…): a fast blink would lie.
        italian, english = _because(errors[0])
        return BoxStatus(
            BoxState.DEGRADED,
            N_("Emergenza in coda ma l'invio è fermo. {reason}", reason=italian),
            f"Emergency queued but not going out: {english}",
            errors[0].key,
        )
    if emergency.state is not None:
        return BoxStatus(emergency.state, emergency.reason_it, emergency.reason_en, EMERGENCY_CHECK)
    for check in checks:
        if check.key == EMERGENCY_CHECK and check.status == ERROR:
            return BoxStatus(BoxState.ERROR, *_because(check), check.key)
    # Unknown means a probe itself failed to answer; only a definite warn or error degrades.
    # The reason is the most severe check; among equals, the button's own comes first.
    bad = [c for c in checks if c.status in (ERROR, WARN)]
    if bad:
        worst = min(bad, key=lambda c: (c.status != ERROR, c.key != EMERGENCY_CHECK))
        return BoxStatus(BoxState.DEGRADED, *_because(worst), worst.key)
    return HEALTHY


_CHECK_STATUS = {
    BoxState.HEALTHY: OK,
    BoxState.DEGRADED: WARN,
    BoxState.SENDING: OK,
    BoxState.SENT: OK,
    BoxState.COOLDOWN: OK,
    BoxState.ERROR: ERROR,
    BoxState.OFF: UNKNOWN,
}


class StatusService:
    """Ticks the LED from the loop, re-decides the state every few seconds and on every event."""

    def __init__(
        self,
        health: HealthRegistry,
        led: StatusLed,
        emergency: Callable[[], EmergencyView],
        *,
        tick_seconds: float = TICK_SECONDS,
        evaluate_seconds: float = EVALUATE_SECONDS,
    ) -> None:
        self._health = health
        self._led = led
        self._emergency = emergency
        self._checks: list[Check] | None = None  # None until the first snapshot
        self._ticker = Periodic("box-tick", self._tick, interval=tick_seconds)
        self._evaluator = Periodic("box-state", self._evaluate, interval=evaluate_seconds)
        self.status = STARTING

    async def start(self) -> None:
        """Start the ticker and the evaluator."""
        await self._ticker.start()
        await self._evaluator.start()

    async def stop(self) -> None:
        """Stop both."""
        await self._ticker.stop()
        await self._evaluator.stop()

    def refresh(self) -> None:
        """Re-decide now with the last snapshot (the button changed something); loop only."""
        if self._checks is not None:
            self._apply(self._checks)

    async def probe(self) -> Check:
        """The "led" line of the dashboard: the same state and reason the LED shows."""
        status = self.status
        pattern = PATTERNS[status.state]
        # The patterns' Italian words are in the catalog (their English too, for the README).
        value = Text(
            "{label}: {meaning}",
            {"label": Text(pattern.label_it), "meaning": Text(pattern.meaning_it)},
        )
        explanation = status.reason_it if status.state is not BoxState.HEALTHY else ""
        return Check(
            LED_CHECK, _CHECK_STATUS[status.state], N_("Spia del dispositivo"), value, explanation
        )

    def _apply(self, checks: list[Check]) -> None:
        status = decide(checks, self._emergency())
        if status != self.status:
            log.info("box state %s: %s", status.state, status.reason_en)
        self.status = status
        self._led.show(status.state)

    async def _tick(self) -> None:
        self._led.tick()

    async def _evaluate(self) -> None:
        self._checks = await self._health.snapshot()
        self._apply(self._checks)
