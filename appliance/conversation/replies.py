"""Chat replies straight through the Cloud API client, until the broadcast engine's lane exists.

Same interface as the engine's conversation lane (``parts["replies"]``): ``send(recipient,
message, context_wamid=None)``. Transient refusals are retried briefly; the citizen's message
is already stored, so a reply that cannot go out is logged, never raised into the inbox.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from appliance.cloudapi.client import CloudApiClient, GraphApiError
from appliance.cloudapi.codes import Action

log = logging.getLogger(__name__)

ATTEMPTS = 4
FIRST_DELAY = 0.5


class DirectReplies:
    """Sends one reply now, retrying rate limits and outages a few times."""

    def __init__(self, client: CloudApiClient) -> None:
        self.client = client

    async def send(
        self, recipient: str, message: tuple[str, Any], *, context_wamid: str | None = None
    ) -> str | None:
        """Send and return the wamid, or None when it could not go out."""
        delay = FIRST_DELAY
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = await self.client.send(recipient, message, reply_to=context_wamid)
            except GraphApiError as err:
                transient = err.action in (Action.RETRY, Action.RETRY_RECIPIENT)
                if not transient or attempt == ATTEMPTS:
                    log.warning("chat reply not sent: %s", err.message)
                    return None
                await asyncio.sleep(delay)
                delay *= 4
            else:
                return result.wamid
        return None
