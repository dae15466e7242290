"""The menu: the welcome as one interactive list, and what each numbered option does."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from appliance.audience import notice
from appliance.cloudapi import limits, messages
from appliance.cloudapi.messages import ListRow, ListSection
from appliance.core.parts import PartKey
from appliance.feeds.alerts import ALERTS, AlertMonitor
from appliance.feeds.forecast import FORECAST, Forecast

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.flows.privacy import Privacy
    from appliance.conversation.turn import Turn

log = logging.getLogger(__name__)

MENU_OPTIONS = ("1", "2", "3", "4", "5", "6")
SUBSCRIBE_ROW = 3


class Menu:
    """Shows the menu and answers options 0–3; the engine routes 4–6 to their flows."""

    def __init__(self, deps: Deps, privacy: Privacy) -> None:
        self.deps = deps
        self.privacy = privacy

    async def show(self, turn: Turn, lead: str = "") -> None:
        """``lead``, the welcome, what subscribing means with the notice's link, and the list.

        One message however much precedes the menu. The subscribe row carries the notice
        version shown: its tap is the opt-in.
        """
        texts, lang = self.deps.texts, turn.language
        published = await notice.current(self.deps.appliance.db)
        version = f":{published.version}" if published is not None else ""
        rows = [ListRow(f"menu:{n}", texts.get(f"menu_{n}", lang)) for n in MENU_OPTIONS]
        rows[SUBSCRIBE_ROW] = ListRow(
            f"menu:4{version}", texts.get("menu_4", lang), texts.get("menu_4_detail", lang)
        )
        body = turn.text("welcome")
        if published is not None:  # what subscribing means, once subscriptions are open
            link = self.privacy.link(turn, published.version) or texts.get("privacy_ask", lang)
            body = f"{body}\n\n{turn.text('menu_privacy', notice=link)}"
        body = f"{lead}\n\n{body}" if lead else body
        turn.send(
            messages.list_message(
                body[: limits.LIST_BODY],
                texts.get("menu_button", lang),
                [ListSection(texts.get("menu_section", lang), rows)],
            ),
            body,
        )

    async def forecast(self, turn: Turn) -> None:
        """Option 1: the weather forecast feed's answer."""
        await self._feed(turn, FORECAST)

    async def alerts(self, turn: Turn) -> None:
        """Option 2: the weather alerts feed's answer."""
        await self._feed(turn, ALERTS)

    async def website(self, turn: Turn) -> None:
        """Option 3: the town's website."""
        url = self.deps.texts.get("website_url", turn.language) or (
            self.deps.appliance.config.town.website
        )
        turn.say("website", website=url, preview=True)

    async def _feed(self, turn: Turn, part: PartKey[Forecast] | PartKey[AlertMonitor]) -> None:
        feed = self.deps.appliance.parts.get(part)
        if feed is None:
            turn.say("not_available")
            return
        try:
            answer = await feed.text(turn.language)
        except Exception:  # noqa: BLE001 - a broken feed must not break the conversation
            log.exception("feed %s failed to answer", part.name)
            turn.say("not_available")
            return
        turn.send(messages.text(answer[:4096], preview_url=True))
