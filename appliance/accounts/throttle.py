"""Growing delays after failed logins, per account-and-address and per address (no lockout)."""

from __future__ import annotations

import asyncio
import math
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.core.db import Database

FREE_FAILURES = 3  # typos cost nothing
MAX_DELAY = 30.0  # the most anyone (an attacker included) can keep an address waiting
FORGET_AFTER = 900.0  # a quiet quarter of an hour starts the count again
# Password checks (argon2, ~50 ms of a core each) running at once, whatever the number of
# addresses asking: the rest wait for a slot, so login floods cannot eat the box's CPU.
VERIFY_SLOTS = 2
VERIFY_QUEUE_WAIT = 10.0  # seconds a judged attempt may wait for a slot before a 429


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 1, 2, 4… up to 30."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, 2.0 ** (failures - FREE_FAILURES - 1))


def _keys(username: str, address: str) -> tuple[str, str]:
    # Never the account alone: failures from one address must not slow the account elsewhere.
    return f"pair:{username.casefold()}|{address}", f"addr:{address}"


class LoginThrottle:
    """Counts attempts in the database (a restart does not reset them) and bounds argon2 work."""

    def __init__(self, db: Database, slots: asyncio.Semaphore) -> None:
        self._db = db
        self._slots = slots

    async def reserve(self, username: str, address: str) -> int:
        """Count this attempt as a failure before judging it; seconds to wait, 0 = judge it now.

        Reading the wait and counting the attempt happen in one write job, so concurrent
        attempts cannot all pass the check before any of them is counted.
        """
        keys = _keys(username, address)

        async def job(conn: Any) -> int:
            now = time.time()
            rows = await conn.execute_fetchall(
                "SELECT failures, last_at FROM login_failures WHERE key IN (?, ?)", keys
            )
            wait = max(
                (
                    r["last_at"] + delay_after(r["failures"]) - now
                    for r in rows
                    if r["last_at"] >= now - FORGET_AFTER
                ),
                default=0,
            )
            if wait > 0:
                return math.ceil(wait)
            await conn.executemany(
                "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at, "
                "failures = CASE WHEN last_at < ? THEN 1 ELSE failures + 1 END",
                [(key, now, now - FORGET_AFTER) for key in keys],
            )
            return 0

        return await self._db.write(job)

    async def verify_slot(self) -> bool:
        """Take one of the few password-check slots; False when none freed up in time."""
        try:
            await asyncio.wait_for(self._slots.acquire(), VERIFY_QUEUE_WAIT)
        except TimeoutError:
            return False
        return True

    def release_slot(self) -> None:
        """Give the password-check slot back."""
        self._slots.release()

    async def failed(self, username: str, address: str) -> None:
        """The reserved attempt was wrong: its delay runs from now, the end of the check."""
        await self._db.execute(
            "UPDATE login_failures SET last_at = ? WHERE key IN (?, ?)",
            (time.time(), *_keys(username, address)),
        )

    async def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of this account at this address, and of the address."""
        await self._db.executemany(
            "DELETE FROM login_failures WHERE key = ?", [(k,) for k in _keys(username, address)]
        )
