"""Time from a counted press of the emergency button to the first message the simulator accepts."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from appliance.box.armed import arm
from tests.harness import RunningAppliance, RunningSimulator, make_config, wait_until

PRESSES = 5
HOLD = 0.5
STAFF = ["+393330000001", "+393330000002"]


def _press_to_first_accepted(app: RunningAppliance, sim: RunningSimulator) -> float:
    """Hold the (mock) button; seconds from the hold being complete to the first acceptance."""
    pin = app.appliance.parts["box"].button.pin
    pressed = time.time()
    pin.drive_low()
    time.sleep(HOLD + 0.2)
    pin.drive_high()
    counted = pressed + HOLD  # the moment the press counts, as the person holding it sees it
    accepted = wait_until(
        lambda: sim.control(f"messages?since={counted}", method="GET")["messages"]
    )
    return min(m["at"] for m in accepted) - counted


def run() -> list[dict]:
    """Drills on an idle appliance: the emergency lane from press to the simulator."""
    sim = RunningSimulator().start()
    with tempfile.TemporaryDirectory() as folder:
        config = make_config(
            Path(folder),
            whatsapp={"api_base_url": sim.url},
            gpio={"hold_seconds": HOLD},
            emergency={"test_numbers": STAFF, "cooldown_seconds": 0},
            logging={"level": "WARNING"},
        )
        app = RunningAppliance(config).start()
        sim.settings.webhook_url = app.public_url + "/webhook"
        try:
            app.call(app.appliance.parts["cloudapi"].list_templates())
            app.call(
                arm(
                    app.appliance.db,
                    template_name="emergenza",
                    language="it",
                    parameters=["prova di velocità"],
                    test_mode=True,
                    actor="bench",
                )
            )
            latencies = []
            for _ in range(PRESSES):
                latencies.append(_press_to_first_accepted(app, sim))
                time.sleep(0.5)  # let the drill finish before the next press
        finally:
            app.stop()
            sim.stop()
    return [
        {
            "name": "emergency press to first accepted message, idle (median)",
            "value": round(statistics.median(latencies) * 1000),
            "unit": "ms",
            "target": "<= 1000",
        },
        {
            "name": "emergency press to first accepted message, idle (worst of 5)",
            "value": round(max(latencies) * 1000),
            "unit": "ms",
            "target": "<= 1000",
        },
    ]
