"""After a crash, rows Meta already reported take their status at once; only unknown ones wait."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

GRACE = 120


def _in_flight_at_a_crash(engine, recipient: str) -> int:
    """A reply claimed by a process that died before writing Meta's answer."""
    now = time.time()
    message = json.dumps(["text", {"body": "Ciao"}])
    engine.write(
        "INSERT INTO outbox (lane, recipient, message, created_at, claimed_at)"
        " VALUES (1, ?, ?, ?, ?)",
        (recipient, message, now, now),
    )
    return engine.sql("SELECT max(id) FROM outbox")[0][0]


def test_rows_with_a_known_status_are_reconciled_without_waiting_the_grace(make_engine):
    engine = make_engine(campaigns={"inflight_grace_seconds": GRACE})
    known = _in_flight_at_a_crash(engine, "393330000001")
    unknown = _in_flight_at_a_crash(engine, "393330000002")
    engine.write(
        "INSERT INTO message_statuses (wamid, status, rank, timestamp, recipient_id,"
        " callback_data, updated_at) VALUES ('wamid.KNOWN', 'delivered', 2, ?, ?, ?, ?)",
        (int(time.time()), "393330000001", str(known), time.time()),
    )
    wait_until(
        lambda: (
            engine.sql("SELECT state, wamid FROM outbox WHERE id = ?", (known,))
            == [("delivered", "wamid.KNOWN")]
        ),
        timeout=GRACE / 4,
    )
    # Meta said nothing about the other: it may still be on its way, so it is not resent yet.
    assert engine.sql("SELECT state FROM outbox WHERE id = ?", (unknown,)) == [("queued",)]
    assert engine.accepted() == []
