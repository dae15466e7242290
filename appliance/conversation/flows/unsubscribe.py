"""STOP: the subscription ends at once (durably, before the citizen reads the confirmation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn


class Unsubscribe:
    """Ends any flow in progress and unsubscribes through the audience API."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, turn: Turn) -> None:
        """Unsubscribe, or say there was nothing to end."""
        if turn.state is not None:
            turn.set_state(None)
        if turn.row["status"] != "active":
            turn.say("not_subscribed")
            return
        await self.deps.audience.unsubscribe(turn.row, "citizen", "chat")
        turn.say("unsubscribed")
