"""Account alarms: a refused token holds every lane; an account stop pauses the campaign."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.campaigns.policy import Verdict
from appliance.cloudapi.client import GraphApiError
from appliance.cloudapi.codes import Action

if TYPE_CHECKING:
    from appliance.campaigns.tier import TierMeter
    from appliance.cloudapi.client import CloudApiClient

log = logging.getLogger(__name__)

TOKEN_CHECK_FIRST, TOKEN_CHECK_MAX = 2.0, 60.0


@dataclass
class Alert:
    """An account problem that stopped sending (token, permissions, quality)."""

    code: int | None
    message: str
    at: float = field(default_factory=time.time)


class Alarms:
    """``dispatcher.alarms``: the token hold every lane waits on, and the last account stop."""

    def __init__(self, spawn: Callable[[Coroutine[Any, Any, None]], None]) -> None:
        self.auth: Alert | None = None  # every lane waits while the token fails
        self.on_account: Callable[[int, Alert], Awaitable[None]] | None = None
        self._spawn = spawn

    def raise_for(
        self, campaign_id: int | None, code: int | None, detail: str, verdict: Verdict
    ) -> None:
        """HOLD: every lane waits for the token; ALERT: the campaign is paused, staff told."""
        if verdict is Verdict.HOLD:
            if self.auth is None:
                log.error("sending paused: Meta refuses the token (%s)", detail)
                self.auth = Alert(code, detail)
        elif verdict is Verdict.ALERT and campaign_id is not None:
            if self.on_account is not None:
                self._spawn(self.on_account(campaign_id, Alert(code, detail)))

    async def wait_for_token(self, client: CloudApiClient, tier: TierMeter) -> None:
        """Every lane waits; ask Meta now and then whether the token works again."""
        delay = TOKEN_CHECK_FIRST
        while self.auth is not None:
            await asyncio.sleep(delay)
            try:
                info = await client.phone_number_info()
            except GraphApiError as err:
                if err.action is Action.OPERATOR_ALERT:
                    delay = min(TOKEN_CHECK_MAX, delay * 2)
                continue
            tier.set_from_meta(info.get("whatsapp_business_manager_messaging_limit"))
            log.info("the token works again: sending resumes")
            self.auth = None
