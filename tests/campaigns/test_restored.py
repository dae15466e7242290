"""After a restore, what was mid-send waits for staff and stale replies are never sent."""

from __future__ import annotations

import sqlite3
import time

import pytest

from appliance.campaigns.restored import RESTORED_REASON, hold_after_restore
from appliance.core.db.migrate import migrate

pytestmark = pytest.mark.fast


def test_sending_and_due_campaigns_pause_future_ones_keep_their_time(tmp_path):
    conn = sqlite3.connect(tmp_path / "copy.db", isolation_level=None)
    migrate(conn)
    now = time.time()
    rows = [
        ("sending", None),
        ("scheduled", now - 60),  # due while the box was down: may have gone out already
        ("scheduled", now + 86400),  # tomorrow: nobody has it yet
        ("paused", None),
        ("done", None),
    ]
    for status, send_at in rows:
        conn.execute(
            "INSERT INTO campaigns (name, status, send_at, created_at) VALUES ('c', ?, ?, ?)",
            (status, send_at, now),
        )
    conn.execute(
        "INSERT INTO outbox (lane, recipient, message, created_at) VALUES (1, '39333', '[]', ?)",
        (now,),
    )
    hold_after_restore(conn)
    statuses = conn.execute("SELECT status, paused_reason FROM campaigns ORDER BY id").fetchall()
    assert statuses == [
        ("paused", RESTORED_REASON),
        ("paused", RESTORED_REASON),
        ("scheduled", ""),
        ("paused", ""),
        ("done", ""),
    ]
    assert conn.execute("SELECT state FROM outbox").fetchone() == ("expired",)
    conn.close()
