"""CANCELLA I MIEI DATI: confirmed with a button, then everything about the person erased."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.conversation.commands import NO_WORDS, YES_WORDS, normalise
from appliance.conversation.turn import State

if TYPE_CHECKING:
    from appliance.conversation.flows.base import Deps
    from appliance.conversation.turn import Turn

CONFIRM = "confirm"


class ErasureFlow:
    """``erase``: one confirmation; yes erases (durably, before the citizen reads it)."""

    name = "erase"

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, turn: Turn) -> None:
        """Ask for confirmation."""
        turn.set_state(State(self.name, CONFIRM))
        await self.ask(turn)

    async def ask(self, turn: Turn, *, renew: bool = True) -> None:
        """The confirmation question with its yes and no buttons."""
        if renew:
            turn.renew()
        assert turn.state is not None
        tok = turn.state.token
        turn.buttons("erase_question", [(f"{tok}:yes", "erase_yes"), (f"{tok}:no", "erase_no")])

    async def answer(self, turn: Turn, text: str | None, action: str | None) -> None:
        """Yes erases, no keeps, anything else asks again."""
        word = normalise(text) if text is not None else ""
        if action == "yes" or word in YES_WORDS:
            await self.deps.audience.erase(turn.row, "citizen", "chat")
            turn.set_state(None)
            turn.row = None  # nothing more is stored about this person
            turn.say("erased")
        elif action == "no" or word in NO_WORDS:
            turn.set_state(None)
            turn.say("erase_kept")
        else:
            await self.ask(turn)
