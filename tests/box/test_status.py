"""The state service in a real event loop: health probes drive the LED, a stalled loop trips it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import pytest

from appliance.box.led import StatusLed
from appliance.box.patterns import BoxState
from appliance.box.state import EmergencyView, StatusService
from appliance.core.health import OK, WARN, Check, HealthRegistry
from tests.support.led import wait_for_pattern

pytestmark = pytest.mark.slow

LED_PIN = 27


class Switchable:
    """A health probe whose status the test sets."""

    def __init__(self) -> None:
        self.status = OK

    async def __call__(self) -> Check:
        if self.status == OK:
            return Check("feed", OK, "Fonte", "aggiornata")
        return Check("feed", self.status, "Fonte", "ferma", "La fonte non risponde da un'ora.")


@pytest.fixture
async def service(mock_pins):
    health = HealthRegistry()
    probe = Switchable()
    health.add("feed", probe)
    led = StatusLed(LED_PIN, watchdog_seconds=1.5)
    status = StatusService(health, led, EmergencyView, evaluate_seconds=0.3)
    health.add("led", status.probe)
    led.start()
    await status.start()
    yield status, probe, mock_pins.pin(LED_PIN)
    await status.stop()
    await asyncio.to_thread(led.close)


async def test_led_and_dashboard_follow_the_health_probes(service):
    status, probe, pin = service
    await asyncio.to_thread(wait_for_pattern, pin, BoxState.HEALTHY)
    probe.status = WARN
    await asyncio.to_thread(wait_for_pattern, pin, BoxState.DEGRADED)
    led_line = await status.probe()
    assert (led_line.status, led_line.explanation) == (
        WARN,
        "Fonte: La fonte non risponde da un'ora.",
    )
    probe.status = OK
    await asyncio.to_thread(wait_for_pattern, pin, BoxState.HEALTHY)
    assert (await status.probe()).status == OK


async def test_a_stalled_event_loop_turns_the_led_to_error(service):
    status, _probe, pin = service
    await asyncio.to_thread(wait_for_pattern, pin, BoxState.HEALTHY)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        watcher = pool.submit(wait_for_pattern, pin, BoxState.ERROR, 8)
        time.sleep(6)  # noqa: ASYNC251 - the point: the loop hangs, only the LED thread runs
        watcher.result()
    # Once the loop runs again, the heartbeat comes back.
    await asyncio.to_thread(wait_for_pattern, pin, BoxState.HEALTHY)
