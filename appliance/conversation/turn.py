"""One inbound message being handled: the citizen's step, the answers to send and how to say them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.cloudapi import messages

if TYPE_CHECKING:
    from appliance.cloudapi.events import Message
    from appliance.conversation.texts import Texts


@dataclass
class State:
    """Where a citizen is in a flow."""

    flow: str  # subscribe, profile, erase
    step: str  # age, consent, q, confirm
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0

    @property
    def token(self) -> str:
        """The id prefix of this step's buttons."""
        return str(self.data.get("token", ""))


@dataclass
class Turn:
    """One inbound message being handled: the answers to send and the state to keep."""

    row: Any
    message: Message
    language: str
    state: State | None
    texts: Texts
    comune: str
    outbox: list[tuple[tuple[str, Any], str]] = field(default_factory=list)
    inbox: bool = False
    state_changed: bool = False
    auto_answered_at: float | None = None

    @property
    def sid(self) -> int:
        """The subscriber's row id."""
        return int(self.row["id"])

    def set_state(self, state: State | None) -> None:
        """Move to another step (or none); a new step gets a new button token."""
        if state is not None:
            state.data["token"] = secrets.token_hex(3)
        self.state = state
        self.state_changed = True

    def renew(self) -> None:
        """A repeated prompt invalidates the buttons of the old one."""
        if self.state is not None and not self.state_changed:
            self.set_state(self.state)

    def text(self, key: str, **values: str) -> str:
        """A bot text in the citizen's language, with the comune filled in."""
        values.setdefault("comune", self.comune)
        return self.texts.get(key, self.language, **values)

    def say(self, key: str, *, preview: bool = False, **values: str) -> None:
        """Send bot text ``key`` as a text message."""
        self.send(messages.text(self.text(key, **values)[:4096], preview_url=preview))

    def buttons(
        self, key: str, choices: list[tuple[str, str]], *, lead: str = "", **values: str
    ) -> None:
        """Send bot text ``key`` (after ``lead``) with reply buttons (id, text key of the title)."""
        body = self.text(key, **values)
        body = f"{lead}\n\n{body}" if lead else body
        buttons = [(bid, self.texts.get(title, self.language)) for bid, title in choices]
        self.send(messages.buttons(body[:1024], buttons), body)

    def send(self, message: tuple[str, Any], summary: str = "") -> None:
        """Queue an answer; ``summary`` is the chat line staff read (default: the text)."""
        kind, content = message
        self.outbox.append(
            (message, summary or (content.get("body", "") if kind == "text" else kind))
        )
