"""Daily re-read of the account's templates: status and category changes missed by webhooks."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from appliance.cloudapi.client import GraphApiError
from appliance.core.periodic import Periodic

if TYPE_CHECKING:
    from appliance.cloudapi.client import CloudApiClient

log = logging.getLogger(__name__)

DAY = 24 * 3600.0
FIRST_DELAY = 60.0  # after start, once the listeners are up and Meta is reachable
RETRY_DELAY = 3600.0


class TemplateSync:
    """A background task that refreshes the template catalogue once a day (with jitter)."""

    def __init__(
        self, client: CloudApiClient, *, interval: float = DAY, first_delay: float = FIRST_DELAY
    ) -> None:
        self._client = client
        self._interval = interval
        self.last_synced: float | None = None
        # Jitter keeps many boxes from asking Meta at the same second every day.
        self.job = Periodic(
            "template-sync", self._sync, interval=interval, first_delay=first_delay, jitter=0.05
        )

    async def _sync(self) -> float | None:
        try:
            templates = await self._client.list_templates()
        except GraphApiError as err:
            log.warning("template re-check failed, retrying in an hour: %s", err)
            return min(RETRY_DELAY, self._interval)
        self.last_synced = asyncio.get_running_loop().time()
        log.info("template re-check: %d templates", len(templates))
        return None
