"""Dashboard line of the conversation: citizens' messages waiting for staff."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from appliance.core.health import OK, Check, Probe
from appliance.core.text import N_, N_plural

if TYPE_CHECKING:
    from appliance.core.db import Database

DAY = 86400
TITLE = N_("Messaggi dei cittadini")


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
            return Check("inbox", OK, TITLE, N_("nessun messaggio in attesa"))
        days = int((time.time() - oldest) // DAY)
        if days < 1:
            return Check("inbox", OK, TITLE, N_("{people} in attesa", people=people))
        waited = N_plural(
            "{people} in attesa, il primo da {n} giorno",
            "{people} in attesa, il primo da {n} giorni",
            days,
            people=people,
        )
        return Check("inbox", OK, TITLE, waited)

    return probe
