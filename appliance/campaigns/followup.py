"""Template quick replies: "Leggi" brings a campaign's full content; "stop promotions" opts out.

Only the campaign's own "Leggi" button sends the content: any other button of the same
template (Meta's marketing opt-out, a staff-defined one) does what it says, nothing more.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from appliance.audience.store import AUDIENCE
from appliance.campaigns import outbox
from appliance.campaigns.model import TEMPLATE_PART, loads, part_message
from appliance.campaigns.replies import REPLIES
from appliance.cloudapi.events import Event, QuickReply

if TYPE_CHECKING:
    from appliance.campaigns.media import MediaLibrary
    from appliance.core.context import Appliance
    from appliance.core.db import WriteConnection

log = logging.getLogger(__name__)
READ_BUTTON = "Leggi"  # the quick reply that brings the full content into the open window
# Content follows for these campaign states; a cancelled or expired one stays silent.
FOLLOWS = ("sending", "paused", "done")
# Meta's marketing opt-out button, as its payload arrives (the button's text, by language).
MARKETING_OPT_OUT = frozenset(
    {"stop promotions", "interrompi promozioni", "stop alle promozioni", "stop promozioni"}
)


def _payload(event: QuickReply) -> str:
    return " ".join((event.payload or event.text).split()).casefold()


class FollowUp:
    """Webhook subscriber for template quick replies (the conversation leaves them to us)."""

    def __init__(self, appliance: Appliance, media: MediaLibrary) -> None:
        self._appliance = appliance
        self._db = appliance.db
        self._media = media

    async def on_message(self, event: Event) -> None:
        """A quick reply: the opt-out button opts out; "Leggi" queues the content, once."""
        if not isinstance(event, QuickReply):
            return
        payload = _payload(event)
        if payload in MARKETING_OPT_OUT:
            who = event.sender
            await self._appliance.parts[AUDIENCE].set_marketing_opt_out(
                who.wa_id, who.user_id, True
            )
            log.info("a citizen stopped marketing messages by the template's button")
            return
        if payload != READ_BUTTON.casefold() or not event.reply_to:
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
        now = time.time()
        if (
            not loads(row["content"], [])
            or row["status"] not in FOLLOWS
            or (row["expires_at"] is not None and row["expires_at"] <= now)
            or await self._db.fetchval(
                "SELECT 1 FROM studio_followups WHERE outbox_id = ?", (row["id"],)
            )
        ):
            return
        # A tap may come weeks after the campaign: its files must still be at Meta.
        renewed = await self._media.renew_campaign(row["campaign_id"])
        content = loads((renewed or row)["content"], [])
        replies = self._appliance.parts[REPLIES]
        queued = [replies.checked(row["recipient"], part_message(part)) for part in content]

        async def job(conn: WriteConnection) -> bool:
            # The tap is marked in the commit that queues the content: a crash loses neither.
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO studio_followups (outbox_id, at) VALUES (?, ?)",
                (row["id"], now),
            )
            if cursor.rowcount != 1:
                return False  # a second tap, or the same webhook again
            for index, message in enumerate(queued):
                # The first part answers the tap, so the chat shows what it belongs to.
                context = event.wamid if index == 0 else None
                await outbox.enqueue_reply_in(conn, row["recipient"], message, context, now)
            return True

        if await self._db.write(job):
            replies.wake()
            log.info("campaign %s: full content to a 'Leggi' tap", row["campaign_id"])
