"""The stored outcome of each source and risk, and the state rows' small transitions."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from appliance.core.db import WriteConnection
from appliance.feeds.levels import Level

EXPIRED_NOTE = "scaduta senza decisione"  # shown on the Alerts page, like the other notes


def iso(moment: datetime) -> str:
    """UTC ISO text, the form every stored moment has."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def when(text: str) -> datetime:
    """A stored moment."""
    return datetime.fromisoformat(text)


@dataclass
class SourceStatus:
    """The last outcome of polling one source."""

    last_success: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    failures: int = 0


async def store_status(conn: WriteConnection, key: str, status: SourceStatus) -> None:
    """One source's (``lombardy``) or risk's (``lombardy/wind``) last outcome."""
    await conn.execute(
        "INSERT INTO feed_status (source, last_success, last_error, last_error_at, failures)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET"
        " last_success = excluded.last_success, last_error = excluded.last_error,"
        " last_error_at = excluded.last_error_at, failures = excluded.failures",
        (
            key,
            iso(status.last_success) if status.last_success else None,
            status.last_error[:500],
            iso(status.last_error_at) if status.last_error_at else None,
            status.failures,
        ),
    )


def held(row: sqlite3.Row, now: datetime) -> Level:
    """The stored level if it is still in force, else green: an expired alert is over."""
    return Level(row["level"]) if when(row["valid_to"]) > now else Level.GREEN


async def record_ended(conn: WriteConnection, row: sqlite3.Row, now: datetime) -> None:
    """An alert whose validity passed with nothing after it ends quietly: it is no news."""
    await conn.execute(
        "UPDATE alert_state SET level = 0, content_hash = 'ended', checked_at = ?"
        " WHERE source = ? AND zone = ? AND risk = ?",
        (iso(now), row["source"], row["zone"], row["risk"]),
    )


async def expire_pending(conn: WriteConnection, now: datetime) -> None:
    """Close changes nobody decided on before their validity ended: none is worth sending."""
    await conn.execute(
        "UPDATE alert_events SET status = 'dismissed', note = ?, decided_by = 'system',"
        " decided_at = ? WHERE status = 'pending' AND valid_to <= ?",
        (EXPIRED_NOTE, iso(now), iso(now)),
    )
