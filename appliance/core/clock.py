"""UTC timestamps in the same text form SQLite's defaults use, so they compare as strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    """``2025-01-31T08:30:00.000Z``: millisecond precision, like strftime('%f') in SQLite."""
    # isoformat pads the year to four digits at any date (strftime's %Y does not on glibc).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def now_iso(offset_seconds: float = 0) -> str:
    """The current UTC time, optionally shifted, as ISO text."""
    return iso(datetime.now(UTC) + timedelta(seconds=offset_seconds))


def parse_iso(text: str) -> datetime:
    """Read a timestamp written by ``iso`` or by SQLite."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
