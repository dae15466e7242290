"""Dashboard line of the conversation: citizens' messages waiting for staff."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from appliance.core.health import OK, Check, Probe

if TYPE_CHECKING:
    from appliance.core.db import Database

DAY = 86400


def inbox_probe(db: Database) -> Probe:
    """How many citizens wait for an answer, and since when."""
    # Always ok: the box's LED reads the same snapshot, and a question is not a fault.

    async def probe() -> Check:
        row = await db.fetchone(
            "SELECT count(DISTINCT subscriber_id) AS people, min(at) AS oldest FROM chat_messages"
            " WHERE inbox = 1 AND handled = 0"
        )
        people, oldest = row["people"], row["oldest"]
        if not people:
            return Check("inbox", OK, "Messaggi dei cittadini", "nessun messaggio in attesa")
        days = int((time.time() - oldest) // DAY)
        waited = f", il primo da {days} giorni" if days >= 1 else ""
        return Check("inbox", OK, "Messaggi dei cittadini", f"{people} in attesa{waited}")

    return probe
