"""Daily re-read of the account's templates: status and category changes missed by webhooks."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import TYPE_CHECKING

from appliance.cloudapi.client import GraphApiError
from appliance.core.services import cancel_and_wait

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
        self._first_delay = first_delay
        self._task: asyncio.Task[None] | None = None
        self.last_synced: float | None = None

    async def start(self) -> None:
        """Start the loop (event loop)."""
        self._task = asyncio.create_task(self._run(), name="template-sync")

    async def stop(self) -> None:
        """Stop the loop."""
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        delay = self._first_delay
        while True:
            await asyncio.sleep(delay)
            try:
                templates = await self._client.list_templates()
            except GraphApiError as err:
                log.warning("template re-check failed, retrying in an hour: %s", err)
                delay = min(RETRY_DELAY, self._interval)
                continue
            self.last_synced = asyncio.get_running_loop().time()
            log.info("template re-check: %d templates", len(templates))
            # Jitter keeps many boxes from asking Meta at the same second every day.
            delay = self._interval * random.uniform(0.95, 1.05)
