"""PRIVACY: the summary and the versioned notice (a link when the box has a public address)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience import notice
from appliance.cloudapi import messages

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn


class Privacy:
    """Sends the notice in force, or the version a subscription is about to record."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, turn: Turn) -> None:
        """The notice in force."""
        await self.send(turn)

    def link(self, turn: Turn, number: int) -> str:
        """The public page of notice ``number`` ("" when the box has no public address)."""
        base = self.deps.appliance.config.server.public_url.rstrip("/")
        if not base:
            return ""
        return f"{base}/privacy/{number}" + ("?lang=en" if turn.language == "en" else "")

    def summary(self, turn: Turn, number: int) -> str:
        """The summary and the link to the full notice (needs a public address)."""
        link = self.link(turn, number)
        line = turn.text("privacy_link", version=str(number), link=link)
        return f"{turn.text('privacy_summary')}\n\n{line}"

    async def send(self, turn: Turn, version: int | None = None) -> None:
        """The summary, then the link to (or the text of) notice ``version``."""
        db, config = self.deps.appliance.db, self.deps.appliance.config
        full = await (notice.current(db) if version is None else notice.version(db, version))
        if full is None:
            turn.say("notice_not_published")
            return
        number = full.version
        base = self.link(turn, number)
        if base:
            body = self.summary(turn, number)
        else:
            filled = await notice.fill(full.text(turn.language), db, config, turn.language)
            body = f"{turn.text('privacy_summary')}\n\n{filled}"
        turn.send(messages.text(body[:4096], preview_url=bool(base)))
