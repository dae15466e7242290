"""The box: the emergency button, the status LED and LAN discovery (``parts[BOX]``)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from gpiozero.exc import BadPinFactory
from gpiozero.pins.mock import MockFactory

from appliance.box.button import EmergencyButton
from appliance.box.discovery import ZEROCONF, Discovery
from appliance.box.emergency import EmergencyController
from appliance.box.led import StatusLed
from appliance.box.patterns import BoxState
from appliance.box.state import EMERGENCY_CHECK, LED_CHECK, StatusService
from appliance.core.capability import Capability
from appliance.core.errors import Conflict
from appliance.core.parts import PartKey
from appliance.core.services import Service

if TYPE_CHECKING:
    from appliance.core.context import Appliance

BOX: PartKey[Box] = PartKey("box")

log = logging.getLogger(__name__)


class Box:
    """The button, the LED and the state service; off the Pi they run on gpiozero's mock pins."""

    def __init__(self, appliance: Appliance) -> None:
        gpio = appliance.config.gpio
        self.virtual = not gpio.enabled
        # Real pins: gpiozero's default factory (lgpio on Raspberry Pi OS); else our own mocks.
        self.factory = MockFactory() if self.virtual else None
        self._button_pin = gpio.button_pin
        self._hold_seconds = gpio.hold_seconds
        self.led = StatusLed(gpio.led_pin, pin_factory=self.factory)
        self.emergency = EmergencyController(
            appliance,
            source="virtual button" if self.virtual else "button",
            address=f"GPIO{self._button_pin}",
            on_change=self._changed,
        )
        self.status = StatusService(appliance.health, self.led, self.emergency.view)
        self.button: EmergencyButton | None = None

    def _changed(self) -> None:
        self.status.refresh()

    async def start(self) -> None:
        """Open the pins, start the LED, the state service and the button."""
        try:
            self.led.start()
            self.button = EmergencyButton(
                self._button_pin,
                hold_seconds=self._hold_seconds,
                loop=asyncio.get_running_loop(),
                on_event=self.emergency.handle,
                pin_factory=self.factory,
            )
            await self.emergency.start()
            await self.status.start()
        except Exception as err:
            await self.stop()  # the service manager stops only services that started
            if isinstance(err, BadPinFactory):
                raise RuntimeError(
                    "no GPIO pins available: on a Raspberry Pi install lgpio (python3-lgpio) "
                    "and add the service user to the gpio group; elsewhere set "
                    "[gpio] enabled = false"
                ) from err
            raise

    async def stop(self) -> None:
        """LED off first, then release the button (even mid-hold) and the LED."""
        await self.status.stop()
        self.led.show(BoxState.OFF)
        if self.button is not None:
            # Closing joins gpiozero's hold thread, which may wait out a hold in progress.
            await asyncio.to_thread(self.button.close)
            self.button = None
        await self.emergency.stop()
        await asyncio.to_thread(self.led.close)
        if self.factory is not None:
            self.factory.close()

    async def virtual_press(self, seconds: float) -> None:
        """Demo: hold the mock button down for ``seconds``, as a finger would."""
        if not self.virtual or self.button is None:
            raise Conflict("the virtual button exists only with [gpio] enabled = false")
        pin = self.button.pin
        pin.drive_low()
        try:
            await asyncio.sleep(seconds)
        finally:
            pin.drive_high()


def setup(appliance: Appliance) -> None:
    """Register the box's services, health lines and parts."""
    box = Box(appliance)
    appliance.parts.provide(BOX, box)
    appliance.services.add(Service("box", box.start, box.stop))
    appliance.health.add(EMERGENCY_CHECK, box.emergency.probe)
    appliance.health.add(LED_CHECK, box.status.probe)
    if appliance.lan is not None:
        from appliance.box import pages

        pages.register(appliance.lan)
    if appliance.config.zeroconf.enabled:
        discovery = Discovery(appliance)
        appliance.parts.provide(ZEROCONF, discovery)
        appliance.on_ready.append(discovery.ready)
        appliance.services.add(Service("zeroconf", discovery.start, discovery.stop))
        appliance.health.add("zeroconf", discovery.probe)


CAPABILITY = Capability("box", setup)
