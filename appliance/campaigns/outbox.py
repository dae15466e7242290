"""The durable outbox in SQL: enqueue in one statement, claim, record results and statuses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience.recipients import ADDRESS, of_campaign
from appliance.campaigns.limiter import EMERGENCY, REPLY
from appliance.campaigns.model import SENDING, TEMPLATE_PART

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


async def enqueue(
    conn: WriteConnection,
    campaign: sqlite3.Row,
    now: float,
) -> int:
    """Queue every recipient and part of a campaign (one INSERT … SELECT per part)."""
    audience = json.loads(campaign["audience"])
    content = json.loads(campaign["content"])
    has_template = campaign["template"] is not None
    rule = of_campaign(audience, campaign["category"])
    base, params = " FROM subscribers s WHERE " + rule.sql, rule.params
    window = " AND coalesce(s.last_inbound_at, 0) > ?"
    outside = " AND coalesce(s.last_inbound_at, 0) <= ?"
    window_from = now - DAY + WINDOW_MARGIN
    insert = (
        "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, created_at)"
        f" SELECT ?, ?, s.id, {ADDRESS}, ?, ?"
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


async def begin_in(conn: WriteConnection, row: Any, now: float) -> Any:
    """Enqueue every recipient and mark the campaign sending (inside a write job); its row."""
    recipients = await enqueue(conn, row, now)
    async with conn.execute(
        "UPDATE campaigns SET status = ?, recipients = ?, started_at = ? WHERE id = ? RETURNING *",
        (SENDING, recipients, now, row["id"]),
    ) as cursor:
        return await cursor.fetchone()


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
