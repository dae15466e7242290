"""The emergency lane as the box sees it (``parts[LAUNCHER]``, the EmergencyLauncher)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.box.launcher import EmergencyRequest, LaunchOutcome, LaunchResult
from appliance.core.formats import format_datetime

if TYPE_CHECKING:
    from appliance.campaigns.engine import Campaigns


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
