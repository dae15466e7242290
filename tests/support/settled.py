"""Whether the appliance has handled everything it was sent: the state a test waits on before
asserting that nothing more happened (instead of sleeping and hoping)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.support.appliance import RunningAppliance
from tests.support.db import rows

# Deliveries not yet split, events not yet handled, messages due but not yet answered by Meta
# (a row stays queued while its request is in flight).
BUSY = (
    "SELECT (SELECT count(*) FROM webhook_deliveries WHERE split = 0)"
    " + (SELECT count(*) FROM webhook_events WHERE state = 'pending')"
    " + (SELECT count(*) FROM outbox WHERE state = 'queued' AND not_before <= ?)"
)


def settled(where: RunningAppliance | Path) -> bool:
    """Nothing received is unhandled and nothing due is unsent (a running app or its database)."""
    if isinstance(where, Path):
        with sqlite3.connect(f"file:{where}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(BUSY, (time.time(),)).fetchone()[0] == 0
    return rows(where, BUSY, (time.time(),))[0][0] == 0
