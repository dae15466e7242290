"""The webhook's request path: concurrent deliveries committed together before their 200s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from appliance.core.db import Database, WriteConnection

MAX_STORE_BATCH = 500  # deliveries per INSERT (two SQL parameters each)


class Intake:
    """Batches deliveries into multi-row INSERTs; ``stored(id, payload, received_at)`` after each."""

    def __init__(self, db: Database, stored: Callable[[int, dict[str, Any], float], None]) -> None:
        self._db = db
        self._stored = stored
        self._to_store: list[tuple[float, bytes, dict[str, Any], asyncio.Future[int]]] = []
        self._storing: asyncio.Task[None] | None = None

    async def receive(self, body: bytes, payload: dict[str, Any]) -> int:
        """Store a verified delivery durably; return its id once it is committed.

        Concurrent deliveries share one multi-row INSERT inside one commit: a job per request
        would cost several thread hops each, which is the webhook's whole latency budget.
        """
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._to_store.append((time.time(), body, payload, future))
        if self._storing is None:
            self._storing = asyncio.create_task(self._store(), name="webhook-store")
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait until the deliveries already received are committed (or failed)."""
        if self._storing is not None:
            await asyncio.gather(self._storing, return_exceptions=True)

    async def _store(self) -> None:
        try:
            while self._to_store:
                batch = self._to_store[:MAX_STORE_BATCH]
                del self._to_store[:MAX_STORE_BATCH]
                params = [value for received, body, _, _ in batch for value in (received, body)]
                sql = (
                    "INSERT INTO webhook_deliveries (received_at, body) VALUES "
                    + ",".join(["(?, ?)"] * len(batch))
                    + " RETURNING id"
                )

                async def job(
                    conn: WriteConnection, sql: str = sql, params: list = params
                ) -> list[int]:
                    # Rowids grow in insertion order, so sorted ids map back to the batch.
                    return sorted(row[0] for row in await conn.execute_fetchall(sql, params))

                try:
                    ids = await self._db.write(job)
                except Exception as err:  # noqa: BLE001 - every waiting request gets the error
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(err)
                    continue
                for delivery_id, (received, _, payload, future) in zip(ids, batch, strict=True):
                    self._stored(delivery_id, payload, received)
                    if not future.done():
                        future.set_result(delivery_id)
        finally:
            self._storing = None
