"""PROFILO: the profile questions asked again, for subscribers only."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.conversation.flows.questions import QuestionSteps
    from appliance.conversation.turn import Turn


class ProfileFlow:
    """``profile``: every active question again; the topics follow the topics answer."""

    name = "profile"

    def __init__(self, questions: QuestionSteps) -> None:
        self.questions = questions

    async def start(self, turn: Turn) -> None:
        """Ask the first question (people not subscribed are told so)."""
        if turn.row["status"] != "active":
            turn.say("not_subscribed")
            return
        await self.questions.begin(turn, self.name, "profile_updated")

    async def ask(self, turn: Turn, *, renew: bool = True) -> None:
        """The current question again."""
        await self.questions.ask(turn, renew=renew)

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """Save the answer and go on."""
        await self.questions.answer(turn, text, action)
