"""A citizen on the simulator: writes through the real webhook path, reads the bot's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.appliance import RunningAppliance, make_config
from tests.support.settled import settled
from tests.support.simulator import RunningSimulator
from tests.support.waiting import wait_until


def conversation_config(tmp_path, simulator: RunningSimulator, **sections: dict[str, Any]):
    """A config whose client talks to ``simulator``; no feed reaches the internet."""
    base = {
        "whatsapp": {"api_base_url": simulator.url},
        "feeds": {"weather_url": "http://127.0.0.1:9/forecast", "alerts_enabled": False},
    }
    for section, values in sections.items():
        base.setdefault(section, {}).update(values)
    return make_config(tmp_path, **base)


def start_appliance(config, simulator: RunningSimulator) -> RunningAppliance:
    """The appliance running, with the simulator posting webhooks to it."""
    app = RunningAppliance(config).start()
    simulator.settings.webhook_url = app.public_url + "/webhook"
    return app


class Citizen:
    """One phone number writing to the town hall."""

    def __init__(self, simulator: RunningSimulator, wa_id: str, name: str = "Maria Rossi") -> None:
        self.sim = simulator
        self.wa_id = wa_id
        self.name = name
        self.seen = 0

    def send(self, text: str | None = None, **spec: Any) -> str:
        """Write a message (text, or any inbound spec such as an interactive reply)."""
        body = {"from": self.wa_id, "name": self.name, **spec}
        if text is not None:
            body.update(type="text", text=text)
        return self.sim.control("inbound", body)["wamid"]

    def tap(self, reply_id: str, title: str = "", *, kind: str = "button_reply") -> str:
        """Tap a reply button or pick a list row."""
        return self.send(
            type="interactive", interactive={"type": kind, kind: {"id": reply_id, "title": title}}
        )

    def all(self) -> list[dict[str, Any]]:
        """Every message the bot sent this citizen, oldest first."""
        return self.sim.messages(self.wa_id)

    def replies(self, count: int = 1, timeout: float = 15) -> list[dict[str, Any]]:
        """Wait for ``count`` new answers and return them (bodies as sent)."""

        def ready():
            got = self.all()
            return got if len(got) >= self.seen + count else None

        got = wait_until(ready, timeout)
        new = got[self.seen : self.seen + count]
        self.seen += count
        return [m["body"] for m in new]

    def reply(self, timeout: float = 15) -> dict[str, Any]:
        """Wait for the next answer."""
        return self.replies(1, timeout)[0]

    def ask_to_subscribe(self) -> dict[str, Any]:
        """Type 4 up to the opt-in question; return it (without a public page the notice comes first)."""
        self.send("4")
        summary, optin = self.replies(2)
        assert "titolare" in text_of(summary)
        assert "14 anni" in text_of(optin) and "WhatsApp ci chiede" in text_of(optin)
        return optin

    def consent(self) -> dict[str, Any]:
        """Through the opt-in; return the message after it (subscribed, with the first question)."""
        optin = self.ask_to_subscribe()
        self.tap(button_ids(optin)[0], "Sì, mi iscrivo")
        first = self.reply()
        assert "Sei iscritto" in text_of(first)
        return first

    def quiet(self, bot: RunningAppliance | Path) -> None:
        """Once ``bot`` (a running app or its database) has handled everything, assert no new answer."""
        wait_until(lambda: settled(bot), what="the appliance to handle what it was sent")
        assert len(self.all()) == self.seen, self.all()[self.seen :]


def text_of(body: dict[str, Any]) -> str:
    """The readable text of a sent message (text body or interactive body)."""
    if body["type"] == "text":
        return body["text"]["body"]
    if body["type"] == "interactive":
        return body["interactive"]["body"]["text"]
    return ""


def button_ids(body: dict[str, Any]) -> list[str]:
    """The ids of a reply-button or list message's choices."""
    inter = body["interactive"]
    if inter["type"] == "button":
        return [b["reply"]["id"] for b in inter["action"]["buttons"]]
    return [r["id"] for s in inter["action"]["sections"] for r in s["rows"]]
