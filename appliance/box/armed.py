"""The armed emergency message: what one long press of the button sends, and the drill flag."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.core import audit
from appliance.core.errors import BadRequest, NotFound

if TYPE_CHECKING:
    import sqlite3

    from appliance.core.db import Database, WriteConnection

# Meta's limits: template names are lowercase with underscores (512 max), a text is 4096 max.
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
MAX_PARAMETER = 1024
MAX_FOLLOW_UP = 4096

_SELECT = (
    "SELECT template_name, language, parameters, follow_up, test_mode, armed_by, armed_at "
    "FROM emergency_armed WHERE id = 1"
)


@dataclass(frozen=True)
class ArmedMessage:
    """The approved utility template (and its parameters) a counted press sends to everyone."""

    template_name: str
    language: str
    parameters: tuple[str, ...]
    follow_up: str  # optional free text for recipients inside the 24-hour window
    test_mode: bool  # drills: sent only to [emergency] test_numbers
    armed_by: str
    armed_at: str  # UTC, ISO 8601


def _from_row(row: sqlite3.Row) -> ArmedMessage:
    return ArmedMessage(
        template_name=row["template_name"],
        language=row["language"],
        parameters=tuple(json.loads(row["parameters"])),
        follow_up=row["follow_up"],
        test_mode=bool(row["test_mode"]),
        armed_by=row["armed_by"],
        armed_at=row["armed_at"],
    )


def _validate(template_name: str, language: str, parameters: Sequence[str], follow_up: str) -> None:
    if not _TEMPLATE_NAME.match(template_name):
        raise BadRequest("template_name: lowercase letters, digits and underscores")
    if not _LANGUAGE.match(language):
        raise BadRequest("language: a template language code such as it or en_US")
    for number, value in enumerate(parameters, 1):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_PARAMETER:
            raise BadRequest(f"parameters: {{{{{number}}}}} must be 1-{MAX_PARAMETER} characters")
    if len(follow_up) > MAX_FOLLOW_UP:
        raise BadRequest(f"follow_up: at most {MAX_FOLLOW_UP} characters")


async def read_armed(db: Database) -> ArmedMessage | None:
    """The armed message, or None when nothing is armed."""
    row = await db.fetchone(_SELECT)
    return _from_row(row) if row else None


async def arm(
    db: Database,
    *,
    template_name: str,
    language: str,
    parameters: Sequence[str] = (),
    follow_up: str = "",
    test_mode: bool = False,
    actor: str,
    address: str = "",
) -> ArmedMessage:
    """Arm (or replace) the emergency message; audited with the change."""
    _validate(template_name, language, parameters, follow_up)
    follow_up = follow_up.strip()

    async def job(conn: WriteConnection) -> ArmedMessage:
        await conn.execute(
            "INSERT OR REPLACE INTO emergency_armed "
            "(id, template_name, language, parameters, follow_up, test_mode, armed_by) "
            "VALUES (1, ?, ?, ?, ?, ?, ?)",
            (template_name, language, json.dumps(list(parameters)), follow_up, test_mode, actor),
        )
        key = "armed_test" if test_mode else "armed"
        detail = audit.detail(key, language=language, n=len(parameters))
        await audit.record_in(conn, actor, "emergency.armed", template_name, detail, address)
        async with conn.execute(_SELECT) as cursor:
            return _from_row(await cursor.fetchone())

    return await db.write(job)


async def disarm(db: Database, *, actor: str, address: str = "") -> bool:
    """Disarm; return False when nothing was armed (nothing is audited then)."""

    async def job(conn: WriteConnection) -> bool:
        async with conn.execute("DELETE FROM emergency_armed RETURNING template_name") as cursor:
            row = await cursor.fetchone()
        if row is None:
            return False
        await audit.record_in(conn, actor, "emergency.disarmed", row[0], "", address)
        return True

    return await db.write(job)


async def set_test_mode(
    db: Database, enabled: bool, *, actor: str, address: str = ""
) -> ArmedMessage:
    """Switch the drill flag of the armed message; raise NotFound when nothing is armed."""

    async def job(conn: WriteConnection) -> ArmedMessage | None:
        cursor = await conn.execute(
            "UPDATE emergency_armed SET test_mode = ? WHERE id = 1", (enabled,)
        )
        if cursor.rowcount == 0:
            return None
        detail = audit.detail("test_mode_on" if enabled else "test_mode_off")
        await audit.record_in(conn, actor, "emergency.test_mode", "", detail, address)
        async with conn.execute(_SELECT) as cursor:
            return _from_row(await cursor.fetchone())

    armed = await db.write(job)
    if armed is None:
        raise NotFound("no emergency message is armed")
    return armed
