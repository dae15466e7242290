"""Identity webhooks in Meta's real shapes (tests/fixtures/meta/identity), filled for one person."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta" / "identity"
_ids = itertools.count(1)


def fixture(name: str) -> dict[str, Any]:
    """One stored payload (``source/file`` without .json)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def _value(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["entry"][0]["changes"][0]["value"]


def _wamid() -> str:
    return f"wamid.ID{next(_ids):08d}"


@dataclass
class Person:
    """A citizen's identifiers as Meta knows them now."""

    wa_id: str
    user_id: str
    parent_user_id: str = ""
    name: str = "Sheena Nelson"
    username: str = "@realsheenanelson"

    def text_both(self, body: str, timestamp: int) -> dict[str, Any]:
        """A text naming number and user id (courier's hello_user_id shape)."""
        p = fixture("courier/hello_user_id")
        v = _value(p)
        v["contacts"] = [
            {
                "profile": {"name": self.name, "username": self.username},
                "wa_id": self.wa_id,
                "user_id": self.user_id,
            }
        ]
        m = v["messages"][0]
        m.update(
            {
                "from": self.wa_id,
                "from_user_id": self.user_id,
                "id": _wamid(),
                "timestamp": str(timestamp),
            }
        )
        m["text"]["body"] = body
        return p

    def text_user_only(self, body: str, timestamp: int) -> dict[str, Any]:
        """A username user's text: user ids only, no number (Meta's own example)."""
        p = fixture("meta-docs/bsuid_incoming_text_username_no_phone")
        v = _value(p)
        contact = v["contacts"][0]
        contact["user_id"] = self.user_id
        contact["profile"] = {"name": self.name, "username": self.username}
        m = v["messages"][0]
        m.update({"from_user_id": self.user_id, "id": _wamid(), "timestamp": str(timestamp)})
        if self.parent_user_id:
            contact["parent_user_id"] = m["from_parent_user_id"] = self.parent_user_id
        else:
            contact.pop("parent_user_id", None)
            m.pop("from_parent_user_id", None)
        m["text"]["body"] = body
        return p

    def text_phone_only(self, body: str, timestamp: int) -> dict[str, Any]:
        """A text naming only the number (pywa's message shape without its added user ids)."""
        p = fixture("pywa/message__text")
        v = _value(p)
        v["contacts"] = [{"profile": {"name": self.name}, "wa_id": self.wa_id}]
        m = v["messages"][0]
        m.update({"from": self.wa_id, "id": _wamid(), "timestamp": str(timestamp)})
        m["text"]["body"] = body
        return p

    def changed_user_id(self, new_user_id: str, timestamp: int) -> dict[str, Any]:
        """Meta's system notice that the user id changed; ``self`` takes the new id."""
        p = fixture("meta-docs/bsuid_system_user_changed_user_id__syntax")
        m = _value(p)["messages"][0]
        m.update({"from": self.wa_id, "id": _wamid(), "timestamp": str(timestamp)})
        m["system"].update(
            {
                "body": f"User {self.name} changed from {self.user_id} to {new_user_id}",
                "wa_id": self.wa_id,
                "user_id": new_user_id,
            }
        )
        self.user_id = new_user_id
        return p

    def changed_number(self, new_wa_id: str, timestamp: int) -> dict[str, Any]:
        """Meta's system notice that the number changed (pywa's shape); ``self`` follows."""
        p = fixture("pywa/system__phone_number_change")
        m = _value(p)["messages"][0]
        m.update({"from": self.wa_id, "id": _wamid(), "timestamp": str(timestamp)})
        m["system"].update(
            {
                "body": f"User {self.name} changed from {self.wa_id} to {new_wa_id}",
                "wa_id": new_wa_id,
            }
        )
        self.wa_id = new_wa_id
        return p

    def user_id_update(self, new_user_id: str, timestamp: int) -> dict[str, Any]:
        """The ``user_id_update`` webhook (Meta's syntax block); ``self`` takes the new id."""
        p = fixture("meta-docs/bsuid_user_id_update__syntax")
        v = _value(p)
        v["contacts"] = [{"profile": {"name": self.name}, "wa_id": self.wa_id}]
        item = v["user_id_update"][0]
        item.update(
            {
                "wa_id": self.wa_id,
                "user_id": {"previous": self.user_id, "current": new_user_id},
                "timestamp": str(timestamp),
            }
        )
        self.user_id = new_user_id
        return p

    def marketing_stop_user_only(self, timestamp: int) -> dict[str, Any]:
        """WhatsApp's "stop promotions" naming only the user id (Meta's syntax block)."""
        p = fixture("meta-docs/bsuid_user_preferences_stop__syntax")
        v = _value(p)
        v["contacts"][0]["user_id"] = self.user_id
        v["user_preferences"][0].update({"user_id": self.user_id, "timestamp": timestamp})
        return p

    def delivered(self, wamid: str, timestamp: int, *, with_number: bool = True) -> dict[str, Any]:
        """A delivered status naming the user id (and the number, Meta's two examples)."""
        name = "phone_parent" if with_number else "bsuid_no_phone"
        p = fixture(f"meta-docs/bsuid_status_delivered_to_{name}")
        v = _value(p)
        status = v["statuses"][0]
        status.update({"id": wamid, "timestamp": str(timestamp), "recipient_user_id": self.user_id})
        status.pop("recipient_parent_user_id", None)
        v["contacts"][0]["user_id"] = self.user_id
        v["contacts"][0].pop("parent_user_id", None)
        if with_number:
            status["recipient_id"] = v["contacts"][0]["wa_id"] = self.wa_id
        return p
