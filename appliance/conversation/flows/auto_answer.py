"""The polite automatic answer to free text, at most once per period per citizen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from appliance.cloudapi import limits, messages

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn


class AutoAnswer:
    """Says staff will read the message (with the office hours); the time is kept with the turn."""

    def __init__(self, deps: Deps, period_seconds: float, clock: Callable[[], float]) -> None:
        self.deps = deps
        self.period = period_seconds
        self.clock = clock

    async def start(self, turn: Turn, *, force: bool = False) -> None:
        """Answer unless this citizen had an automatic answer within the period."""
        text = await self.text(turn, force=force)
        if text:
            turn.send(messages.text(text[: limits.TEXT_BODY]))

    async def text(self, turn: Turn, *, force: bool = False) -> str:
        """The answer, to send alone or at the head of the menu ("" within the period)."""
        last = turn.row["auto_answer_at"]
        now = self.clock()
        if not force and last is not None and now - last < self.period:
            return ""
        office = await self.deps.town_setting("office_hours")
        hours = turn.text("office_hours", office_hours=office) if office else ""
        turn.auto_answered_at = now
        return turn.text("auto_answer", hours=hours)
