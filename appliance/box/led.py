"""The status LED: one thread plays the current pattern and watches that the event loop ticks."""

from __future__ import annotations

import logging
import threading
import time

from gpiozero import LED
from gpiozero.pins.mock import MockPin

from appliance.box.patterns import PATTERNS, BoxState, Pattern

log = logging.getLogger(__name__)

# Without a tick from the event loop for this long, the LED shows the error pattern.
WATCHDOG_SECONDS = 5.0
# A mock pin records every change; the demo runs for days, so keep only the recent history.
_MOCK_HISTORY = 4000


class StatusLed:
    """Plays ``PATTERNS[state]`` on a gpiozero LED; the heartbeat is one flash per loop tick."""

    def __init__(
        self, pin: int, *, pin_factory=None, watchdog_seconds: float = WATCHDOG_SECONDS
    ) -> None:
        self._pin_number = pin
        self._pin_factory = pin_factory
        self._led: LED | None = None  # opened at start, so building the app touches no pins
        self._watchdog = watchdog_seconds
        self._cond = threading.Condition()
        self._wanted = PATTERNS[BoxState.OFF]
        self._generation = 0  # bumped on every change of pattern, and on close
        self._ticks = 0
        self._last_tick = time.monotonic()
        self._stalled = False
        self._closing = False
        self._lit = False
        self._thread = threading.Thread(target=self._run, name="box-led", daemon=True)

    @property
    def pin(self):
        """The gpiozero pin once started (a MockPin off the Pi: the demo's virtual LED reads it)."""
        return self._led.pin if self._led is not None else None

    @property
    def showing(self) -> BoxState:
        """The state whose pattern is playing (ERROR while the watchdog has fired)."""
        with self._cond:
            return self._effective().state

    def start(self) -> None:
        """Open the LED pin and start the LED thread."""
        self._led = LED(self._pin_number, initial_value=False, pin_factory=self._pin_factory)
        self.tick()
        self._thread.start()

    def show(self, state: BoxState) -> None:
        """Play the pattern of ``state`` from now on; thread-safe."""
        with self._cond:
            if self._wanted.state is state:
                return
            self._wanted = PATTERNS[state]
            self._generation += 1
            self._cond.notify_all()

    def tick(self) -> None:
        """Called by the event loop about once a second: feeds the watchdog, times the heartbeat."""
        with self._cond:
            self._last_tick = time.monotonic()
            self._ticks += 1
            self._cond.notify_all()

    def close(self) -> None:
        """Stop the thread and leave the LED off; blocks briefly (call it from a worker thread)."""
        with self._cond:
            self._closing = True
            self._generation += 1
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join()
        if self._led is not None:
            self._led.off()
            self._led.close()

    # -- the LED thread --------------------------------------------------------------------

    def _effective(self) -> Pattern:
        """The wanted pattern, or the error pattern when the loop has stopped ticking."""
        if self._wanted.state is BoxState.OFF:
            return self._wanted
        silent = time.monotonic() - self._last_tick
        stalled = silent > self._watchdog
        if stalled != self._stalled:
            self._stalled = stalled
            if stalled:
                log.warning(
                    "event loop silent for %.1f s: status LED shows the error pattern", silent
                )
            else:
                log.warning("event loop ticks again: status LED back to %s", self._wanted.state)
        return PATTERNS[BoxState.ERROR] if stalled else self._wanted

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    if self._closing:
                        return
                    pattern = self._effective()
                    generation, ticks = self._generation, self._ticks
                    watchdog_left = self._last_tick + self._watchdog - time.monotonic()
                if not pattern.steps:
                    self._write(False)
                    self._sleep(generation, None, None)
                elif pattern.per_tick:
                    if self._sleep(generation, ticks, max(watchdog_left, 0.0) + 0.01) == "tick":
                        self._play(pattern, generation)
                else:
                    self._play(pattern, generation)
        finally:
            self._write(False)

    def _play(self, pattern: Pattern, generation: int) -> None:
        """One cycle of ``pattern``; a change of pattern cuts it short."""
        for index, seconds in enumerate(pattern.steps):
            self._write(index % 2 == 0)
            if self._sleep(generation, None, seconds) == "change":
                break
        self._write(False)

    def _sleep(self, generation: int, ticks: int | None, timeout: float | None) -> str:
        """Wait up to ``timeout``; return "change", "tick" (when ``ticks`` is given) or "timeout"."""
        with self._cond:
            woke = self._cond.wait_for(
                lambda: (
                    self._generation != generation or (ticks is not None and self._ticks != ticks)
                ),
                timeout,
            )
            if not woke:
                return "timeout"
            return "change" if self._generation != generation else "tick"

    def _write(self, on: bool) -> None:
        assert self._led is not None
        if on == self._lit:
            return
        self._lit = on
        if on:
            self._led.on()
        else:
            self._led.off()
        pin = self._led.pin
        if isinstance(pin, MockPin) and len(pin.states) > _MOCK_HISTORY:
            del pin.states[: -_MOCK_HISTORY // 2]


def switch_off(pin: int, *, pin_factory=None) -> None:
    """Drive the LED pin low once; systemd runs this after the process ends, however it ended."""
    led = LED(pin, initial_value=False, pin_factory=pin_factory)
    led.off()
    led.close()
