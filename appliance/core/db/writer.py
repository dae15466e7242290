"""The writer thread: owns the one write connection and commits queued jobs in batches.

Write jobs are coroutines over a ``WriteConnection`` whose methods finish at once, so a
whole batch of jobs runs inside this thread in one hop from the event loop (aiosqlite
would cost a thread hop per statement, which under a webhook burst was the bottleneck).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Generator, Iterable, Sequence
from typing import Any

log = logging.getLogger(__name__)

# How many queued write jobs share one transaction at most; bounds the time one commit holds.
MAX_BATCH = 200

Params = Sequence[Any] | dict[str, Any]


class WriteJobError(RuntimeError):
    """A write job awaited something other than its connection (it must only touch SQL)."""


class WriteCursor:
    """A cursor of the write connection, with aiosqlite's awaitable fetch methods."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """Row id of the last inserted row."""
        return self._cursor.lastrowid

    async def fetchone(self) -> sqlite3.Row | None:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchall(self) -> list[sqlite3.Row]:
        """The remaining rows."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Release the cursor."""
        self._cursor.close()


class _Executed:
    """What ``WriteConnection.execute`` returns: awaitable and an async context manager."""

    def __init__(self, cursor: WriteCursor) -> None:
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, WriteCursor]:
        return self._cursor_now().__await__()

    async def _cursor_now(self) -> WriteCursor:
        return self._cursor

    async def __aenter__(self) -> WriteCursor:
        return self._cursor

    async def __aexit__(self, *exc: object) -> None:
        await self._cursor.close()


class WriteConnection:
    """The write connection as a job sees it: aiosqlite's API, run inside the writer thread."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Params = ()) -> _Executed:
        """Run one statement; await it (or ``async with`` it) for its cursor."""
        return _Executed(WriteCursor(self._conn.execute(sql, params)))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> WriteCursor:
        """Run one statement for many rows."""
        return WriteCursor(self._conn.executemany(sql, rows))

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run one statement and return all its rows."""
        return self._conn.execute(sql, params).fetchall()


async def compare_and_set(
    conn: WriteConnection,
    table: str,
    row_id: int,
    column: str,
    expected: Iterable[Any],
    new: Any,
    **also: Any,
) -> sqlite3.Row | None:
    """Move one row's ``column`` from one of ``expected`` to ``new`` (and set ``also``).

    The updated row, or None when the row is not (or no longer) in an expected state: of
    concurrent requests for the same transition exactly one gets the row. Table and column
    names come from code, never from a request.
    """
    before = list(expected)
    sets = ", ".join(f"{name} = ?" for name in (column, *also))
    marks = ", ".join("?" * len(before))
    async with conn.execute(
        f"UPDATE {table} SET {sets} WHERE id = ? AND {column} IN ({marks}) RETURNING *",
        (new, *also.values(), row_id, *before),
    ) as cursor:
        return await cursor.fetchone()


Job = Callable[[WriteConnection], Awaitable[Any]]
Outcome = tuple[bool, Any]  # (succeeded, value or exception)
Deliver = Callable[[list[tuple[Any, Outcome]]], None]


def run_job(job: Job, conn: WriteConnection) -> Any:
    """Drive one job's coroutine to its end; it may not suspend (nothing to wait for here)."""
    coro = job(conn)
    try:
        coro.send(None)  # type: ignore[attr-defined]
    except StopIteration as done:
        return done.value
    coro.close()  # type: ignore[attr-defined]
    raise WriteJobError(f"write job {job!r} awaited something other than its connection")


class WriterThread:
    """One thread, one connection: takes queued jobs, commits them together, reports back."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], deliver: Deliver) -> None:
        self._connect = connect
        self._deliver = deliver
        self._jobs: queue.SimpleQueue[tuple[Job, Any] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="db-writer")
        self._opened = threading.Event()
        self._open_error: BaseException | None = None

    def start(self) -> None:
        """Open the connection in the thread; raise here if it cannot be opened."""
        self._thread.start()
        self._opened.wait()
        if self._open_error is not None:
            self._thread.join()
            raise self._open_error

    def submit(self, job: Job, token: Any) -> None:
        """Queue a job; ``token`` comes back with its outcome (thread-safe)."""
        self._jobs.put((job, token))

    def stop(self) -> None:
        """Finish the queued jobs, close the connection and end the thread (blocking)."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            raw = self._connect()
        except BaseException as err:  # noqa: BLE001 - re-raised by start() in the caller
            self._open_error = err
            self._opened.set()
            return
        self._opened.set()
        conn = WriteConnection(raw)
        try:
            stopping = False
            while not stopping:
                item = self._jobs.get()
                if item is None:
                    break
                batch = [item]
                while len(batch) < MAX_BATCH:
                    try:
                        nxt = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stopping = True
                        break
                    batch.append(nxt)
                self._deliver(_commit_batch(raw, conn, batch))
        finally:
            raw.close()


def _commit_batch(
    raw: sqlite3.Connection, conn: WriteConnection, batch: list[tuple[Job, Any]]
) -> list[tuple[Any, Outcome]]:
    outcomes: list[tuple[Any, Outcome]] = []
    try:
        raw.execute("BEGIN IMMEDIATE")
        for index, (job, token) in enumerate(batch):
            # A savepoint per job: one failing job is undone alone, the others still commit.
            raw.execute(f"SAVEPOINT job{index}")
            try:
                value = run_job(job, conn)
            except Exception as err:  # noqa: BLE001 - handed to the caller, not swallowed
                raw.execute(f"ROLLBACK TO job{index}")
                raw.execute(f"RELEASE job{index}")
                outcomes.append((token, (False, err)))
            else:
                raw.execute(f"RELEASE job{index}")
                outcomes.append((token, (True, value)))
        raw.execute("COMMIT")
    except sqlite3.Error as err:
        log.error("write batch of %d failed: %s", len(batch), err)
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        return [(token, (False, err)) for _, token in batch]
    return outcomes
