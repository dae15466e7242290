"""API tokens: random, shown once, stored as a hash, each with a role, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from appliance.core.audit import ROLE_NAMES, detail, record_in
from appliance.core.clock import now_iso
from appliance.core.errors import BadRequest, NotFound
from appliance.lan.access import check_role

if TYPE_CHECKING:
    from appliance.core.db import Database

PREFIX = "bnd_"
# Writing last_used_at on every call would be a commit per request; once a minute is enough.
TOUCH_EVERY_SECONDS = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(db: Database, name: str, role: str, actor: str, address: str = "") -> str:
    """Store a new token and return it: the only time it is ever visible."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise BadRequest("name: 1-80 characters")
    check_role(role)
    token = PREFIX + secrets.token_urlsafe(32)

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT INTO api_tokens (name, role, token_hash, prefix, created_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, role, _hash(token), token[: len(PREFIX) + 4], actor),
        )
        await record_in(
            conn, actor, "token.created", name, detail("role", role_words=ROLE_NAMES[role]), address
        )

    await db.write(job)
    return token


async def revoke_token(db: Database, token_id: int, actor: str, address: str = "") -> None:
    """Revoke a token for good."""

    async def job(conn: Any) -> None:
        rows = await conn.execute_fetchall(
            "SELECT name FROM api_tokens WHERE id = ? AND revoked_at IS NULL", (token_id,)
        )
        if not rows:
            raise NotFound("no such active token")
        await conn.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (now_iso(), token_id)
        )
        await record_in(conn, actor, "token.revoked", rows[0][0], "", address)

    await db.write(job)


async def token_principal_row(db: Database, token: str) -> Any | None:
    """The active token row for a presented bearer token, or None; notes when it was used."""
    if not token.startswith(PREFIX):
        return None
    row = await db.fetchone(
        "SELECT id, name, role, last_used_at FROM api_tokens "
        "WHERE token_hash = ? AND revoked_at IS NULL",
        (_hash(token),),
    )
    if row is not None and (row["last_used_at"] or "") < now_iso(-TOUCH_EVERY_SECONDS):
        await db.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now_iso(), row["id"])
        )
    return row


async def list_tokens(db: Database) -> list[Any]:
    """Every token, newest first, without hashes."""
    return await db.fetchall(
        "SELECT id, name, role, prefix, created_by, created_at, last_used_at, revoked_at "
        "FROM api_tokens ORDER BY revoked_at IS NOT NULL, id DESC"
    )
