"""Received webhook deliveries: stored raw, split into deduplicated events, handed to subscribers.

A delivery is committed durably before Meta gets its 200; splitting, deduplication and the
subscribers' work happen afterwards in the worker, so a slow or failing handler never turns
into a non-200 (Meta would redeliver for days). Failures are retried with backoff and then
parked as dead letters that staff can retry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from appliance.cloudapi.events import Event, StatusUpdate, split, to_event
from appliance.cloudapi.intake import Intake
from appliance.cloudapi.lanes import Lanes, Pending
from appliance.cloudapi.statuses import STATUS_UPSERT, status_row
from appliance.core.db import Database, WriteConnection
from appliance.core.parts import PartKey
from appliance.core.services import cancel_and_wait

DELIVERIES: PartKey[Deliveries] = PartKey("deliveries")

log = logging.getLogger(__name__)

Handler = Callable[[Event], Awaitable[None]]

MAX_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 2.0  # then ×4: 2, 8, 32, 128 s before the event is parked
# Deliveries per split: the split runs in the event loop, so a big one would stall the
# webhook's requests behind it.
MAX_SPLIT_BATCH = 64
WORKERS = 32  # handler calls in flight across citizens and messages
MAX_STORAGE_PAUSE = 60.0  # longest wait before the worker tries a failed write again


@dataclass(frozen=True)
class DeadLetter:
    """An event that failed every attempt, with the last error, for the dashboard."""

    id: int
    kind: str
    key: str
    attempts: int
    error: str
    created_at: float
    event: Event


class Deliveries:
    """Stores webhook deliveries, dedupes their events and runs the subscribers."""

    def __init__(
        self,
        db: Database,
        *,
        max_attempts: int = MAX_ATTEMPTS,
        first_retry_seconds: float = FIRST_RETRY_SECONDS,
    ) -> None:
        self._db = db
        self.max_attempts = max_attempts
        self.first_retry_seconds = first_retry_seconds
        self._handlers: list[tuple[str, Handler, frozenset[str] | None]] = []
        self._queued: list[tuple[int, dict[str, Any]]] = []
        self._intake = Intake(db, self._stored)
        self._done: list[int] = []
        self._inflight: set[int] = set()
        self._lanes = Lanes(self._process, self._crashed)
        self._wake = asyncio.Event()
        self._next_retry_at: float | None = None
        self._worker: asyncio.Task[None] | None = None
        self.last_received_at: float | None = None

    # -- subscribers ------------------------------------------------------------------------

    def subscribe(
        self, handler: Handler, *, name: str = "", kinds: Iterable[str] | None = None
    ) -> None:
        """Call ``await handler(event)`` once per new event (of ``kinds``, default all).

        Events of one citizen (messages) or one sent message (statuses) reach a handler in
        order; a handler that raises is retried later, so it must tolerate a second call.
        """
        name = name or getattr(handler, "__qualname__", repr(handler))
        if any(existing == name for existing, _, _ in self._handlers):
            raise ValueError(f"a webhook subscriber named {name!r} already exists")
        self._handlers.append((name, handler, frozenset(kinds) if kinds is not None else None))

    def _handlers_for(self, kind: str) -> list[tuple[str, Handler]]:
        return [(n, h) for n, h, kinds in self._handlers if kinds is None or kind in kinds]

    # -- the request path -------------------------------------------------------------------

    async def receive(self, body: bytes, payload: dict[str, Any]) -> int:
        """Store a verified delivery durably; return its id once it is committed."""
        return await self._intake.receive(body, payload)

    def _stored(self, delivery_id: int, payload: dict[str, Any], received_at: float) -> None:
        self._queued.append((delivery_id, payload))
        self.last_received_at = received_at
        self._wake.set()

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the worker; it first picks up what a crash or stop left unprocessed."""
        self.last_received_at = await self._db.fetchval(
            "SELECT received_at FROM webhook_deliveries ORDER BY id DESC LIMIT 1"
        )
        self._worker = asyncio.create_task(self._run(), name="webhook-worker")
        self._lanes.start(WORKERS)

    async def stop(self) -> None:
        """Stop the worker and cancel handlers still running; their events stay pending."""
        await self._intake.drain()
        await cancel_and_wait(self._worker)
        self._worker = None
        await self._lanes.stop()
        if self._done:
            await self._flush_done()

    async def _run(self) -> None:
        await self._recover()
        pause = self.first_retry_seconds
        while True:
            self._wake.clear()
            now = time.time()
            try:
                if self._queued:
                    await self._split_queued()
                if self._done:
                    await self._flush_done()
                if self._next_retry_at is not None and self._next_retry_at <= now:
                    await self._launch_due(now)
            except Exception:  # noqa: BLE001 - a full disk must not end processing for good
                log.exception("webhook worker could not write; trying again in %.0f s", pause)
                self._retry_at(time.time())  # a failed _launch_due had cleared the retry time
                await asyncio.sleep(pause)
                pause = min(pause * 2, MAX_STORAGE_PAUSE)
                continue
            pause = self.first_retry_seconds
            if self._queued or self._done:
                continue
            timeout = None if self._next_retry_at is None else max(0.0, self._next_retry_at - now)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()

    async def _recover(self) -> None:
        rows = await self._db.fetchall(
            "SELECT id, body FROM webhook_deliveries WHERE split = 0 ORDER BY id"
        )
        for row in rows:
            try:
                payload = json.loads(row["body"])
            except ValueError:
                payload = {}
            self._queued.append((row["id"], payload if isinstance(payload, dict) else {}))
        self._next_retry_at = 0.0  # pending events (crash, stop) are due now

    # -- splitting and deduplication --------------------------------------------------------

    async def _split_queued(self) -> None:
        batch, self._queued = self._queued[:MAX_SPLIT_BATCH], self._queued[MAX_SPLIT_BATCH:]
        now = time.time()
        events: dict[str, Event] = {}
        rows: list[tuple[Any, ...]] = []
        statuses: list[tuple[Any, ...]] = []
        for delivery_id, payload in batch:
            for key, kind, record in split(payload):
                event = to_event(key, kind, record)
                state = "pending" if self._handlers_for(kind) else "done"
                events[key] = event
                rows.append(
                    (key, delivery_id, kind, json.dumps(record, ensure_ascii=False), state, now)
                )
                if isinstance(event, StatusUpdate) and event.rank:
                    statuses.append(status_row(event, now))
        ids = [delivery_id for delivery_id, _ in batch]

        async def job(conn: WriteConnection) -> list[tuple[int, str, str]]:
            await conn.executemany(
                "INSERT OR IGNORE INTO webhook_events (dedupe_key, delivery_id, kind, record,"
                " state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            if statuses:
                await conn.executemany(STATUS_UPSERT, statuses)
            marks = ",".join("?" * len(ids))
            await conn.execute(
                f"UPDATE webhook_deliveries SET split = 1 WHERE id IN ({marks})", ids
            )
            # Only rows inserted now carry this batch's delivery ids: duplicates were ignored.
            return [
                (r[0], r[1], r[2])
                for r in await conn.execute_fetchall(
                    "SELECT id, dedupe_key, state FROM webhook_events"
                    f" WHERE delivery_id IN ({marks})",
                    ids,
                )
            ]

        try:
            inserted = await self._db.write(job)
        except BaseException:
            self._queued[:0] = batch  # still unsplit on disk too: nothing is lost, only later
            raise
        for event_id, key, state in inserted:
            if state == "pending":
                self._launch(Pending(event_id, events[key]))

    async def _flush_done(self) -> None:
        done, self._done = self._done, []
        now = time.time()
        try:
            await self._db.executemany(
                "UPDATE webhook_events SET state = 'done', processed_at = ?, done_handlers = ''"
                " WHERE id = ?",
                [(now, event_id) for event_id in done],
            )
        except BaseException:
            self._done[:0] = done
            raise
        self._inflight.difference_update(done)

    # -- processing -------------------------------------------------------------------------

    def _launch(self, pending: Pending) -> None:
        self._inflight.add(pending.id)
        self._lanes.launch(pending)

    def _crashed(self, pending: Pending) -> None:
        self._inflight.discard(pending.id)
        self._retry_at(time.time() + self.first_retry_seconds)

    async def _process(self, pending: Pending) -> None:
        done = set(pending.done_handlers)
        errors: list[str] = []
        for name, handler in self._handlers_for(pending.event.kind):
            if name in done:
                continue
            try:
                await handler(pending.event)
            except Exception as err:  # noqa: BLE001 - recorded, retried, then a dead letter
                log.warning("webhook handler %s failed on %s: %s", name, pending.event.key, err)
                errors.append(f"{name}: {type(err).__name__}: {err}")
            else:
                done.add(name)
        if errors:
            await self._failed(pending, done, "; ".join(errors))
        else:
            self._done.append(pending.id)
            self._wake.set()

    async def _failed(self, pending: Pending, done: set[str], error: str) -> None:
        attempts = pending.attempts + 1
        dead = attempts >= self.max_attempts
        retry_at = time.time() + self.first_retry_seconds * 4 ** (attempts - 1)
        await self._db.execute(
            "UPDATE webhook_events SET state = ?, attempts = ?, next_attempt_at = ?,"
            " done_handlers = ?, last_error = ? WHERE id = ?",
            (
                "dead" if dead else "pending",
                attempts,
                0 if dead else retry_at,
                ",".join(sorted(done)),
                error[:2000],
                pending.id,
            ),
        )
        self._inflight.discard(pending.id)
        if dead:
            log.error("webhook event %s parked as dead letter: %s", pending.event.key, error)
        else:
            self._retry_at(retry_at)

    def _retry_at(self, when: float) -> None:
        if self._next_retry_at is None or when < self._next_retry_at:
            self._next_retry_at = when
            self._wake.set()

    async def _launch_due(self, now: float) -> None:
        self._next_retry_at = None  # failures recorded while we query set it again
        rows = await self._db.fetchall(
            "SELECT id, dedupe_key, kind, record, attempts, done_handlers FROM webhook_events"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id",
            (now,),
        )
        later = await self._db.fetchval(
            "SELECT min(next_attempt_at) FROM webhook_events"
            " WHERE state = 'pending' AND next_attempt_at > ?",
            (now,),
        )
        if later is not None and (self._next_retry_at is None or later < self._next_retry_at):
            self._next_retry_at = later
        for row in rows:
            if row["id"] in self._inflight:
                continue
            event = to_event(row["dedupe_key"], row["kind"], json.loads(row["record"]))
            handlers = frozenset(filter(None, row["done_handlers"].split(",")))
            self._launch(Pending(row["id"], event, row["attempts"], handlers))

    # -- dead letters and queries (dashboard) -----------------------------------------------

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """The most recent dead letters first."""
        rows = await self._db.fetchall(
            "SELECT id, dedupe_key, kind, record, attempts, last_error, created_at"
            " FROM webhook_events WHERE state = 'dead' ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            DeadLetter(
                id=r["id"],
                kind=r["kind"],
                key=r["dedupe_key"],
                attempts=r["attempts"],
                error=r["last_error"],
                created_at=r["created_at"],
                event=to_event(r["dedupe_key"], r["kind"], json.loads(r["record"])),
            )
            for r in rows
        ]

    async def dead_letter_count(self) -> int:
        """How many events wait for staff."""
        return int(
            await self._db.fetchval("SELECT count(*) FROM webhook_events WHERE state = 'dead'")
        )

    async def retry_dead_letter(self, event_id: int) -> bool:
        """Give a dead letter a fresh set of attempts now; False when it is not a dead letter."""

        async def job(conn: WriteConnection) -> int:
            cursor = await conn.execute(
                "UPDATE webhook_events SET state = 'pending', attempts = 0, next_attempt_at = 0"
                " WHERE id = ? AND state = 'dead'",
                (event_id,),
            )
            return cursor.rowcount

        if not await self._db.write(job):
            return False
        self._next_retry_at = 0.0
        self._wake.set()
        return True

    async def dismiss_dead_letter(self, event_id: int, actor: str) -> bool:
        """Close a dead letter unprocessed (kept, marked who dismissed it); False if not one."""

        async def job(conn: WriteConnection) -> int:
            cursor = await conn.execute(
                "UPDATE webhook_events SET state = 'done', next_attempt_at = 0,"
                " last_error = ? || last_error WHERE id = ? AND state = 'dead'",
                (f"dismissed by {actor}: ", event_id),
            )
            return cursor.rowcount

        return bool(await self._db.write(job))

    async def status_of(self, wamid: str) -> dict[str, Any] | None:
        """The latest status of a message we sent (forward-only), or None."""
        row = await self._db.fetchone("SELECT * FROM message_statuses WHERE wamid = ?", (wamid,))
        return dict(row) if row is not None else None

    async def event_counts(self) -> dict[str, int]:
        """Events by state (pending, done, dead)."""
        rows = await self._db.fetchall(
            "SELECT state, count(*) AS n FROM webhook_events GROUP BY state"
        )
        return {r["state"]: r["n"] for r in rows}
