"""Growing delays after failed logins, per account and per client address (never a lockout)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.db import Database

FREE_FAILURES = 3  # typos cost nothing
MAX_DELAY = 30.0  # the most anyone (an attacker included) can keep the real admin waiting
FORGET_AFTER = 900.0  # a quiet quarter of an hour starts the count again


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` consecutive failures: 0, 0, 0, 1, 2, 4… up to 30."""
    if failures <= FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, 2.0 ** (failures - FREE_FAILURES - 1))


def _keys(username: str, address: str) -> tuple[str, str]:
    return f"user:{username.casefold()}", f"addr:{address}"


class LoginThrottle:
    """Counts failures in the database so a restart does not reset them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def wait_seconds(self, username: str, address: str) -> int:
        """Whole seconds before another attempt for this account or address is judged; 0 = now."""
        rows = await self._db.fetchall(
            "SELECT failures, last_at FROM login_failures WHERE key IN (?, ?)",
            _keys(username, address),
        )
        now = time.time()
        wait = max((row["last_at"] + delay_after(row["failures"]) - now for row in rows), default=0)
        return math.ceil(wait) if wait > 0 else 0

    async def failed(self, username: str, address: str) -> None:
        """Count one more failure for the account and the address."""
        now = time.time()
        await self._db.executemany(
            "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at, "
            "failures = CASE WHEN last_at < ? THEN 1 ELSE failures + 1 END",
            [(key, now, now - FORGET_AFTER) for key in _keys(username, address)],
        )

    async def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of the account and the address after a good login."""
        await self._db.executemany(
            "DELETE FROM login_failures WHERE key = ?", [(k,) for k in _keys(username, address)]
        )
