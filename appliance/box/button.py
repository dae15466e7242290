"""The emergency button: gpiozero edges and holds, handed to the event loop as plain events."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from gpiozero import Button

log = logging.getLogger(__name__)

# Kernel debounce on the Pi (lgpio); shorter blips that still get through are logged as bounces.
BOUNCE_SECONDS = 0.02


class Edge(StrEnum):
    """What the button did."""

    PRESSED = "pressed"
    HELD = "held"  # still pressed after hold_time: the only thing that counts
    RELEASED = "released"


@dataclass(frozen=True)
class ButtonEvent:
    """One edge, stamped in the gpiozero thread so durations do not depend on loop latency."""

    edge: Edge
    at: float  # time.monotonic()


class EmergencyButton:
    """A gpiozero Button wired to GND (internal pull-up) whose events reach ``on_event`` in the loop."""

    def __init__(
        self,
        pin: int,
        *,
        hold_seconds: float,
        loop: asyncio.AbstractEventLoop,
        on_event: Callable[[ButtonEvent], None],
        pin_factory=None,
    ) -> None:
        self._loop = loop
        self._on_event = on_event
        self._button = Button(
            pin,
            pull_up=True,
            bounce_time=BOUNCE_SECONDS,
            hold_time=hold_seconds,
            pin_factory=pin_factory,
        )
        # gpiozero calls these from its own threads (or synchronously from a mock pin's
        # caller): they only stamp the time and hand the event over, never touch the loop.
        self._button.when_pressed = lambda: self._hand_over(Edge.PRESSED)
        self._button.when_held = lambda: self._hand_over(Edge.HELD)
        self._button.when_released = lambda: self._hand_over(Edge.RELEASED)

    @property
    def pin(self):
        """The gpiozero pin (a MockPin off the Pi: the demo's virtual button drives it)."""
        return self._button.pin

    def _hand_over(self, edge: Edge) -> None:
        event = ButtonEvent(edge, time.monotonic())
        try:
            self._loop.call_soon_threadsafe(self._on_event, event)
        except RuntimeError:  # the loop closed under a late callback: nobody is listening
            log.debug("button %s after the event loop closed", edge)

    def close(self) -> None:
        """Detach the handlers, then release the pin; may wait for a hold in progress."""
        self._button.when_pressed = None
        self._button.when_held = None
        self._button.when_released = None
        # Closing joins gpiozero's hold thread, which may sit out the rest of a hold_time.
        self._button.close()
