import asyncio
import json
import sqlite3
import time

import pytest

from appliance.cloudapi.deliveries import DELIVERIES
from appliance.cloudapi.events import TextMessage
from tests.support.appliance import RunningAppliance
from tests.support.meta import FIXTURES
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

pytestmark = pytest.mark.fast


def text_payload(wamid, sender="393331234567", body="ciao"):
    payload = json.loads((FIXTURES / "inbound_text.json").read_text())
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(id=wamid, text={"body": body})
    message["from"] = sender
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = sender
    return payload


@pytest.fixture
def deliveries(running):
    deliveries = running.appliance.parts[DELIVERIES]
    deliveries.first_retry_seconds = 0.05
    deliveries.max_attempts = 3
    return deliveries


def test_failure_retries_then_dead_letter_then_staff_retry(running, deliveries):
    calls = []
    broken = [True]

    async def flaky(event):
        calls.append(time.monotonic())
        if broken[0]:
            raise RuntimeError("subscriber database is locked")

    deliveries.subscribe(flaky, name="flaky")
    assert post_webhook(running.public_url, text_payload("wamid.DEAD")).status_code == 200
    wait_until(lambda: running.call(deliveries.dead_letter_count()) == 1, timeout=10)
    assert len(calls) == 3
    assert calls[2] - calls[1] > calls[1] - calls[0]  # backoff grows
    (dead,) = running.call(deliveries.dead_letters())
    assert dead.kind == "message" and dead.attempts == 3
    assert "flaky: RuntimeError: subscriber database is locked" in dead.error
    assert isinstance(dead.event, TextMessage) and dead.event.wamid == "wamid.DEAD"
    checks = {c.key: c for c in running.call(running.appliance.health.snapshot())}
    assert checks["webhook"].status == "warn" and "1 da rielaborare" in checks["webhook"].value

    broken[0] = False
    assert running.call(deliveries.retry_dead_letter(dead.id))
    wait_until(lambda: running.call(deliveries.event_counts()).get("done") == 1)
    assert running.call(deliveries.dead_letter_count()) == 0
    assert len(calls) == 4
    assert not running.call(deliveries.retry_dead_letter(dead.id))  # no longer a dead letter


def test_a_write_failure_after_the_200_delays_processing_but_loses_nothing(
    running, deliveries, caplog
):
    seen = []

    async def handler(event):
        seen.append(event.key)

    deliveries.subscribe(handler, name="seen")
    db = running.appliance.db

    async def break_splitting(conn):
        await conn.execute(
            "CREATE TEMP TRIGGER no_room BEFORE INSERT ON webhook_events"
            " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )

    running.call(db.write(break_splitting))
    assert post_webhook(running.public_url, text_payload("wamid.FULL")).status_code == 200
    wait_until(
        lambda: any("could not write" in r.getMessage() for r in caplog.records),
        what="a failed attempt at splitting it",
    )
    assert seen == []

    async def mend(conn):
        await conn.execute("DROP TRIGGER no_room")

    running.call(db.write(mend))
    wait_until(lambda: running.call(deliveries.event_counts()).get("done") == 1, timeout=10)
    assert len(seen) == 1
    assert post_webhook(running.public_url, text_payload("wamid.AFTER")).status_code == 200
    wait_until(lambda: len(seen) == 2)


def test_retry_skips_handlers_that_already_succeeded(running, deliveries):
    good, bad = [], []

    async def first(event):
        good.append(event.key)

    async def second(event):
        bad.append(event.key)
        if len(bad) == 1:
            raise ValueError("once")

    deliveries.subscribe(first, name="first")
    deliveries.subscribe(second, name="second")
    post_webhook(running.public_url, text_payload("wamid.ONCE"))
    wait_until(lambda: running.call(deliveries.event_counts()).get("done") == 1)
    assert good == ["m:wamid.ONCE"]
    assert bad == ["m:wamid.ONCE", "m:wamid.ONCE"]


def test_a_slow_citizen_does_not_hold_up_others_and_order_is_kept(running, deliveries):
    order = []

    others_done = asyncio.Event()  # bound to the appliance's loop at the first wait

    async def handler(event):
        if event.sender.wa_id == "393330000001":
            # Slow until the other citizen is answered: held up behind this one, it never is.
            await asyncio.wait_for(others_done.wait(), 20)
        order.append((event.sender.wa_id, event.body))
        if event.sender.wa_id == "393330000002":
            others_done.set()

    deliveries.subscribe(handler, name="order")
    post_webhook(running.public_url, text_payload("wamid.A1", "393330000001", "a1"))
    post_webhook(running.public_url, text_payload("wamid.A2", "393330000001", "a2"))
    post_webhook(running.public_url, text_payload("wamid.B1", "393330000002", "b1"))
    wait_until(lambda: len(order) == 3)
    assert order[0] == ("393330000002", "b1")
    assert order[1:] == [("393330000001", "a1"), ("393330000001", "a2")]


def test_work_left_by_a_crash_is_done_at_next_start(tmp_path, config):
    first = RunningAppliance(config).start()
    first.stop()
    # As if the process died right after committing a delivery (and a pending event).
    db = sqlite3.connect(config.values["database"]["path"])
    body = json.dumps(text_payload("wamid.AFTER_CRASH")).encode()
    db.execute(
        "INSERT INTO webhook_deliveries (received_at, body) VALUES (?, ?)", (time.time(), body)
    )
    record = json.loads(
        json.dumps(
            {
                "a": "1",
                "m": text_payload("wamid.PENDING")["entry"][0]["changes"][0]["value"]["messages"][
                    0
                ],
            }
        )
    )
    db.execute(
        "INSERT INTO webhook_events (dedupe_key, delivery_id, kind, record, created_at)"
        " VALUES ('m:wamid.PENDING', 0, 'message', ?, ?)",
        (json.dumps(record), time.time()),
    )
    db.commit()
    db.close()
    second = RunningAppliance(config)
    seen = []

    async def handler(event):
        seen.append(event.wamid)

    second.appliance.parts[DELIVERIES].subscribe(handler, name="after")
    second.start()
    try:
        wait_until(lambda: len(seen) == 2)
        assert sorted(seen) == ["wamid.AFTER_CRASH", "wamid.PENDING"]
    finally:
        second.stop()
