"""The durable outbox in SQL: enqueue in one statement, claim, record results and statuses."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience.segments import compile_segment
from appliance.campaigns.limiter import EMERGENCY, REPLY
from appliance.campaigns.model import ACCEPTED, NEEDS_TEMPLATE, QUEUED, ROW_RANK, TEMPLATE_PART

if TYPE_CHECKING:
    import sqlite3

    from appliance.core.db import Database, WriteConnection

DAY = 86400.0
# A citizen whose window closes within this margin gets the template: the send may take a while.
WINDOW_MARGIN = 3600.0
ACTIVE_SUBSCRIBER = "active"


@dataclass(slots=True)
class Row:
    """A claimed outbox row on its way to the API."""

    id: int
    lane: int
    campaign_id: int | None
    recipient: str
    part: int
    attempts: int
    message: tuple[str, Any] | None = None  # replies carry their own message
    context_wamid: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    in_window: bool = False


def audience_sql(
    topics: Sequence[str], marketing: bool, segment: dict[str, Any] | None = None
) -> tuple[str, list[Any]]:
    """``FROM subscribers s WHERE …`` selecting the active audience, and its parameters."""
    sql = (
        " FROM subscribers s WHERE s.status = 'active' AND coalesce(s.wa_id, s.user_id) IS NOT NULL"
    )
    params: list[Any] = []
    if topics:
        marks = ",".join("?" * len(topics))
        sql += (
            " AND s.id IN (SELECT st.subscriber_id FROM subscriber_topics st"
            f" JOIN topics t ON t.id = st.topic_id WHERE t.key IN ({marks}))"
        )
        params += list(topics)
    if marketing:
        sql += " AND s.marketing_opt_out = 0"
    if segment:
        compiled = compile_segment(segment)  # the studio's form-built filter, parameters only
        sql += " AND " + compiled.sql
        params += compiled.params
    return sql, params


async def enqueue(
    conn: WriteConnection,
    campaign: sqlite3.Row,
    now: float,
) -> int:
    """Queue every recipient and part of a campaign (one INSERT … SELECT per part)."""
    audience = json.loads(campaign["audience"])
    content = json.loads(campaign["content"])
    has_template = campaign["template"] is not None
    base, params = audience_sql(
        audience.get("topics") or [], campaign["category"] == "MARKETING", audience.get("segment")
    )
    window = " AND coalesce(s.last_inbound_at, 0) > ?"
    outside = " AND coalesce(s.last_inbound_at, 0) <= ?"
    window_from = now - DAY + WINDOW_MARGIN
    insert = (
        "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, created_at)"
        " SELECT ?, ?, s.id, coalesce(s.wa_id, s.user_id), ?, ?"
    )
    head = [campaign["lane"], campaign["id"]]
    if has_template:
        # Emergencies give everyone the template; others only those outside the window.
        split = content and campaign["lane"] != EMERGENCY
        where, extra = (outside, [window_from]) if split else ("", [])
        await conn.execute(insert + base + where, [*head, TEMPLATE_PART, now, *params, *extra])
    for part in range(len(content)):
        where, extra = (window, [window_from]) if has_template else ("", [])
        await conn.execute(insert + base + where, [*head, part, now, *params, *extra])
    return await count_recipients(conn, campaign["id"])


async def enqueue_numbers(
    conn: WriteConnection, campaign_id: int, lane: int, numbers: Iterable[str], now: float
) -> int:
    """Queue the template to staff numbers (emergency drills): no subscriber rows behind them."""
    rows = [(lane, campaign_id, n.lstrip("+"), TEMPLATE_PART, now) for n in dict.fromkeys(numbers)]
    await conn.executemany(
        "INSERT INTO outbox (lane, campaign_id, recipient, part, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


async def count_recipients(conn: WriteConnection, campaign_id: int) -> int:
    """People with at least one row in the campaign."""
    async with conn.execute(
        "SELECT count(DISTINCT recipient) FROM outbox WHERE campaign_id = ?", (campaign_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


_REPLY_INSERT = (
    "INSERT INTO outbox (lane, recipient, message, context_wamid, created_at)"
    f" VALUES ({REPLY}, ?, ?, ?, ?)"
)


async def enqueue_reply(
    db: Database, recipient: str, message: tuple[str, Any], context_wamid: str | None, now: float
) -> int:
    """Queue one conversation reply durably; return its row id."""
    return await db.execute(
        _REPLY_INSERT,
        (recipient, json.dumps(list(message), ensure_ascii=False), context_wamid, now),
    )


async def enqueue_reply_in(
    conn: WriteConnection,
    recipient: str,
    message: tuple[str, Any],
    context_wamid: str | None,
    now: float,
) -> None:
    """Queue one reply inside the caller's write job (committed with what it writes)."""
    await conn.execute(
        _REPLY_INSERT,
        (recipient, json.dumps(list(message), ensure_ascii=False), context_wamid, now),
    )


# -- claiming ---------------------------------------------------------------------------------

_CAMPAIGN_CANDIDATES = (
    "SELECT o.id, o.lane, o.campaign_id, o.recipient, o.part, o.attempts, o.subscriber_id,"
    " s.status AS sub_status, s.marketing_opt_out, s.last_inbound_at, s.wa_id, s.user_id"
    " FROM outbox o LEFT JOIN subscribers s ON s.id = o.subscriber_id"
    " WHERE o.lane = ? AND o.campaign_id = ? AND o.state = 'queued' AND o.claimed_at IS NULL"
    " AND o.not_before <= ?"
    # Parts of one person go in order: a part waits while an earlier one is still queued.
    " AND (o.part <= 0 OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.campaign_id = o.campaign_id"
    " AND p.recipient = o.recipient AND p.part < o.part AND p.state = 'queued'))"
    " ORDER BY o.part, o.id LIMIT ?"
)
_REPLY_CANDIDATES = (
    "SELECT id, recipient, message, context_wamid, attempts FROM outbox"
    " WHERE lane = ? AND campaign_id IS NULL AND state = 'queued' AND claimed_at IS NULL"
    " AND not_before <= ? ORDER BY id LIMIT ?"
)


async def claim_campaign_rows(
    conn: WriteConnection,
    lane: int,
    campaign_id: int,
    marketing: bool,
    limit: int,
    now: float,
) -> list[Row]:
    """Mark up to ``limit`` ready rows in flight; rows of people no longer reachable are skipped."""
    async with conn.execute(_CAMPAIGN_CANDIDATES, (lane, campaign_id, now, limit)) as cursor:
        candidates = await cursor.fetchall()
    rows: list[Row] = []
    skipped: list[tuple[str, int]] = []
    window_from = now - DAY
    for c in candidates:
        if c["subscriber_id"] is not None:
            if c["sub_status"] != ACTIVE_SUBSCRIBER:
                skipped.append((f"subscriber {c['sub_status'] or 'deleted'}", c["id"]))
                continue
            if marketing and c["marketing_opt_out"]:
                skipped.append(("stopped marketing messages", c["id"]))
                continue
        rows.append(
            Row(
                id=c["id"],
                lane=c["lane"],
                campaign_id=c["campaign_id"],
                recipient=c["recipient"],
                part=c["part"],
                attempts=c["attempts"],
                wa_id=c["wa_id"],
                user_id=c["user_id"],
                in_window=(c["last_inbound_at"] or 0) > window_from,
            )
        )
    if skipped:
        await conn.executemany(
            "UPDATE outbox SET state = 'skipped', rank = 9, error_detail = ?, updated_at = "
            f"{now!r} WHERE id = ? AND state = 'queued'",
            skipped,
        )
    await _mark_claimed(conn, [r.id for r in rows], now)
    return rows


async def claim_replies(conn: WriteConnection, limit: int, now: float) -> list[Row]:
    """Mark up to ``limit`` queued replies in flight, oldest first."""
    async with conn.execute(_REPLY_CANDIDATES, (REPLY, now, limit)) as cursor:
        candidates = await cursor.fetchall()
    rows = [
        Row(
            id=c["id"],
            lane=REPLY,
            campaign_id=None,
            recipient=c["recipient"],
            part=0,
            attempts=c["attempts"],
            message=tuple(json.loads(c["message"])),  # type: ignore[arg-type]
            context_wamid=c["context_wamid"],
        )
        for c in candidates
    ]
    await _mark_claimed(conn, [r.id for r in rows], now)
    return rows


async def _mark_claimed(conn: WriteConnection, ids: list[int], now: float) -> None:
    if ids:
        await conn.execute(
            f"UPDATE outbox SET claimed_at = ? WHERE id IN ({','.join('?' * len(ids))})",
            [now, *ids],
        )


async def release(conn: WriteConnection, ids: Sequence[int]) -> None:
    """Rows claimed but not sent (pause, shutdown) become ready again."""
    if ids:
        await conn.execute(
            "UPDATE outbox SET claimed_at = NULL WHERE state = 'queued' AND id IN "
            f"({','.join('?' * len(ids))})",
            list(ids),
        )


# -- results and statuses --------------------------------------------------------------------


@dataclass
class Results:
    """Outcomes waiting to be written in one commit."""

    accepted: list[tuple[str, float, int]]  # (wamid, now, id)
    retries: list[tuple[float, int, int | None, str, float, int]]  # not_before, +attempts, …
    finals: list[tuple[str, int | None, str, int, float, int]]  # …, +attempts, now, id
    recipient_finals: list[tuple[str, int | None, str, float, int, str]]  # …, campaign, person
    statuses: list[tuple[str, int, str, int | None, str, float, int, float]]  # …, id, Meta's time
    tier: list[tuple[str, float]]
    marketing_stops: list[str]

    @classmethod
    def empty(cls) -> Results:
        """Nothing to write yet."""
        return cls([], [], [], [], [], [], [])

    def __bool__(self) -> bool:
        return any(
            (
                self.accepted,
                self.retries,
                self.finals,
                self.recipient_finals,
                self.statuses,
                self.tier,
                self.marketing_stops,
            )
        )


# A row's history line; the SELECT drops statuses naming a row that no longer exists.
_HISTORY = (
    "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
    " SELECT id, ?, ?, ?, ? FROM outbox WHERE id = ?"
)


async def write_results(conn: WriteConnection, results: Results) -> None:
    """Apply outcomes forward-only: a late answer never moves a row back."""
    if results.accepted:
        await conn.executemany(
            "UPDATE outbox SET wamid = coalesce(wamid, ?), attempts = attempts + 1,"
            f" state = CASE WHEN rank < 1 THEN '{ACCEPTED}' ELSE state END,"
            " rank = max(rank, 1), updated_at = ? WHERE id = ?",
            results.accepted,
        )
        await conn.executemany(
            _HISTORY, [(ACCEPTED, now, None, "", row_id) for _, now, row_id in results.accepted]
        )
    if results.retries:
        await conn.executemany(
            "UPDATE outbox SET claimed_at = NULL, not_before = ?, attempts = attempts + ?,"
            " error_code = ?, error_detail = ?, updated_at = ?"
            f" WHERE id = ? AND state = '{QUEUED}'",
            results.retries,
        )
    if results.finals:
        await conn.executemany(
            "UPDATE outbox SET state = ?, rank = 9, error_code = ?, error_detail = ?,"
            " attempts = attempts + ?, updated_at = ? WHERE id = ? AND rank < 9",
            results.finals,
        )
        # Only where the failure applied: a row cancelled meanwhile keeps its own end.
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
            " SELECT id, state, ?, error_code, error_detail FROM outbox WHERE id = ? AND state = ?",
            [(f[4], f[5], f[0]) for f in results.finals],
        )
    if results.recipient_finals:
        # The person cannot be reached: their later parts (never in flight, since parts go
        # one after the other) end the same way, unsent.
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox_history (outbox_id, state, at, error_code, error_detail)"
            " SELECT id, ?, ?, ?, ? FROM outbox WHERE campaign_id = ? AND recipient = ?"
            f" AND state = '{QUEUED}'",
            [
                (state, now, code, detail, c, r)
                for state, code, detail, now, c, r in results.recipient_finals
            ],
        )
        await conn.executemany(
            "UPDATE outbox SET state = ?, rank = 9, error_code = ?, error_detail = ?,"
            f" updated_at = ? WHERE campaign_id = ? AND recipient = ? AND state = '{QUEUED}'",
            results.recipient_finals,
        )
    if results.statuses:
        await conn.executemany(
            "UPDATE outbox SET state = ?1, rank = ?2, wamid = coalesce(wamid, ?3),"
            " error_code = coalesce(?4, error_code),"
            " error_detail = CASE WHEN ?5 != '' THEN ?5 ELSE error_detail END, updated_at = ?6"
            " WHERE id = ?7 AND rank < ?2",
            [update[:7] for update in results.statuses],
        )
        # Each status once with Meta's time, even one that arrived after a later status.
        await conn.executemany(_HISTORY, [(u[0], u[7], u[3], u[4], u[6]) for u in results.statuses])
    fallbacks = [f[-1] for f in results.finals if f[0] == NEEDS_TEMPLATE]
    fallbacks += [u[6] for u in results.statuses if u[0] == NEEDS_TEMPLATE]
    if fallbacks:
        await template_fallback(conn, fallbacks, time.time())
    if results.tier:
        await conn.executemany(
            "INSERT INTO tier_recipients (recipient, last_at) VALUES (?, ?)"
            " ON CONFLICT (recipient) DO UPDATE SET last_at = excluded.last_at",
            results.tier,
        )
    if results.marketing_stops:
        await conn.executemany(
            "UPDATE subscribers SET marketing_opt_out = 1 WHERE wa_id = ?1 OR user_id = ?1",
            [(r,) for r in results.marketing_stops],
        )


async def template_fallback(conn: WriteConnection, row_ids: list[int], now: float) -> None:
    """131047 on free-form content: queue the campaign's template for that person instead.

    In the same commit as the failure, so the campaign cannot end in between.
    """
    await conn.execute(
        "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, created_at)"
        f" SELECT o.lane, o.campaign_id, o.subscriber_id, o.recipient, {TEMPLATE_PART},"
        " ? FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
        f" WHERE o.id IN ({','.join('?' * len(row_ids))}) AND o.part >= 0"
        f" AND o.state = '{NEEDS_TEMPLATE}' AND c.template IS NOT NULL"
        " AND c.status IN ('sending', 'paused') AND NOT EXISTS (SELECT 1 FROM outbox t"
        f" WHERE t.campaign_id = o.campaign_id AND t.recipient = o.recipient AND t.part = {TEMPLATE_PART})"
        " GROUP BY o.campaign_id, o.recipient",
        [now, *row_ids],
    )


# -- crash recovery ----------------------------------------------------------------------------


async def stale_in_flight(
    db: Database, older_than: float, active: set[int]
) -> tuple[list[int], list[Any]]:
    """Rows claimed before ``older_than`` that nobody is sending: (ids to resend, statuses seen).

    A row whose status already reached ``message_statuses`` was sent: it is reconciled from
    there instead of being sent twice.
    """
    rows = await db.fetchall(
        "SELECT o.id, ms.wamid, ms.status, ms.timestamp, ms.error_code, ms.error_details"
        " FROM outbox o"
        " LEFT JOIN message_statuses ms ON ms.callback_data = CAST(o.id AS TEXT)"
        " WHERE o.state = 'queued' AND o.claimed_at IS NOT NULL AND o.claimed_at < ?"
        " ORDER BY o.id LIMIT 5000",
        (older_than,),
    )
    resend = [r["id"] for r in rows if r["wamid"] is None and r["id"] not in active]
    seen = [r for r in rows if r["wamid"] is not None]
    return resend, seen


def row_rank(state: str) -> int:
    """Forward-only rank of a row state."""
    return ROW_RANK[state]
