"""The "Leggi" follow-up: a tap on a campaign template's quick reply brings the full content."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from appliance.campaigns.model import TEMPLATE_PART, loads, part_message
from appliance.cloudapi.events import Event, QuickReply

if TYPE_CHECKING:
    from appliance.app import Appliance

log = logging.getLogger(__name__)
# Content follows for these campaign states; a cancelled or expired one stays silent.
FOLLOWS = ("sending", "paused", "done")


class FollowUp:
    """Inbox subscriber for template quick replies (the conversation leaves them to us)."""

    def __init__(self, appliance: Appliance) -> None:
        self._appliance = appliance
        self._db = appliance.db

    async def on_message(self, event: Event) -> None:
        """Queue the campaign's content parts as replies, once per template message."""
        if not isinstance(event, QuickReply) or not event.reply_to:
            return
        row = await self._db.fetchone(
            "SELECT o.id, o.recipient, c.id AS campaign_id, c.status, c.content, c.expires_at"
            " FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
            # Only while still subscribed: a tap after STOP brings nothing.
            " JOIN subscribers s ON s.id = o.subscriber_id AND s.status = 'active'"
            " WHERE o.wamid = ? AND o.part = ?",
            (event.reply_to, TEMPLATE_PART),
        )
        if row is None:
            return
        content = loads(row["content"], [])
        now = time.time()
        if (
            not content
            or row["status"] not in FOLLOWS
            or (row["expires_at"] is not None and row["expires_at"] <= now)
        ):
            return

        async def claim(conn: Any) -> bool:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO studio_followups (outbox_id, at) VALUES (?, ?)",
                (row["id"], now),
            )
            return cursor.rowcount == 1

        if not await self._db.write(claim):
            return  # a second tap, or the same webhook again
        replies = self._appliance.parts["replies"]
        for index, part in enumerate(content):
            # The first part answers the tap, so the chat shows what it belongs to.
            await replies.send(
                row["recipient"],
                part_message(part),
                context_wamid=event.wamid if index == 0 else None,
            )
        log.info("campaign %s: full content to a 'Leggi' tap", row["campaign_id"])
