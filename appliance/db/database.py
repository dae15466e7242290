"""SQLite access: one writer connection with batched, durable commits, and a few readers."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from appliance.db.migrate import migrate

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteJob = Callable[[aiosqlite.Connection], Awaitable[T]]

# How many queued write jobs share one transaction at most; bounds the time one commit holds.
MAX_BATCH = 200


class Database:
    """The app's SQLite file: ``write`` runs jobs on the single writer, ``fetch*`` on readers."""

    def __init__(self, path: Path, *, readers: int = 2) -> None:
        self.path = path
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self._jobs: asyncio.Queue[tuple[WriteJob[Any], asyncio.Future[Any]] | None] = (
            asyncio.Queue()
        )
        self._writer_task: asyncio.Task[None] | None = None

    # -- lifecycle (event loop) ------------------------------------------------------------

    async def start(self) -> None:
        """Migrate the schema, then open the writer and the readers."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(self._migrate_sync)
        self._writer = await self._open(readonly=False)
        for _ in range(self._reader_count):
            reader = await self._open(readonly=True)
            self._all_readers.append(reader)
            self._readers.put_nowait(reader)
        self._writer_task = asyncio.create_task(self._run_writer(), name="db-writer")

    async def stop(self) -> None:
        """Finish queued writes, then close every connection."""
        if self._writer_task is not None:
            self._jobs.put_nowait(None)
            await self._writer_task
            self._writer_task = None
        for conn in [self._writer, *self._all_readers]:
            if conn is not None:
                await conn.close()
        self._writer = None
        self._all_readers.clear()

    def _migrate_sync(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(conn)
        finally:
            conn.close()

    async def _open(self, *, readonly: bool) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=10)
        conn.row_factory = aiosqlite.Row
        # Every acknowledged write (webhooks, opt-outs) must survive a pulled plug: FULL on
        # the writer; batching concurrent jobs into one commit pays for the extra fsync.
        pragmas = ["foreign_keys=ON", "synchronous=FULL" if not readonly else "query_only=ON"]
        for pragma in pragmas:
            await conn.execute(f"PRAGMA {pragma}")
        return conn

    # -- writes --------------------------------------------------------------------------

    async def write(self, job: WriteJob[T]) -> T:
        """Run ``job(conn)`` inside the writer's transaction; return once it is committed."""
        if self._writer_task is None:
            raise RuntimeError("database is not started")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._jobs.put_nowait((job, future))
        return await future

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement durably; return the last row id."""

        async def job(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

        return await self.write(job)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for many rows in one transaction."""
        rows = list(rows)

        async def job(conn: aiosqlite.Connection) -> None:
            await conn.executemany(sql, rows)

        await self.write(job)

    async def _run_writer(self) -> None:
        """The single owner of the write connection: batch queued jobs into one commit."""
        assert self._writer is not None
        conn = self._writer
        stopping = False
        while not stopping:
            item = await self._jobs.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < MAX_BATCH and not self._jobs.empty():
                nxt = self._jobs.get_nowait()
                if nxt is None:
                    stopping = True
                    break
                batch.append(nxt)
            await self._commit_batch(conn, batch)

    async def _commit_batch(
        self, conn: aiosqlite.Connection, batch: list[tuple[WriteJob[Any], asyncio.Future[Any]]]
    ) -> None:
        results: list[tuple[asyncio.Future[Any], bool, Any]] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
            for index, (job, future) in enumerate(batch):
                # A savepoint per job: one failing job is undone alone, the others still commit.
                await conn.execute(f"SAVEPOINT job{index}")
                try:
                    value = await job(conn)
                except Exception as err:  # noqa: BLE001 - handed to the caller, not swallowed
                    await conn.execute(f"ROLLBACK TO job{index}")
                    await conn.execute(f"RELEASE job{index}")
                    results.append((future, False, err))
                else:
                    await conn.execute(f"RELEASE job{index}")
                    results.append((future, True, value))
            await conn.execute("COMMIT")
        except (sqlite3.Error, ValueError) as err:
            log.error("write batch of %d failed: %s", len(batch), err)
            try:
                await conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            for _, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        for future, ok, value in results:
            if future.done():  # the caller gave up (cancelled); the write is committed anyway
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    # -- reads ---------------------------------------------------------------------------

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        """Rows of one query, read from a reader connection."""
        reader = await self._readers.get()
        try:
            return list(await reader.execute_fetchall(sql, params))
        finally:
            self._readers.put_nowait(reader)

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any | None:
        """First row of one query, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        """First column of the first row, or None."""
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]
