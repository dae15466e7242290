"""The menu: the welcome as one interactive list, and what each numbered option does."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from appliance.cloudapi import messages
from appliance.cloudapi.messages import ListRow, ListSection

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn

log = logging.getLogger(__name__)

MENU_OPTIONS = ("1", "2", "3", "4", "5", "6")
Action = Callable[["Turn"], Awaitable[None]]


class Menu:
    """Shows the menu and answers options 0–3; the engine routes 4–6 to their flows."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def show(self, turn: Turn) -> None:
        """The welcome with the menu's list."""
        texts, lang = self.deps.texts, turn.language
        rows = [ListRow(f"menu:{n}", texts.get(f"menu_{n}", lang)) for n in MENU_OPTIONS]
        body = turn.text("welcome")
        turn.send(
            messages.list_message(
                body,
                texts.get("menu_button", lang),
                [ListSection(texts.get("menu_section", lang), rows)],
            ),
            body,
        )

    async def forecast(self, turn: Turn) -> None:
        """Option 1: the weather forecast feed's answer."""
        await self._feed(turn, "forecast")

    async def alerts(self, turn: Turn) -> None:
        """Option 2: the weather alerts feed's answer."""
        await self._feed(turn, "alerts")

    async def website(self, turn: Turn) -> None:
        """Option 3: the town's website."""
        url = self.deps.texts.get("website_url", turn.language) or (
            self.deps.appliance.config.town.website
        )
        turn.say("website", website=url, preview=True)

    async def _feed(self, turn: Turn, part: str) -> None:
        feed = self.deps.appliance.parts.get(part)
        if feed is None:
            turn.say("not_available")
            return
        try:
            answer = await feed.text(turn.language)
        except Exception:  # noqa: BLE001 - a broken feed must not break the conversation
            log.exception("feed %s failed to answer", part)
            turn.say("not_available")
            return
        turn.send(messages.text(answer[:4096], preview_url=True))
