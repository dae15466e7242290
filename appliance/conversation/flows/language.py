"""ENGLISH and ITALIANO: the language the bot writes in from now on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn


class Language:
    """Stores the choice through the audience API and confirms in the new language."""

    def __init__(self, deps: Deps, language: str) -> None:
        self.deps = deps
        self.language = language

    async def start(self, turn: Turn) -> None:
        """Switch and confirm."""
        turn.language = self.language
        await self.deps.audience.set_language(turn.sid, self.language)
        turn.say("language_set")
