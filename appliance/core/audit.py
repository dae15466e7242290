"""The audit log: who did what, when, from where. Append-only from the app's side."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

_INSERT = "INSERT INTO audit_log (actor, action, target, detail, address) VALUES (?, ?, ?, ?, ?)"


async def record(
    db: Database,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Append one audit row in its own durable commit."""
    await db.execute(_INSERT, (actor, action, target, detail, address))


async def record_in(
    conn: WriteConnection,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Append one audit row inside a write job, so it commits with the change it describes."""
    await conn.execute(_INSERT, (actor, action, target, detail, address))
