"""The one-time code that lets the first admin be created from the browser."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING

from appliance.core.clock import now_iso

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

log = logging.getLogger(__name__)

# No 0/O or 1/I/L: the code is read off a console and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
VALID_HOURS = 24
MAX_ATTEMPTS = 5


def normalise(code: str) -> str:
    """Upper-case, without the spaces and dashes people type between groups."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


async def needs_setup(db: Database) -> bool:
    """True while no staff account exists."""
    return not await db.fetchval("SELECT 1 FROM users LIMIT 1")


async def issue(db: Database) -> str | None:
    """A fresh code while no account exists (it replaces any earlier one); None otherwise.

    Only its hash is stored. The code goes to whoever asked (``appliance setup-code``, run by
    root or by install.sh), never to the log: anyone who can read the journal could use it.
    """
    if not await needs_setup(db):
        return None
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    await db.execute(
        "INSERT INTO setup_codes (code_hash, expires_at) VALUES (?, ?)",
        (_hash(code), now_iso(VALID_HOURS * 3600)),
    )
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


async def announce(db: Database, lan_url: str) -> None:
    """At start, while the box has no admin: say how to get a setup code (never the code)."""
    if await needs_setup(db):
        log.warning(
            "No staff account yet. To create the first admin run `sudo appliance setup-code` "
            "on this box and enter the code at %s/setup (or run `appliance user add`)",
            lan_url,
        )


async def spend(conn: WriteConnection, code: str) -> str:
    """In a write job: spend the latest code; return "ok" or why not (a wrong try still counts)."""
    rows = await conn.execute_fetchall(
        "SELECT id, code_hash, expires_at, attempts, used_at FROM setup_codes "
        "ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return "none"
    code_id, code_hash, expires_at, attempts, used_at = rows[0]
    if used_at is not None:
        return "used"
    if attempts >= MAX_ATTEMPTS:
        return "exhausted"
    if expires_at <= now_iso():
        return "expired"
    if not hmac.compare_digest(code_hash, _hash(code)):
        await conn.execute(
            "UPDATE setup_codes SET attempts = attempts + 1 WHERE id = ?", (code_id,)
        )
        return "wrong"
    await conn.execute("UPDATE setup_codes SET used_at = ? WHERE id = ?", (now_iso(), code_id))
    return "ok"
