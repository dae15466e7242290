"""A template Meta pauses, disables or rejects pauses the campaigns using it, saying why."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from appliance.campaigns.engine import CAMPAIGNS
from appliance.cloudapi.events import Event, TemplateStatusUpdate
from appliance.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)
STOPPING = ("PAUSED", "DISABLED", "REJECTED", "PENDING_DELETION", "DELETED")
_USING = (
    "SELECT id FROM campaigns WHERE status IN ('scheduled', 'sending')"
    " AND json_extract(template, '$.name') = ? AND json_extract(template, '$.language') = ?"
)


def pause_reason(name: str, status: str, reason: str) -> str:
    """The Italian explanation staff read on the campaign page."""
    why = f" (motivo indicato da Meta: {reason})" if reason else ""
    return (
        f"Meta ha messo il modello «{name}» in stato {status}{why}: i messaggi con questo "
        "modello verrebbero rifiutati. Scegli un altro modello approvato oppure, se Meta lo "
        "riattiva, riprendi la campagna."
    )


class TemplateWatch:
    """Webhook subscriber for template status webhooks."""

    def __init__(self, appliance: Appliance) -> None:
        self._appliance = appliance
        self._db = appliance.db

    async def on_event(self, event: Event) -> None:
        """Pause the scheduled or sending campaigns whose template stopped."""
        if isinstance(event, TemplateStatusUpdate) and event.event.upper() in STOPPING:
            campaigns = self._appliance.parts[CAMPAIGNS]
            reason = pause_reason(event.name, event.event.upper(), event.reason)
            for row in await self._db.fetchall(_USING, (event.name, event.language)):
                with contextlib.suppress(Conflict, NotFound):
                    await campaigns.pause(row["id"], "system", reason=reason)
                    log.warning("campaign %s paused: template %s", row["id"], event.event)
