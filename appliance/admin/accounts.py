"""Staff accounts: creation and password hashing (argon2)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from argon2 import PasswordHasher

from appliance.errors import BadRequest, Conflict

if TYPE_CHECKING:
    from appliance.db import Database

ROLES = ("admin", "operator", "editor", "viewer")
MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,40}$")
HASHER = PasswordHasher()


def check_new_account(username: str, password: str, role: str) -> None:
    """Raise BadRequest with a plain-language reason when an account cannot be created."""
    if not _USERNAME.match(username):
        raise BadRequest("username: 2-40 letters, digits, dot, dash or underscore")
    if role not in ROLES:
        raise BadRequest(f"role: one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"password: at least {MIN_PASSWORD} characters")


async def create_user(db: Database, username: str, password: str, role: str) -> int:
    """Store a new account with an argon2 hash; return its id."""
    check_new_account(username, password, role)
    if await db.fetchval("SELECT 1 FROM users WHERE username = ?", (username,)):
        raise Conflict(f"user {username!r} already exists")
    hashed = HASHER.hash(password)
    return await db.execute(
        "INSERT INTO users (username, password_hash, role) VALUES (?, ?, ?)",
        (username, hashed, role),
    )
