"""The staff's test numbers for drills: saved on the Emergency page, else from the config."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.core import audit
from appliance.core.db.settings import put_settings_in

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database

KEY = "emergency.test_numbers"
MAX_NUMBERS = 10
_SEPARATORS = re.compile(r"[\s\-./()]")
# Italian numbers after +39: mobiles (3…), landlines (0…), the demo's fictional +39 0000… range.
_ITALIAN = re.compile(r"^\+39[03]\d{5,10}$")


@dataclass(frozen=True)
class DrillNumbers:
    """Who a drill goes to, and whether the list was saved on the page (else the config's)."""

    numbers: tuple[str, ...]
    saved: bool


def normalise(raw: str) -> str | None:
    """``+39…`` for an Italian number written in any usual way (spaces, 0039, no prefix), or None."""
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("0039"):
        text = "+" + text[2:]
    elif not text.startswith("+") and text[:1] in ("0", "3") and 6 <= len(text) <= 11:
        text = "+39" + text
    elif text.startswith("39") and 8 <= len(text) <= 13:
        text = "+" + text
    return text if _ITALIAN.match(text) else None


async def read_drill_numbers(db: Database, config: Config) -> DrillNumbers:
    """The numbers a drill press sends to now (read at each press: no restart needed)."""
    value = await db.fetchval("SELECT value FROM settings WHERE key = ?", (KEY,))
    if value is None:
        return DrillNumbers(tuple(config.emergency.test_numbers), saved=False)
    return DrillNumbers(tuple(json.loads(value)), saved=True)


async def save_drill_numbers(
    db: Database, numbers: list[str], change: str, actor: str, address: str
) -> None:
    """Store the list (it then overrides the config's), with the audit row of ``change``."""

    async def job(conn) -> None:
        await put_settings_in(conn, [(KEY, json.dumps(numbers))])
        await audit.record_in(conn, actor, "emergency.test_numbers", "", change, address)

    await db.write(job)
