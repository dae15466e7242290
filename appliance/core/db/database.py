"""SQLite access: one writer thread with batched, durable commits, and a few readers."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from appliance.core.db.migrate import MigrationError, migrate
from appliance.core.db.writer import Outcome, WriteConnection, WriterThread

T = TypeVar("T")
WriteJob = Callable[[WriteConnection], Awaitable[T]]


class Database:
    """The app's SQLite file: ``write`` runs jobs on the single writer, ``fetch*`` on readers."""

    def __init__(self, path: Path, *, readers: int = 2) -> None:
        self.path = path
        self._reader_count = readers
        self._writer: WriterThread | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []

    # -- lifecycle (event loop) ------------------------------------------------------------

    async def start(self) -> None:
        """Migrate the schema, then open the writer and the readers."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(self._migrate_sync)
        loop = asyncio.get_running_loop()

        def deliver(outcomes: list[tuple[Any, Outcome]]) -> None:
            loop.call_soon_threadsafe(_settle, outcomes)

        writer = WriterThread(self._connect_writer, deliver)
        await asyncio.to_thread(writer.start)
        self._writer = writer
        for _ in range(self._reader_count):
            reader = await self._open_reader()
            self._all_readers.append(reader)
            self._readers.put_nowait(reader)

    async def stop(self) -> None:
        """Finish queued writes, then close every connection."""
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.to_thread(writer.stop)
            # Outcomes of the last batch were handed to the loop; let them land first.
            await asyncio.sleep(0)
        for conn in self._all_readers:
            await conn.close()
        self._all_readers.clear()

    def _migrate_sync(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        except sqlite3.Error as err:
            raise MigrationError(f"cannot open {self.path}: {err}") from None
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            migrate(conn)
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise
            # One line for the technician, not a traceback: this needs a backup, not a retry.
            raise MigrationError(
                f"{self.path} is damaged ({err}); run `appliance check`, then restore the "
                "latest backup with `appliance restore FILE`"
            ) from None
        finally:
            conn.close()

    def _connect_writer(self) -> sqlite3.Connection:
        """The write connection, opened inside the writer thread that alone uses it."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        conn.row_factory = sqlite3.Row
        # Every acknowledged write (webhooks, opt-outs) must survive a pulled plug: FULL on
        # the writer; batching concurrent jobs into one commit pays for the extra fsync.
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    async def _open_reader(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=10)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA query_only=ON")
        return conn

    # -- writes --------------------------------------------------------------------------

    async def write(self, job: WriteJob[T]) -> T:
        """Run ``job(conn)`` inside the writer's transaction; return once it is committed."""
        if self._writer is None:
            raise RuntimeError("database is not started")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._writer.submit(job, future)
        return await future

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one write statement durably; return the last row id."""

        async def job(conn: WriteConnection) -> int:
            cursor = await conn.execute(sql, params)
            return cursor.lastrowid or 0

        return await self.write(job)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for many rows in one transaction."""
        rows = list(rows)

        async def job(conn: WriteConnection) -> None:
            await conn.executemany(sql, rows)

        await self.write(job)

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


def _settle(outcomes: list[tuple[Any, Outcome]]) -> None:
    """Hand a committed batch's results to the waiting callers (event loop)."""
    for future, (ok, value) in outcomes:
        if future.done():  # the caller gave up (cancelled); the write is committed anyway
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
