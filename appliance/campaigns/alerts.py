"""Alert changes from the feeds become campaigns to the "allerte" topic (auto or for approval)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from appliance.campaigns.model import ACTIVE, DRAFT, parse_campaign
from appliance.core.errors import Conflict

if TYPE_CHECKING:
    from appliance.campaigns.engine import Campaigns
    from appliance.feeds.alerts import AlertChange

log = logging.getLogger(__name__)

ALERT_TOPIC = "allerte"
MAX_PARAMETER = 1024


def one_line(text: str) -> str:
    """Template parameters may hold no line breaks (Meta answers 132000-style errors)."""
    return " – ".join(part.strip() for part in text.splitlines() if part.strip())[:MAX_PARAMETER]


class AlertCampaigns:
    """From ``[feeds] alerts_auto_level`` up: the emergency lane; below: a draft for operators."""

    def __init__(self, campaigns: Campaigns, monitor: Any, template_name: str) -> None:
        self._campaigns = campaigns
        self._monitor = monitor
        self._template = template_name
        campaigns.on_alert_sent = self.sent_by_staff

    async def on_change(self, change: AlertChange) -> None:
        """Feeds subscriber: once per change key, even when offered again after a restart."""
        await self._close_earlier(change)
        existing = await self._campaigns.by_alert(change.key)
        expires_at = change.valid_to.timestamp()
        if expires_at <= time.time():
            return  # already over: nothing worth sending
        text = change.message("it")
        template = {"name": self._template, "language": "it", "parameters": [one_line(text)]}
        content = [{"type": "text", "text": text}]
        name = f"Allerta {change.risk}: {change.new_level.name.lower()} ({change.zone})"
        if change.lane == "auto":
            if existing is None:
                await self._campaigns.launch(
                    name=name,
                    template=template,
                    content=content,
                    expires_at=expires_at,
                    test_numbers=(),
                    actor=f"alert {change.source}",
                    topics=(ALERT_TOPIC,),
                    alert_key=change.key,
                )
            await self._monitor.mark_sent(change.key)
        elif existing is None:
            spec = parse_campaign(
                {
                    "name": name,
                    "audience": {"topics": [ALERT_TOPIC]},
                    "content": content,
                    "template": template,
                }
            )
            spec = replace(spec, expires_at=expires_at)
            await self._campaigns.create(spec, f"alert {change.source}", alert_key=change.key)

    async def _close_earlier(self, change: AlertChange) -> None:
        """Earlier drafts of the same risk are moot; once the alert is over, nothing about it
        goes out (its campaigns still sending are cancelled too).
        """
        closing = (DRAFT, *ACTIVE) if change.kind == "ended" else (DRAFT,)
        for key in await self._monitor.earlier(change):
            campaign = await self._campaigns.by_alert(key)
            if campaign is None or campaign["status"] not in closing:
                continue
            try:
                await self._campaigns.cancel(campaign["id"], f"alert {change.source}")
            except Conflict as err:  # it finished meanwhile
                log.info("campaign %s of alert %s not cancelled: %s", campaign["id"], key, err)

    async def sent_by_staff(self, key: str, actor: str, address: str) -> None:
        """An operator sent the draft of a change: it is approved and sent."""
        try:
            change = await self._monitor.get(key)
            if change.status == "pending":
                await self._monitor.approve(key, actor, address)
            await self._monitor.mark_sent(key, actor, address)
        except Conflict as err:
            log.warning("alert change %s could not be marked sent: %s", key, err)
