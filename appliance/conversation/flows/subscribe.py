"""Subscribing: the privacy notice, the 14+ question, the opt-in, then the profile questions."""

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

AGE, CONSENT = "age", "consent"


class SubscribeFlow:
    """``subscribe``: age → consent → questions; the consent is recorded with its notice version."""

    name = "subscribe"

    def __init__(self, deps: Deps, privacy: Privacy, questions: QuestionSteps) -> None:
        self.deps = deps
        self.privacy = privacy
        self.questions = questions

    async def start(self, turn: Turn) -> None:
        """Send the notice and ask the age (citizens already subscribed are told so)."""
        if turn.row["status"] == "active":
            turn.say("already_subscribed")
            return
        current = await notice.current(self.deps.appliance.db)
        await self.privacy.send(turn, version=current.version)
        turn.set_state(State(self.name, AGE, {"notice": current.version}))
        await self.ask(turn)

    async def ask(self, turn: Turn, *, renew: bool = True) -> None:
        """The age or consent question with its buttons, or the current profile question."""
        state = turn.state
        assert state is not None
        if state.step == QUESTION_STEP:
            await self.questions.ask(turn, renew=renew)
            return
        if renew:
            turn.renew()
        tok = state.token
        if state.step == AGE:
            turn.buttons("age_question", [(f"{tok}:yes", "age_yes"), (f"{tok}:no", "age_no")])
        else:
            turn.buttons(
                "consent_question",
                [(f"{tok}:yes", "consent_yes"), (f"{tok}:no", "consent_no")],
                version=str(state.data["notice"]),
            )

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """Yes or no to the age and the consent; answers to the profile questions."""
        state = turn.state
        assert state is not None
        if state.step == QUESTION_STEP:
            await self.questions.answer(turn, text, action)
            return
        word = normalise(text) if text is not None else ""
        yes = action == "yes" or word in YES_WORDS
        no = action == "no" or word in NO_WORDS
        if not (yes or no):
            turn.say("expects_answer")
            await self.ask(turn)
        elif state.step == AGE and yes:
            turn.set_state(State(self.name, CONSENT, {"notice": state.data["notice"]}))
            await self.ask(turn)
        elif state.step == AGE:
            turn.set_state(None)
            turn.say("age_refused")
        elif yes:
            await self.deps.audience.activate(
                turn.row,
                notice_version=int(state.data["notice"]),
                wamid=turn.message.wamid,
                topic_keys=None,
            )
            await self.questions.begin(turn, self.name, "subscribed", intro="questions_intro")
        else:
            await self.deps.audience.refuse(turn.row, int(state.data["notice"]), turn.message.wamid)
            turn.set_state(None)
            turn.say("consent_refused")
