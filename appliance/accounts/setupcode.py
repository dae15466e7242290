"""The one-time code that lets the first admin be created from the browser."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import TYPE_CHECKING

from appliance.core.clock import now_iso
from appliance.core.logs import REDACTOR

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


def _valid_clause() -> tuple[str, tuple[str, int]]:
    return "used_at IS NULL AND expires_at > ? AND attempts < ?", (now_iso(), MAX_ATTEMPTS)


async def needs_setup(db: Database) -> bool:
    """True while no staff account exists."""
    return not await db.fetchval("SELECT 1 FROM users LIMIT 1")


async def issue_if_needed(db: Database) -> str | None:
    """A fresh code when there are no users and no valid code; None otherwise (hash stored)."""
    if not await needs_setup(db):
        return None
    clause, params = _valid_clause()
    if await db.fetchval(f"SELECT 1 FROM setup_codes WHERE {clause}", params):
        return None
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    await db.execute(
        "INSERT INTO setup_codes (code_hash, expires_at) VALUES (?, ?)",
        (_hash(code), now_iso(VALID_HOURS * 3600)),
    )
    return "-".join(code[i : i + 4] for i in range(0, LENGTH, 4))


async def announce(db: Database, lan_url: str) -> None:
    """At start: print a new code once when the box has no admin; never again afterwards."""
    code = await issue_if_needed(db)
    if code is not None:
        log.warning(
            "No staff account yet. To create the first admin open %s/setup and enter the "
            "one-time setup code %s (valid %d hours; or run `appliance user add`)",
            lan_url,
            code,
            VALID_HOURS,
        )
        # From now on the code is masked in every log line and debug report.
        REDACTOR.add(code, normalise(code))
    elif await needs_setup(db):
        log.warning(
            "No staff account yet: use the setup code printed when it was issued, wait for it "
            "to expire and restart, or run `appliance user add`"
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
