"""Demo-only controls for what otherwise needs the outside world: alerts, failures, the button."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from quart import Blueprint, flash, g, jsonify, redirect, request, url_for

from appliance.box import BOX
from appliance.box.patterns import PATTERNS
from appliance.core.errors import BadRequest
from appliance.demo.parts import DEMO_FEEDS, DEMO_HOLD, SIMULATOR
from appliance.demo.sample_town import PHONE_CITIZENS
from appliance.feeds.alerts import ALERTS
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext, translate

bp = Blueprint("demo_controls", __name__, url_prefix="/demo/controls")

LEVELS = {"green": "nessuna allerta", "yellow": "allerta gialla", "orange": "allerta arancione"}
RELEASE_AFTER = 15.0  # a press whose release never came (tab closed) ends by itself


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """The controls, the drawn LED and the press-and-hold emergency button."""
    appliance = the_appliance()
    return await page(
        "demo/controls.html",
        hold_seconds=appliance.config.gpio.hold_seconds,
        level=appliance.parts[DEMO_FEEDS].level,
        levels=LEVELS,
        led=_led_state(),
        phones=PHONE_CITIZENS,
        failing=appliance.parts[SIMULATOR].settings.undeliverable,
    )


def _led_state() -> dict[str, Any]:
    box = the_appliance().parts[BOX]
    pattern = PATTERNS[box.led.showing]
    pin = box.led.pin
    language = g.get("lang", "it")
    return {
        "state": pattern.state.value,
        "label": translate(pattern.label_it, language),
        "meaning": translate(pattern.meaning_it, language),
        "steps": list(pattern.steps),
        "on": bool(pin.state) if pin is not None else False,
    }


@bp.get("/led")
@requires("viewer")
async def led() -> Any:
    """The LED's pattern now, for the drawn LED."""
    return jsonify(_led_state())


@bp.post("/alert")
@requires("operator")
async def alert() -> Any:
    """The recorded bulletin comes back at another level, and the source is polled now."""
    appliance = the_appliance()
    level = (await request.form).get("level", "")
    try:
        appliance.parts[DEMO_FEEDS].set_level(level)
    except ValueError as err:
        raise BadRequest(str(err)) from err
    changes = await appliance.parts[ALERTS].poll_now("dpc")
    await flash(
        gettext("Bollettino simulato: {n} cambiamenti di livello.", n=len(changes)), "success"
    )
    return redirect(url_for("alerts.index"), 303)


@bp.post("/undeliverable")
@requires("operator")
async def undeliverable() -> Any:
    """The next messages to one demo phone fail, as for a number that left WhatsApp."""
    form = await request.form
    number = form.get("number", "")
    if number not in dict(PHONE_CITIZENS):
        raise BadRequest("not a demo phone")
    failing = the_appliance().parts[SIMULATOR].settings.undeliverable
    if form.get("on") == "1" and number not in failing:
        failing.append(number)
    elif form.get("on") != "1" and number in failing:
        failing.remove(number)
    return redirect(url_for("demo_controls.index") + "#failed", 303)


@bp.post("/button")
@requires("admin")
async def button() -> Any:
    """The press-and-hold button: ``down`` presses the mock pin, ``up`` releases it."""
    edge = (await request.form).get("edge")
    hold = the_appliance().parts[DEMO_HOLD]
    if edge == "down":
        hold.press()
    elif edge == "up":
        await hold.release()
    else:
        raise BadRequest("edge must be down or up")
    return jsonify({"ok": True})


class HoldButton:
    """The virtual button held from the browser; a release that never comes ends by itself."""

    def __init__(self, appliance: Any) -> None:
        self.appliance = appliance
        self._timeout: asyncio.Task[None] | None = None

    def _pin(self) -> Any:
        button = self.appliance.parts[BOX].button
        if button is None:
            raise BadRequest("the virtual button is not running")
        return button.pin

    def press(self) -> None:
        """The finger goes down (the box's own button code times the hold)."""
        self._pin().drive_low()
        if self._timeout is None or self._timeout.done():
            self._timeout = asyncio.create_task(self._release_later(), name="demo-hold")

    async def release(self) -> None:
        """The finger comes up."""
        await self.stop()
        self._pin().drive_high()

    async def stop(self) -> None:
        """Forget a pending automatic release (at shutdown the box closes its pins itself)."""
        if self._timeout is not None:
            self._timeout.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timeout
            self._timeout = None

    async def _release_later(self) -> None:
        await asyncio.sleep(RELEASE_AFTER)
        self._pin().drive_high()
