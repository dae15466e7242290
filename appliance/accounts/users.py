"""Staff accounts: creation, password hashing (argon2), roles, disabling."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from appliance.core.errors import BadRequest, Conflict, NotFound
from appliance.lan.access import check_role

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
HASHER = PasswordHasher()
# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = HASHER.hash("not-a-real-password-just-for-timing")


class LastAdmin(Conflict):
    """At least one active admin must remain."""

    code = "last_admin"


def check_new_account(username: str, password: str, role: str) -> None:
    """Raise BadRequest with a plain-language reason when an account cannot be created."""
    if not _USERNAME.match(username):
        raise BadRequest("username: 2-40 letters, digits, dot, dash or underscore")
    check_role(role)
    check_password(password)


def check_password(password: str) -> None:
    """Raise BadRequest when a new password is too short."""
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"password: at least {MIN_PASSWORD} characters")


async def hash_password(password: str) -> str:
    """Argon2 hash, computed off the event loop."""
    return await asyncio.to_thread(HASHER.hash, password)


async def insert_user(
    conn: WriteConnection, username: str, password_hash: str, role: str, language: str = "it"
) -> int:
    """Inside a write job: store a new account (already checked and hashed); return its id."""
    rows = await conn.execute_fetchall("SELECT 1 FROM users WHERE username = ?", (username,))
    if rows:
        raise Conflict(f"user {username!r} already exists")
    cursor = await conn.execute(
        "INSERT INTO users (username, password_hash, role, language) VALUES (?, ?, ?, ?)",
        (username, password_hash, role, language),
    )
    return cursor.lastrowid or 0


async def create_user(
    db: Database, username: str, password: str, role: str, language: str = "it"
) -> int:
    """Store a new account with an argon2 hash; return its id."""
    check_new_account(username, password, role)
    hashed = await hash_password(password)
    return await db.write(lambda conn: insert_user(conn, username, hashed, role, language))


async def authenticate(db: Database, username: str, password: str) -> Any | None:
    """The active user row when the password matches, else None (same cost either way)."""
    row = await db.fetchone(
        "SELECT id, username, password_hash, role, language, disabled FROM users "
        "WHERE username = ?",
        (username,),
    )
    hashed = row["password_hash"] if row is not None else _DUMMY_HASH
    try:
        await asyncio.to_thread(HASHER.verify, hashed, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return row


async def list_users(db: Database) -> list[Any]:
    """Every account, admins first."""
    return await db.fetchall(
        "SELECT id, username, role, language, disabled, created_at FROM users "
        "ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'operator' THEN 1 "
        "WHEN 'editor' THEN 2 ELSE 3 END, username"
    )


async def get_user(conn: WriteConnection, user_id: int) -> Any:
    """Inside a write job: one account row or NotFound."""
    rows = await conn.execute_fetchall(
        "SELECT id, username, role, disabled FROM users WHERE id = ?", (user_id,)
    )
    if not rows:
        raise NotFound("no such user")
    return rows[0]


async def ensure_other_admin(conn: WriteConnection, user_id: int) -> None:
    """Inside a write job: raise LastAdmin unless another active admin exists."""
    rows = await conn.execute_fetchall(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?",
        (user_id,),
    )
    if rows[0][0] == 0:
        raise LastAdmin("at least one active admin must remain")
