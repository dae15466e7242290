"""The settings table: small values staff change at run time, each stamped with its time."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.core.db.writer import WriteConnection

_PUT = (
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
)


async def put_settings_in(conn: WriteConnection, values: Iterable[tuple[str, str]]) -> None:
    """Store each ``(key, value)`` inside a write job, replacing what the key held."""
    await conn.executemany(_PUT, list(values))
