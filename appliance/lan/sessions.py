"""Staff sessions: a random id in a signed cookie, its hash in the database, so logout ends it."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quart import request
from quart.sessions import SecureCookieSessionInterface

from appliance.core.clock import now_iso

if TYPE_CHECKING:
    from quart import Quart

    from appliance.core.db import Database, WriteConnection

SESSION_HOURS = 12
COOKIE_NAME = "banditore_session"
SECRET_FILE_NAME = "session.key"


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


async def open_session(conn: WriteConnection, user_id: int, address: str) -> str:
    """Store a new session inside a write job and return its id (for the cookie)."""
    session_id = secrets.token_urlsafe(32)
    await conn.execute("DELETE FROM admin_sessions WHERE expires_at < ?", (now_iso(),))
    await conn.execute(
        "INSERT INTO admin_sessions (id_hash, user_id, expires_at, address) VALUES (?, ?, ?, ?)",
        (_hash(session_id), user_id, now_iso(SESSION_HOURS * 3600), address),
    )
    return session_id


async def session_user(db: Database, session_id: str) -> Any | None:
    """The active user row behind a live session id, or None."""
    return await db.fetchone(
        "SELECT u.id, u.username, u.role, u.language FROM admin_sessions s "
        "JOIN users u ON u.id = s.user_id "
        "WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0",
        (_hash(session_id), now_iso()),
    )


async def close_session(db: Database, session_id: str) -> None:
    """End one session (logout)."""
    await db.execute("DELETE FROM admin_sessions WHERE id_hash = ?", (_hash(session_id),))


async def close_user_sessions(conn: WriteConnection, user_id: int) -> None:
    """End every session of a user inside a write job (disabled, password changed)."""
    await conn.execute("DELETE FROM admin_sessions WHERE user_id = ?", (user_id,))


class CookieSessions(SecureCookieSessionInterface):
    """Quart's signed cookie whose Secure flag follows whether this request came over TLS."""

    def get_cookie_secure(self, app: Quart) -> bool:
        """Secure only over HTTPS: browsers drop Secure cookies on plain-HTTP LAN names."""
        return request.scheme == "https"


async def load_secret_key(configured: str, directory: Path) -> str:
    """The configured key, else one generated once and kept in a 0600 file beside the DB."""
    if configured:
        return configured
    return await asyncio.to_thread(_read_or_create_secret, directory / SECRET_FILE_NAME)


def _read_or_create_secret(path: Path) -> str:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key
