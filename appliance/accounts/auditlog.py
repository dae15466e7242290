"""Reading the audit log: filters by action, actor and local date, newest first, by pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from appliance.core.clock import iso

if TYPE_CHECKING:
    from appliance.core.db import Database

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the reader asked for; empty fields do not filter."""

    action: str = ""
    actor: str = ""
    since: date | None = None  # local dates, inclusive
    until: date | None = None


def _local_midnight_utc(day: date) -> str:
    midnight = datetime.combine(day, time.min)
    try:
        return iso(midnight.astimezone())
    except (OverflowError, ValueError):  # year 1 or 9999: the zone's offset cannot matter there
        return iso(midnight.replace(tzinfo=UTC))


async def query_audit(
    db: Database, flt: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE
) -> tuple[list[Any], bool]:
    """One page of matching rows, newest first, and whether an older page exists."""
    where, params = ["1 = 1"], []
    if flt.action:
        # An action family: "login" matches login, login.failed, …
        where.append("(action = ? OR action LIKE ? ESCAPE '\\')")
        params += [flt.action, _escape_like(flt.action) + ".%"]
    if flt.actor:
        where.append("actor = ?")
        params.append(flt.actor)
    if flt.since:
        where.append("at >= ?")
        params.append(_local_midnight_utc(flt.since))
    if flt.until and flt.until < date.max:  # nothing comes after the calendar's last day
        where.append("at < ?")
        params.append(_local_midnight_utc(flt.until + timedelta(days=1)))
    rows = await db.fetchall(
        "SELECT id, at, actor, action, target, detail, address FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, per_page + 1, (page - 1) * per_page],
    )
    return rows[:per_page], len(rows) > per_page


async def known_actions(db: Database) -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return [r[0] for r in await db.fetchall("SELECT DISTINCT action FROM audit_log ORDER BY 1")]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
