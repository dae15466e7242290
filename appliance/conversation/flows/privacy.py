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

    async def send(self, turn: Turn, version: int | None = None) -> None:
        """The summary, then the link to (or the text of) notice ``version``."""
        db, config = self.deps.appliance.db, self.deps.appliance.config
        number = version if version is not None else (await notice.current(db)).version
        summary = turn.text("privacy_summary")
        base = config.server.public_url.rstrip("/")
        if base:
            link = f"{base}/privacy/{number}" + ("?lang=en" if turn.language == "en" else "")
            body = f"{summary}\n\n" + turn.text("privacy_link", version=str(number), link=link)
        else:
            full = await notice.version(db, number) or await notice.current(db)
            body = f"{summary}\n\n" + await notice.fill(full.text(turn.language), db, config)
        turn.send(messages.text(body[:4096], preview_url=bool(base)))
