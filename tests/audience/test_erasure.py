"""What an erasure does to the outbox: queued broadcasts are skipped with the reason and time,
finished rows keep their counts under the pseudonym, the erasure's own reply still goes."""

from __future__ import annotations

import sqlite3
import time

import pytest

from appliance.audience.erasure import erase_sync, pseudonym
from appliance.core.db.migrate import migrate

pytestmark = pytest.mark.fast

NUMBER = "393331112222"


def test_queued_broadcasts_are_skipped_with_reason_and_time(tmp_path):
    conn = sqlite3.connect(tmp_path / "e.db", isolation_level=None)
    migrate(conn)
    sid = conn.execute(
        "INSERT INTO subscribers (wa_id, status) VALUES (?, 'active')", (NUMBER,)
    ).lastrowid
    created = time.time() - 3600
    rows = [(2, "queued"), (2, "read"), (1, "queued")]  # campaign queued, campaign read, reply
    for lane, state in rows:
        conn.execute(
            "INSERT INTO outbox (lane, recipient, state, created_at) VALUES (?, ?, ?, ?)",
            (lane, NUMBER, state, created),
        )
    before = time.time()
    erase_sync(conn, sid, "test")
    outbox = conn.execute(
        "SELECT lane, recipient, state, error_detail, updated_at FROM outbox ORDER BY id"
    ).fetchall()
    skipped, finished, reply = outbox
    assert skipped[2:4] == ("skipped", "subscriber erased") and skipped[4] >= before
    assert finished[1:3] == (pseudonym(sid), "read")
    assert reply[1:3] == (NUMBER, "queued")  # the erasure's confirmation still reaches them
    conn.close()
