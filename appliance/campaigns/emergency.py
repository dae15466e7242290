"""Emergencies: written with their queue in one commit; ``parts[LAUNCHER]`` for the box."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appliance.box.launcher import EmergencyRequest, LaunchOutcome, LaunchResult
from appliance.campaigns import outbox
from appliance.campaigns.limiter import EMERGENCY
from appliance.campaigns.model import SENDING
from appliance.core import audit
from appliance.core.formats import format_datetime

if TYPE_CHECKING:
    from appliance.campaigns.engine import Campaigns
    from appliance.core.db import WriteConnection


class EmergencyLane:
    """A counted press becomes an emergency campaign that overtakes every other send."""

    def __init__(self, campaigns: Campaigns) -> None:
        self._campaigns = campaigns

    async def launch(self, request: EmergencyRequest) -> LaunchResult:
        """Queue the armed template to everyone (or the drill numbers) with its expiry."""
        armed = request.armed
        content = [{"type": "text", "text": armed.follow_up}] if armed.follow_up else []
        campaign_id, recipients = await self._campaigns.launch(
            name=f"Emergenza {format_datetime(request.pressed_at)}"
            + (" (prova)" if request.test_numbers else ""),
            template={
                "name": armed.template_name,
                "language": armed.language,
                "parameters": list(armed.parameters),
            },
            content=content,
            expires_at=request.expires_at.timestamp(),
            test_numbers=request.test_numbers,
            actor=f"emergency press {request.press_id}",
        )
        return LaunchResult(reference=str(campaign_id), recipients=recipients)

    async def wait_finished(self, reference: str) -> LaunchOutcome:
        """Return when every recipient is sent, failed or expired."""
        counts = await self._campaigns.wait_finished(int(reference))
        return LaunchOutcome(
            sent=counts["sent"],
            failed=counts["failed"] + counts["skipped"],
            expired=counts["expired"] + counts["cancelled"],
        )


async def emergency_in(
    conn: WriteConnection,
    *,
    name: str,
    template: dict[str, Any],
    content: list[dict[str, Any]],
    expires_at: float,
    test_numbers: tuple[str, ...],
    actor: str,
    now: float,
    topics: tuple[str, ...] = (),
    alert_key: str | None = None,
) -> Any:
    """Write an emergency campaign, already sending, with its whole queue; its row."""
    cursor = await conn.execute(
        "INSERT INTO campaigns (name, lane, status, category, audience, content, template,"
        " test_numbers, send_at, expires_at, created_by, created_at, alert_key)"
        " VALUES (?, ?, ?, 'UTILITY', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            name,
            EMERGENCY,
            SENDING,
            json.dumps({"topics": list(topics)}),
            json.dumps([] if test_numbers else content, ensure_ascii=False),
            json.dumps(template, ensure_ascii=False),
            json.dumps(list(test_numbers)),
            now,
            expires_at,
            actor,
            now,
            alert_key,
        ),
    )
    campaign_id = int(cursor.lastrowid or 0)
    async with conn.execute("SELECT * FROM campaigns WHERE id = ?", (campaign_id,)) as c:
        row = await c.fetchone()
    if test_numbers:
        count = await outbox.enqueue_numbers(conn, campaign_id, EMERGENCY, test_numbers, now)
        async with conn.execute(
            "UPDATE campaigns SET recipients = ?, started_at = ? WHERE id = ? RETURNING *",
            (count, now, campaign_id),
        ) as c:
            row = await c.fetchone()
    else:
        row = await outbox.begin_in(conn, row, now)
    detail = audit.detail("recipients_test" if test_numbers else "recipients", n=row["recipients"])
    await audit.record_in(conn, actor, "campaign.emergency", str(campaign_id), detail)
    return row
