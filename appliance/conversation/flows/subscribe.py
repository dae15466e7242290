"""Subscribing: the opt-in WhatsApp requires (14+, notice linked), then the profile questions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience import notice
from appliance.conversation.commands import NO_WORDS, YES_WORDS, normalise
from appliance.conversation.flows.questions import QUESTION_STEP, QuestionSteps
from appliance.conversation.turn import State

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.flows.privacy import Privacy
    from appliance.conversation.turn import Turn

OPTIN = "optin"  # earlier versions asked "age" then "consent": such steps are asked again as this


class SubscribeFlow:
    """``subscribe``: one opt-in question → subscribed → the profile questions.

    The opt-in is recorded with the notice version it was given on and its message id. A tap on
    the menu's subscribe row is that opt-in when the menu showed the notice still in force.
    """

    name = "subscribe"

    def __init__(self, deps: Deps, privacy: Privacy, questions: QuestionSteps) -> None:
        self.deps = deps
        self.privacy = privacy
        self.questions = questions

    async def start(self, turn: Turn, *, seen_version: int | None = None) -> None:
        """Ask for the opt-in, or take the menu tap on notice ``seen_version`` as given."""
        if turn.row["status"] == "active":
            turn.say("already_subscribed")
            return
        published = await notice.current(self.deps.appliance.db)
        if published is None:
            turn.say("notice_not_published")
            return
        current = published.version
        if seen_version == current:
            await self._subscribe(turn, current)
            return
        if not self.privacy.link(turn, current):
            await self.privacy.send(turn, version=current)  # no public page: the text itself
        turn.set_state(State(self.name, OPTIN, {"notice": current}))
        await self.ask(turn)

    async def ask(self, turn: Turn, *, renew: bool = True) -> None:
        """The opt-in question with its three buttons, or the current profile question."""
        state = turn.state
        assert state is not None
        if state.step == QUESTION_STEP:
            await self.questions.ask(turn, renew=renew)
            return
        if state.step != OPTIN:
            turn.set_state(State(self.name, OPTIN, {"notice": state.data["notice"]}))
        elif renew:
            turn.renew()
        number = int(state.data["notice"])
        lead = self.privacy.summary(turn, number) if self.privacy.link(turn, number) else ""
        tok = turn.state.token  # type: ignore[union-attr]
        turn.buttons(
            "optin_question",
            [
                (f"{tok}:yes", "optin_yes"),
                (f"{tok}:minor", "optin_minor"),
                (f"{tok}:no", "optin_no"),
            ],
            lead=lead,
        )

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """Yes subscribes, under 14 or no subscribe nobody; then the profile questions."""
        state = turn.state
        assert state is not None
        if state.step == QUESTION_STEP:
            await self.questions.answer(turn, text, action)
            return
        word = normalise(text) if text is not None else ""
        version = int(state.data["notice"])
        if state.step != OPTIN:
            await self.ask(turn)
        elif action == "yes" or word in YES_WORDS:
            await self._subscribe(turn, version)
        elif action == "minor":
            turn.set_state(None)
            turn.say("age_refused")
        elif action == "no" or word in NO_WORDS:
            await self.deps.audience.refuse(turn.row, version, turn.message.wamid)
            turn.set_state(None)
            turn.say("consent_refused")
        else:
            turn.say("expects_answer")
            await self.ask(turn)

    async def _subscribe(self, turn: Turn, version: int) -> None:
        await self.deps.audience.activate(
            turn.row, notice_version=version, wamid=turn.message.wamid, topic_keys=None
        )
        await self.questions.begin(turn, self.name, "subscribed", intro="questions_intro")
