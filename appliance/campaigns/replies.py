"""The conversation lane (``parts[REPLIES]``): replies are queued durably and sent promptly."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from appliance.campaigns import outbox
from appliance.campaigns.limiter import REPLY
from appliance.cloudapi import messages
from appliance.cloudapi.limits import validate_message
from appliance.core.errors import BadRequest
from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.campaigns.dispatcher import Dispatcher
    from appliance.core.db import Database, WriteConnection

REPLIES: PartKey[ReplyLane] = PartKey("replies")


def as_message(message: Any) -> tuple[str, Any]:
    """The client's ``(kind, content)`` from that tuple or from a body like ``{"type": "text", "text": {…}}``."""
    if isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str):
        return message[0], message[1]
    if isinstance(message, dict) and isinstance(message.get("type"), str):
        kind = message["type"]
        if kind in message:
            return kind, message[kind]
    raise BadRequest("a reply is a (kind, content) message or a body with its type")


class ReplyLane:
    """Replies go ahead of campaigns and are not held by the pair limit."""

    def __init__(self, db: Database, dispatcher: Dispatcher) -> None:
        self._db = db
        self._dispatcher = dispatcher

    async def send(self, recipient: str, message: Any, *, context_wamid: str | None = None) -> None:
        """Queue the reply durably (limits checked now) and wake the dispatcher."""
        checked = self.checked(recipient, message, context_wamid)
        await outbox.enqueue_reply(self._db, recipient, checked, context_wamid, time.time())
        self.wake()

    async def queue_in(
        self,
        conn: WriteConnection,
        recipient: str,
        message: tuple[str, Any],
        *,
        context_wamid: str | None = None,
    ) -> None:
        """Queue a ``checked`` reply inside the caller's write job; ``wake()`` once it committed."""
        await outbox.enqueue_reply_in(conn, recipient, message, context_wamid, time.time())

    @staticmethod
    def checked(recipient: str, message: Any, context_wamid: str | None = None) -> tuple[str, Any]:
        """The reply as ``(kind, content)`` once the Cloud API's limits accept it."""
        kind, content = as_message(message)
        validate_message(messages.envelope(recipient, kind, content, reply_to=context_wamid))
        return kind, content

    def wake(self) -> None:
        """Replies were queued in a write job that committed: send them now."""
        self._dispatcher.notify(REPLY)
