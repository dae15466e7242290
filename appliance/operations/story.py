"""The dashboard's figures: subscribers now and their trend, messages per day, last campaigns."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from appliance.core.clock import iso
from appliance.core.formats import to_local, zone

if TYPE_CHECKING:
    from appliance.core.db import Database

DAYS = 30
LAST_CAMPAIGNS = 5


@dataclass(frozen=True)
class Story:
    """What the dashboard tells beside the health lines."""

    active: int
    new_week: int
    new_month: int
    lost_week: int
    lost_month: int
    days: list[date]  # the last DAYS days, oldest first, in the town's zone
    subscribers_by_day: list[int]  # active at the end of each day
    sent_by_day: list[int]  # messages WhatsApp accepted from us
    received_by_day: list[int]  # messages citizens wrote
    campaigns: list[dict[str, Any]]


def _days(today: date) -> list[date]:
    return [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]


def _end_of(day: date) -> str:
    """The first instant after ``day`` in the town's zone, as stored UTC text."""
    return iso(datetime.combine(day + timedelta(days=1), datetime.min.time(), zone()))


def _per_day(stamps: list[float], days: list[date]) -> list[int]:
    counts = Counter(to_local(t).date() for t in stamps)
    return [counts.get(d, 0) for d in days]


async def _count(db: Database, sql: str, params: tuple[Any, ...] = ()) -> int:
    return int(await db.fetchval(sql, params) or 0)


async def tell(db: Database, now: float | None = None) -> Story:
    """Read the figures (a few indexed queries; bounded to the last DAYS days)."""
    now = now or time.time()
    today = to_local(now).date()
    days = _days(today)
    week, month = iso(to_local(now - 7 * 86400)), iso(to_local(now - DAYS * 86400))
    people = await db.fetchall(
        "SELECT subscribed_at, unsubscribed_at, erased_at FROM subscribers"
        " WHERE subscribed_at IS NOT NULL"
    )
    by_day = []
    for day in days:
        end = _end_of(day)
        by_day.append(
            sum(
                1
                for p in people
                if p[0] < end
                and not (p[1] and p[1] < end and p[1] >= p[0])
                and not (p[2] and p[2] < end)
            )
        )
    since = now - DAYS * 86400
    sent = await db.fetchall(
        "SELECT at FROM outbox_history WHERE state = 'sent' AND at >= ?", (since,)
    )
    received = await db.fetchall(
        "SELECT at FROM chat_messages WHERE direction = 'in' AND at >= ?", (since,)
    )
    lost = "SELECT count(*) FROM subscribers WHERE unsubscribed_at >= ?"
    new = "SELECT count(*) FROM subscribers WHERE subscribed_at >= ?"
    return Story(
        active=await _count(db, "SELECT count(*) FROM subscribers WHERE status = 'active'"),
        new_week=await _count(db, new, (week,)),
        new_month=await _count(db, new, (month,)),
        lost_week=await _count(db, lost, (week,)),
        lost_month=await _count(db, lost, (month,)),
        days=days,
        subscribers_by_day=by_day,
        sent_by_day=_per_day([r[0] for r in sent], days),
        received_by_day=_per_day([r[0] for r in received], days),
        campaigns=await last_campaigns(db),
    )


async def last_campaigns(db: Database) -> list[dict[str, Any]]:
    """The latest campaigns that went out, with people reached and how many read them."""
    rows = await db.fetchall(
        "SELECT c.id, c.name, c.status, c.lane, coalesce(c.started_at, c.created_at) AS at,"
        " count(DISTINCT o.recipient) AS people,"
        " count(DISTINCT CASE WHEN o.rank >= 2 AND o.rank < 9 THEN o.recipient END) AS reached,"
        " count(DISTINCT CASE WHEN o.state = 'read' THEN o.recipient END) AS read"
        " FROM campaigns c LEFT JOIN outbox o ON o.campaign_id = c.id"
        " WHERE c.status NOT IN ('draft', 'scheduled')"
        " GROUP BY c.id ORDER BY at DESC LIMIT ?",
        (LAST_CAMPAIGNS,),
    )
    return [
        {**dict(r), "read_rate": (r["read"] / r["reached"]) if r["reached"] else None} for r in rows
    ]
