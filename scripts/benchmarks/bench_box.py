"""Time from a counted press of the emergency button to the first message the simulator accepts."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from appliance.box import BOX
from tests.support.appliance import RunningAppliance, make_config, start_armed
from tests.support.simulator import RunningSimulator
from tests.support.waiting import wait_until

PRESSES = 5
HOLD = 0.5
STAFF = ["+393330000001", "+393330000002"]
CAMPAIGN = 10_000


def _press_to_first_accepted(app: RunningAppliance, sim: RunningSimulator) -> float:
    """Hold the (mock) button; seconds from the hold being complete to the first acceptance."""
    pin = app.appliance.parts[BOX].button.pin
    pressed = time.time()
    pin.drive_low()
    time.sleep(HOLD + 0.2)
    pin.drive_high()
    counted = pressed + HOLD  # the moment the press counts, as the person holding it sees it
    accepted = wait_until(
        lambda: [
            m
            for m in sim.control(f"messages?since={counted}", method="GET")["messages"]
            if m["body"].get("template", {}).get("name") == "emergenza"
        ]
    )
    return min(m["at"] for m in accepted) - counted


def _start_campaign(app: RunningAppliance, people: int) -> None:
    """Seed ``people`` active subscribers and start a template campaign to all of them."""
    import httpx

    from appliance.lan.tokens import create_token

    rows = [(f"39333{n:07d}",) for n in range(1, people + 1)]
    app.call(
        app.appliance.db.executemany(
            "INSERT INTO subscribers (wa_id, status, subscribed_at) VALUES (?, 'active', '2026-01-01')",
            rows,
        )
    )
    token = app.call(create_token(app.appliance.db, "bench", "operator", "bench"))
    body = {
        "name": "Avviso",
        "template": {"name": "avviso_servizio", "language": "it", "parameters": ["Via Roma", "1"]},
    }
    with httpx.Client(
        base_url=app.lan_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        campaign = api.post("/campaigns", json=body).json()["id"]
        api.post(f"/campaigns/{campaign}/send").raise_for_status()


def _drills(busy: bool) -> list[float]:
    """Press-to-first-acceptance of several drills, on an idle appliance or during a campaign."""
    sim = RunningSimulator().start()
    sim.settings.tier = 0
    with tempfile.TemporaryDirectory() as folder:
        config = make_config(
            Path(folder),
            whatsapp={"api_base_url": sim.url},
            gpio={"hold_seconds": HOLD},
            emergency={"test_numbers": STAFF, "cooldown_seconds": 0},
            logging={"level": "WARNING"},
        )
        app = start_armed(config, sim, parameters=["prova di velocità"], drill=True, actor="bench")
        try:
            if busy:
                _start_campaign(app, CAMPAIGN)
                wait_until(lambda: len(sim.messages()) >= 100, timeout=60)
            latencies = []
            for _ in range(PRESSES):
                latencies.append(_press_to_first_accepted(app, sim))
                time.sleep(0.5)  # let the drill finish before the next press
        finally:
            app.stop()
            sim.stop()
    return latencies


def run() -> list[dict]:
    """Drills through the emergency lane, idle and while a 10,000-recipient campaign sends."""
    rows = []
    for busy, label in ((False, "idle"), (True, f"during a {CAMPAIGN:,}-recipient campaign")):
        latencies = _drills(busy)
        rows += [
            {
                "name": f"emergency press to first accepted message, {label} (median)",
                "value": round(statistics.median(latencies) * 1000),
                "unit": "ms",
                "target": "<= 1000",
            },
            {
                "name": f"emergency press to first accepted message, {label} (worst of {PRESSES})",
                "value": round(max(latencies) * 1000),
                "unit": "ms",
                "target": "<= 1000",
            },
        ]
    return rows
