"""The election-period switch (par condicio, L. 28/2000 art. 9), kept as a settings row."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from appliance.core import audit
from appliance.core.db.settings import put_settings_in
from appliance.core.errors import Conflict
from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.core.db import Database

KEY = "studio.election_period"


class Election:
    """On while the comune is in an election period: only essential campaigns may go out."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.state: dict[str, Any] = {"on": False}

    @property
    def on(self) -> bool:
        """True during the election period."""
        return bool(self.state.get("on"))

    async def load(self) -> None:
        """Read the switch (service start)."""
        value = await self._db.fetchval("SELECT value FROM settings WHERE key = ?", (KEY,))
        self.state = json.loads(value) if value else {"on": False}

    async def set(self, on: bool, actor: str, address: str = "") -> None:
        """Turn the period on or off; audited."""
        state = {"on": on, "since": time.time(), "by": actor}

        async def job(conn: Any) -> None:
            await put_settings_in(conn, [(KEY, json.dumps(state))])
            action = "studio.election_on" if on else "studio.election_off"
            await audit.record_in(conn, actor, action, KEY, "", address)

        await self._db.write(job)
        self.state = state

    async def gate(self, campaign: Any) -> None:
        """The engine's send gate: while on, only essential campaigns or alerts may start."""
        if not self.on or campaign["lane"] == 0 or campaign["alert_key"]:
            return
        essential = await self._db.fetchval(
            "SELECT json_extract(data, '$.essential') FROM studio_drafts WHERE campaign_id = ?",
            (campaign["id"],),
        )
        if not essential:
            raise Conflict(
                "election period (par condicio, L. 28/2000 art. 9): only campaigns marked as "
                "essential in the studio may start"
            )


ELECTION: PartKey[Election] = PartKey("election")
