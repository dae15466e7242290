"""What every flow is given (the services it reads and changes) and what a stepped flow answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from appliance.audience.store import Audience
    from appliance.conversation.texts import Texts
    from appliance.conversation.turn import Turn
    from appliance.core.context import Appliance


@dataclass(frozen=True)
class Deps:
    """The appliance's parts a flow uses: the audience API, the texts, the box's settings."""

    appliance: Appliance
    audience: Audience
    texts: Texts

    async def town_setting(self, key: str) -> str | None:
        """One of the town data staff edit (``town_data.<key>``), if set."""
        return await self.appliance.db.fetchval(
            "SELECT value FROM settings WHERE key = ?", (f"town_data.{key}",)
        )


class SteppedFlow(Protocol):
    """A flow over several messages: each answer moves it on, ``ask`` repeats the step."""

    name: str

    async def start(self, turn: Turn) -> None:
        """Begin the flow (or explain why it cannot begin)."""

    async def ask(self, turn: Turn, *, renew: bool = True) -> None:
        """Send the current step's question, with buttons bound to this step."""

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """The current step's answer, typed (``text``) or tapped (``action``)."""
