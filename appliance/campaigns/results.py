"""The result writer: outcomes of sends and statuses, as named records, written in batches.

Every outcome is applied forward-only (a late answer never moves a row back) in one commit
per batch. A ``failed`` status goes through the same decision table as an error the API
answered at once (``policy.decide``): inside the commit, so the person's remaining parts,
the marketing opt-out and the template path change together with the row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from appliance.campaigns.fallbacks import resend_to_number, template_fallback
from appliance.campaigns.model import (
    ACCEPTED,
    FAILED,
    NEEDS_TEMPLATE,
    QUEUED,
    ROW_RANK,
    STATUS_STATE,
)
from appliance.campaigns.policy import Failure, Verdict, decide

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.05  # results gathered this long share one commit


@dataclass(frozen=True, slots=True)
class Accepted:
    """The API took the request: the row has its wamid."""

    row_id: int
    wamid: str
    at: float


@dataclass(frozen=True, slots=True)
class Retry:
    """The row goes again at ``not_before``; ``attempts`` is added to its count."""

    row_id: int
    not_before: float
    attempts: int
    code: int | None
    detail: str
    at: float


@dataclass(frozen=True, slots=True)
class Final:
    """The row ends in ``state``."""

    row_id: int
    state: str
    code: int | None
    detail: str
    attempted: bool
    at: float


@dataclass(frozen=True, slots=True)
class PersonFinal:
    """The person cannot be reached: their parts still queued end the same way, unsent."""

    campaign_id: int
    recipient: str
    state: str
    code: int | None
    detail: str
    at: float


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A status webhook (or one found by the sweeper) for the row; ``meta_at`` is Meta's time."""

    row_id: int
    state: str
    wamid: str
    code: int | None
    detail: str
    meta_at: float


@dataclass(frozen=True, slots=True)
class ToNumber:
    """Refused at once for its user id (131062): the row ends; its message goes to the number."""

    row_id: int
    code: int | None
    at: float


@dataclass(frozen=True, slots=True)
class TierUse:
    """A template left outside the window: it counts on the daily messaging limit."""

    recipient: str
    at: float


@dataclass(frozen=True, slots=True)
class AccountStop:
    """A failed status said the account cannot send: the dispatcher holds or pauses."""

    campaign_id: int | None
    code: int | None
    detail: str
    verdict: Verdict


@dataclass
class Results:
    """Outcomes waiting to be written in one commit."""

    accepted: list[Accepted] = field(default_factory=list)
    retries: list[Retry] = field(default_factory=list)
    finals: list[Final] = field(default_factory=list)
    person_finals: list[PersonFinal] = field(default_factory=list)
    to_number: list[ToNumber] = field(default_factory=list)
    statuses: list[StatusChange] = field(default_factory=list)
    tier: list[TierUse] = field(default_factory=list)
    marketing_stops: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


class ResultWriter:
    """Gathers results and released rows; one task writes them, waking status waiters."""

    def __init__(
        self,
        db: Database,
        on_written: Callable[[bool, list[PersonFinal], list[AccountStop]], None],
    ) -> None:
        self._db = db
        # (rows became ready again, people whose remaining parts ended, account stops seen)
        self._on_written = on_written
        self.results = Results()
        self.released: list[int] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was added: write it soon."""
        self._wake.set()

    async def status(self, change: StatusChange) -> None:
        """Queue one status and return once it is committed."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.results.statuses.append(change)
        self._waiters.append(future)
        self._wake.set()
        await future

    async def run(self) -> None:
        """The writer loop: a commit per short batch."""
        while True:
            await self._wake.wait()
            await asyncio.sleep(FLUSH_SECONDS)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the rows stay claimed; the sweeper recovers them
                log.exception("writing send results failed")

    async def flush(self) -> None:
        """Write what is gathered now."""
        results, self.results = self.results, Results()
        waiters, self._waiters = self._waiters, []
        released, self.released = self.released, []
        if not results and not released:
            return

        async def job(conn: WriteConnection) -> list[AccountStop]:
            stops = await write_results(conn, results, time.time())
            await release(conn, released)
            return stops

        try:
            stops = await self._db.write(job)
        except Exception as err:
            for future in waiters:
                if not future.done():
                    future.set_exception(err)
            raise
        for future in waiters:
            if not future.done():
                future.set_result(None)
        ready_again = bool(results.retries or results.to_number or released or stops)
        self._on_written(ready_again, results.person_finals, stops)


async def release(conn: WriteConnection, ids: list[int]) -> None:
    """Rows claimed but not sent (pause, shutdown) become ready again."""
    if ids:
        await conn.execute(
            "UPDATE outbox SET claimed_at = NULL WHERE state = 'queued' AND id IN "
            f"({','.join('?' * len(ids))})",
            list(ids),
        )


# A row's history line; the SELECT drops statuses naming a row that no longer exists.
_HISTORY = (
    "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
    " SELECT id, ?, ?, ?, ? FROM outbox WHERE id = ?"
)


async def write_results(conn: WriteConnection, results: Results, now: float) -> list[AccountStop]:
    """Apply outcomes forward-only; return the account stops that failed statuses revealed."""
    if results.accepted:
        await conn.executemany(
            "UPDATE outbox SET wamid = coalesce(wamid, ?), attempts = attempts + 1,"
            f" state = CASE WHEN rank < 1 THEN '{ACCEPTED}' ELSE state END,"
            " rank = max(rank, 1), updated_at = ? WHERE id = ?",
            [(a.wamid, a.at, a.row_id) for a in results.accepted],
        )
        await conn.executemany(
            _HISTORY, [(ACCEPTED, a.at, None, "", a.row_id) for a in results.accepted]
        )
    stops = await _failed_statuses(conn, results, now)
    for refused in results.to_number:
        words = await resend_to_number(conn, refused.row_id, now)
        results.finals.append(Final(refused.row_id, FAILED, refused.code, words, True, refused.at))
    if results.retries:
        await conn.executemany(
            "UPDATE outbox SET claimed_at = NULL, not_before = ?, attempts = attempts + ?,"
            " error_code = ?, error_detail = ?, updated_at = ?"
            f" WHERE id = ? AND state = '{QUEUED}'",
            [(r.not_before, r.attempts, r.code, r.detail, r.at, r.row_id) for r in results.retries],
        )
    if results.finals:
        await conn.executemany(
            "UPDATE outbox SET state = ?, rank = 9, error_code = ?, error_detail = ?,"
            " attempts = attempts + ?, updated_at = ? WHERE id = ? AND rank < 9",
            [(f.state, f.code, f.detail, int(f.attempted), f.at, f.row_id) for f in results.finals],
        )
        # Only where the failure applied: a row cancelled meanwhile keeps its own end.
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
            " SELECT id, state, ?, error_code, error_detail FROM outbox WHERE id = ? AND state = ?",
            [(f.at, f.row_id, f.state) for f in results.finals],
        )
    if results.person_finals:
        # Their later parts (never in flight, since parts go one after the other) end too.
        people = [
            (p.state, p.at, p.code, p.detail, p.campaign_id, p.recipient)
            for p in results.person_finals
        ]
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
            " SELECT id, ?, ?, ?, ? FROM outbox WHERE campaign_id = ? AND recipient = ?"
            f" AND state = '{QUEUED}'",
            people,
        )
        await conn.executemany(
            "UPDATE outbox SET state = ?1, rank = 9, error_code = ?3, error_detail = ?4,"
            f" updated_at = ?2 WHERE campaign_id = ?5 AND recipient = ?6 AND state = '{QUEUED}'",
            people,
        )
    if results.statuses:
        await conn.executemany(
            "UPDATE outbox SET state = ?1, rank = ?2, wamid = coalesce(wamid, ?3),"
            " error_code = coalesce(?4, error_code),"
            " error_detail = CASE WHEN ?5 != '' THEN ?5 ELSE error_detail END, updated_at = ?6"
            " WHERE id = ?7 AND rank < ?2",
            [
                (s.state, ROW_RANK[s.state], s.wamid, s.code, s.detail[:500], now, s.row_id)
                for s in results.statuses
            ],
        )
        # Each status once with Meta's time, even one that arrived after a later status.
        await conn.executemany(
            _HISTORY, [(s.state, s.meta_at, s.code, s.detail, s.row_id) for s in results.statuses]
        )
    fallbacks = [f.row_id for f in results.finals if f.state == NEEDS_TEMPLATE]
    fallbacks += [s.row_id for s in results.statuses if s.state == NEEDS_TEMPLATE]
    if fallbacks:
        await template_fallback(conn, fallbacks, now)
    if results.tier:
        await conn.executemany(
            "INSERT INTO tier_recipients (recipient, last_at) VALUES (?, ?)"
            " ON CONFLICT (recipient) DO UPDATE SET last_at = excluded.last_at",
            [(t.recipient, t.at) for t in results.tier],
        )
    if results.marketing_stops:
        await conn.executemany(
            "UPDATE subscribers SET marketing_opt_out = 1 WHERE wa_id = ?1 OR user_id = ?1",
            [(r,) for r in results.marketing_stops],
        )
    return stops


def status_change(
    status: str, wamid: str, code: int | None, detail: str, row_id: int, meta_at: float
) -> StatusChange | None:
    """The forward-only row change a status implies (``meta_at``: Meta's time), or None."""
    if status == "failed":
        state = NEEDS_TEMPLATE if code == 131047 else FAILED
    else:
        state = STATUS_STATE.get(status, "")
        if not state:
            return None
    return StatusChange(row_id, state, wamid, code, detail[:500], meta_at)


async def _failed_statuses(
    conn: WriteConnection, results: Results, now: float
) -> list[AccountStop]:
    """Decide each ``failed`` status that still moves its row, by the one decision table."""
    failed = {s.row_id: s for s in results.statuses if s.state in (FAILED, NEEDS_TEMPLATE)}
    if not failed:
        return []
    marks = ",".join("?" * len(failed))
    async with conn.execute(
        "SELECT o.id, o.lane, o.campaign_id, o.recipient, o.attempts, c.expires_at"
        " FROM outbox o LEFT JOIN campaigns c ON c.id = o.campaign_id"
        f" WHERE o.id IN ({marks}) AND o.rank < 9",
        list(failed),
    ) as cursor:
        rows = await cursor.fetchall()
    stops: list[AccountStop] = []
    requeue: list[tuple[float, int]] = []
    for row in rows:
        status = failed[row["id"]]
        decision = decide(
            Failure(
                status.code,
                attempts=max(0, row["attempts"] - 1),  # the failed attempt was counted
                reply=row["campaign_id"] is None,
                expires_at=row["expires_at"],
                now=now,
                asynchronous=True,
                by_user_id=not row["recipient"].isdigit(),
            )
        )
        state = NEEDS_TEMPLATE if decision.state == NEEDS_TEMPLATE else FAILED
        words = status.detail
        if decision.to_number:
            words = await resend_to_number(conn, row["id"], now)
        if (state, words) != (status.state, status.detail):
            index = results.statuses.index(status)
            results.statuses[index] = replace(status, state=state, detail=words)
        detail = words or decision.meaning
        if decision.skip_person and row["campaign_id"] is not None:
            results.person_finals.append(
                PersonFinal(
                    row["campaign_id"], row["recipient"], decision.state, status.code, detail, now
                )
            )
        if decision.marketing_opt_out:
            results.marketing_stops.append(row["recipient"])
        if decision.verdict is not Verdict.FINAL and decision.retry_at is not None:
            requeue.append((decision.retry_at, row["id"]))
        if decision.verdict in (Verdict.HOLD, Verdict.ALERT):
            stops.append(AccountStop(row["campaign_id"], status.code, detail, decision.verdict))
    if requeue:
        # The message failed after it left: a fresh row sends it again; the failed one stays
        # in the report with its code.
        await conn.executemany(
            "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, message,"
            " context_wamid, attempts, not_before, created_at)"
            " SELECT lane, campaign_id, subscriber_id, recipient, part, message, context_wamid,"
            " attempts, ?1, ?3 FROM outbox WHERE id = ?2",
            [(at, row_id, now) for at, row_id in requeue],
        )
    return stops
