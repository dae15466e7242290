"""Second paths for a failed message: the campaign's template (131047), the number (131062)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience.identity import number_in
from appliance.campaigns.model import NEEDS_TEMPLATE, TEMPLATE_PART

if TYPE_CHECKING:
    from appliance.core.db import WriteConnection

# What a row refused for its user id (131062) says happened to it.
TO_NUMBER = "user id not supported for this message: sent again to the number"
NO_NUMBER = "user id not supported for this message and no phone number known: not sent"
HAS_IT = "user id not supported for this message: the number has it already or the campaign ended"


# The same message once more, to the number; a campaign's only while it runs, and only once.
_TO_NUMBER = (
    "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, message,"
    " context_wamid, created_at) SELECT lane, campaign_id, subscriber_id, ?2, part, message,"
    " context_wamid, ?3 FROM outbox o WHERE o.id = ?1 AND o.rank < 9 AND (o.campaign_id IS NULL"
    " OR (EXISTS (SELECT 1 FROM campaigns c WHERE c.id = o.campaign_id"
    " AND c.status IN ('sending', 'paused')) AND NOT EXISTS (SELECT 1 FROM outbox t"
    " WHERE t.campaign_id = o.campaign_id AND t.part = o.part AND t.recipient = ?2)))"
)


async def resend_to_number(conn: WriteConnection, row_id: int, now: float) -> str:
    """131062 on a send by user id: queue its message to the person's number; the row's words."""
    rows = await conn.execute_fetchall("SELECT recipient FROM outbox WHERE id = ?", (row_id,))
    number = await number_in(conn, rows[0]["recipient"]) if rows else None
    if number is None:
        return NO_NUMBER
    cursor = await conn.execute(_TO_NUMBER, (row_id, number, now))
    return TO_NUMBER if cursor.rowcount else HAS_IT


async def template_fallback(conn: WriteConnection, row_ids: list[int], now: float) -> None:
    """131047 on free-form content: queue the campaign's template for that person instead.

    In the same commit as the failure, so the campaign cannot end in between.
    """
    await conn.execute(
        "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, created_at)"
        f" SELECT o.lane, o.campaign_id, o.subscriber_id, o.recipient, {TEMPLATE_PART},"
        " ? FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
        f" WHERE o.id IN ({','.join('?' * len(row_ids))}) AND o.part >= 0"
        f" AND o.state = '{NEEDS_TEMPLATE}' AND c.template IS NOT NULL"
        " AND c.status IN ('sending', 'paused') AND NOT EXISTS (SELECT 1 FROM outbox t"
        f" WHERE t.campaign_id = o.campaign_id AND t.recipient = o.recipient AND t.part = {TEMPLATE_PART})"
        " GROUP BY o.campaign_id, o.recipient",
        [now, *row_ids],
    )
