"""The sweeper: rows left in flight by a crash or a timeout, reconciled or sent again.

A row whose status already reached ``message_statuses`` was sent: it takes that status at
once, whatever its age. Only a row Meta said nothing about waits the grace period (its
answer may still be on the way) before it is made ready to send again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from appliance.campaigns.results import ResultWriter, status_change
from appliance.core.periodic import Periodic

if TYPE_CHECKING:
    from appliance.core.db import Database

log = logging.getLogger(__name__)

SWEEP_SECONDS = 5.0
MAX_ROWS = 5000  # per round: a huge backlog is swept over several rounds


class Sweeper:
    """Finds claimed rows nobody is sending; ``active`` names the ones the pump still holds."""

    def __init__(
        self, db: Database, writer: ResultWriter, grace: float, active: Callable[[], set[int]]
    ) -> None:
        self._db = db
        self._writer = writer
        self.grace = grace
        self._active = active
        # A round at start (what a crash left), then every few seconds.
        self.job = Periodic("in-flight sweep", self._round, interval=self._interval)

    async def run(self) -> None:
        """The rounds, until cancelled (the dispatcher runs them in a task of its own)."""
        await self.job.run()

    async def _round(self) -> None:
        await self.sweep()

    def _interval(self) -> float:
        return min(SWEEP_SECONDS, max(0.5, self.grace / 4))

    async def sweep(self) -> int:
        """One round; returns how many rows were made ready to send again."""
        active = self._active()
        rows = await self._db.fetchall(
            "SELECT o.id, o.claimed_at, ms.wamid, ms.status, ms.timestamp, ms.error_code,"
            " ms.error_details FROM outbox o"
            " LEFT JOIN message_statuses ms ON ms.callback_data = CAST(o.id AS TEXT)"
            " WHERE o.state = 'queued' AND o.claimed_at IS NOT NULL"
            f" ORDER BY o.id LIMIT {MAX_ROWS}"
        )
        older_than = time.time() - self.grace
        resend: list[int] = []
        seen = 0
        for row in rows:
            if row["id"] in active:
                continue
            if row["wamid"] is None:
                if row["claimed_at"] < older_than:
                    resend.append(row["id"])
                continue
            change = status_change(
                row["status"],
                row["wamid"],
                row["error_code"],
                row["error_details"] or "",
                row["id"],
                row["timestamp"],
            )
            if change is not None:
                self._writer.results.statuses.append(change)
                seen += 1
        if resend:
            log.warning(
                "resending %d message(s) with no status after the grace period", len(resend)
            )
            self._writer.released.extend(resend)
        if seen or resend:
            await self._writer.flush()
        return len(resend)
