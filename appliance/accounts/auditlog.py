"""Reading the audit log: filters by action, actor and local date, newest first, by pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from appliance.core.clock import iso
from appliance.core.formats import zone
from appliance.lan.api import fetch_page
from appliance.lan.labels import AUDIT_ACTIONS, label

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
        return iso(midnight.replace(tzinfo=zone()))
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
    return await fetch_page(
        db,
        "SELECT id, at, actor, action, target, detail, address FROM audit_log "
        f"WHERE {' AND '.join(where)} ORDER BY id DESC",
        params,
        page,
        per_page,
    )


async def known_actions(db: Database) -> list[str]:
    """Every action the app records and any other found in the log, for the filter's choices."""
    found = {r[0] for r in await db.fetchall("SELECT DISTINCT action FROM audit_log")}
    return sorted(found | set(AUDIT_ACTIONS), key=lambda code: label(code, "audit").casefold())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
