"""What Meta tells the appliance on command: citizens writing, identity, account and template notices.

Shared by the control API and Python callers (the demo, tests); each posts a signed webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from appliance.simulator.errors import Rejected
from appliance.simulator.state import Settings, SimState
from appliance.simulator.webhooks import WebhookSender


class Notices:
    """The webhooks a citizen, Meta's review or Meta's account team would cause."""

    def __init__(self, state: SimState, webhooks: WebhookSender) -> None:
        self.state = state
        self.webhooks = webhooks
        self.clock_moved = asyncio.Event()  # set when a test advances the simulated clock

    @property
    def settings(self) -> Settings:
        """The live settings (changes apply to the next request)."""
        return self.state.settings

    async def inbound(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A citizen writes to the number: open the window and post the signed webhook."""
        sender = str(spec["from"]).lstrip("+") if spec.get("from") else None
        user_id = spec.get("user_id")
        if sender and self.settings.user_ids and not user_id:
            user_id = self.state.user_id_for(sender)
        if sender in self.settings.username_only:
            user_id, sender = user_id or self.state.user_id_for(sender), None  # number withheld
        key = str(sender or user_id or "")
        if not key:
            raise Rejected(131008, "from (wa_id) or user_id is required")
        self.state.inbound(key.lstrip("+"))
        kind = str(spec.get("type") or "text")
        wamid = self.state.new_id("wamid.IN")
        message: dict[str, Any] = {
            "id": wamid,
            "timestamp": str(int(self.state.now())),
            "type": kind,
        }
        if sender:
            message["from"] = str(sender).lstrip("+")
        if user_id:
            message["from_user_id"] = user_id
        content = spec.get(kind)
        message[kind] = (
            {"body": content} if kind == "text" and isinstance(content, str) else content
        )
        for extra in ("context", "referral", "errors"):
            if extra in spec:
                message[extra] = spec[extra]
        if kind == "contacts":
            message["contacts"] = message.pop("contacts")
        contact: dict[str, Any] = {"profile": {"name": spec.get("name") or "Cittadino"}}
        if sender:
            contact["wa_id"] = message["from"]
        if user_id:
            contact["user_id"] = user_id
        value = self.webhooks.messages_value(contacts=[contact], messages=[message])
        status = await self.webhooks.deliver(self.webhooks.envelope("messages", value))
        return {"wamid": wamid, "webhook_status": status}

    async def system(self, spec: dict[str, Any]) -> int | None:
        """Meta's notice that a citizen changed number or user id (a ``system`` message)."""
        sender = str(spec["from"]).lstrip("+")
        change = str(spec.get("type") or "user_changed_number")
        new_wa_id = str(spec.get("new_wa_id") or sender).lstrip("+")
        notice: dict[str, Any] = {"type": change}
        if change == "user_changed_number":
            notice |= {"body": f"User changed from {sender} to {new_wa_id}", "new_wa_id": new_wa_id}
        else:
            old, new_user_id = self.state.change_user_id(new_wa_id, spec.get("new_user_id"))
            notice |= {
                "body": f"User {spec.get('name') or 'Cittadino'} changed from {old} to {new_user_id}",
                "wa_id": new_wa_id,
                "user_id": new_user_id,
            }
        message = {
            "from": sender,
            "id": self.state.new_id("wamid.SYS"),
            "timestamp": str(int(self.state.now())),
            "type": "system",
            "system": notice,
        }
        value = self.webhooks.messages_value(messages=[message])
        return await self.webhooks.deliver(self.webhooks.envelope("messages", value))

    async def user_id_update(self, spec: dict[str, Any]) -> int | None:
        """Meta's ``user_id_update`` webhook: the citizen of ``wa_id`` has a new user id.

        Later messages and statuses carry the new id, as Meta's do.
        """
        wa_id = str(spec["wa_id"]).lstrip("+")
        name = str(spec.get("name") or "Cittadino")
        previous, current = self.state.change_user_id(wa_id, spec.get("user_id"))
        update = {
            "wa_id": wa_id,
            "detail": f"User id for {name} has been updated.",
            "user_id": {"previous": previous, "current": current},
            "timestamp": str(int(self.state.now())),
        }
        value = self.webhooks.messages_value(
            contacts=[{"profile": {"name": name}, "wa_id": wa_id}], user_id_update=[update]
        )
        return await self.webhooks.deliver(self.webhooks.envelope("user_id_update", value))

    async def account_update(self, value: dict[str, Any]) -> int | None:
        """An ``account_update`` (ban, restriction…) or, with ``field``, another account notice."""
        field_name = str(value.pop("field", "account_update"))
        return await self.webhooks.deliver(self.webhooks.envelope(field_name, value))

    def template_status(self, name: str, language: str, status: str, reason: str = "") -> None:
        """Change a template's status and send ``message_template_status_update``."""
        template = self._template(name, language)
        template["status"] = status.upper()
        value = {
            "event": status.upper(),
            "message_template_id": int(template["id"]),
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason or None,
        }
        self.webhooks.schedule_payload(
            self.webhooks.envelope("message_template_status_update", value)
        )

    def template_category(
        self, name: str, language: str, new_category: str, *, completed: bool = True
    ) -> None:
        """Send ``template_category_update``; a completed change also moves the category."""
        template = self._template(name, language)
        value: dict[str, Any] = {
            "message_template_id": int(template["id"]),
            "message_template_name": name,
            "message_template_language": language,
        }
        if completed:
            value |= {"previous_category": template["category"], "new_category": new_category}
            template["category"] = new_category.upper()
        else:
            value |= {
                "correct_category": new_category,
                "new_category": template["category"],
                "category_update_timestamp": int(self.state.now()) + 86400,
            }
        self.webhooks.schedule_payload(self.webhooks.envelope("template_category_update", value))

    def user_preferences(self, wa_id: str, value: str) -> None:
        """A citizen taps "stop promotions" (``stop``) or resumes them (``resume``)."""
        pref = {
            "wa_id": wa_id,
            "detail": f"User requested to {value} marketing messages",
            "category": "marketing_messages",
            "value": value,
            "timestamp": int(self.state.now()),
        }
        payload = self.webhooks.messages_value(contacts=[{"wa_id": wa_id}], user_preferences=[pref])
        self.webhooks.schedule_payload(self.webhooks.envelope("user_preferences", payload))

    def _template(self, name: str, language: str) -> dict[str, Any]:
        template = self.state.templates.get((name, language))
        if template is None:
            raise Rejected(132001, f"no template {name}/{language}", 404)
        return template

    async def review_later(self, name: str, language: str) -> None:
        """Approve (or reject) a new template after the review time on the simulated clock."""
        due = self.state.now() + self.settings.review_seconds
        while (left := due - self.state.now()) > 0:
            self.clock_moved.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self.clock_moved.wait()
        rejected = name.startswith("rifiuta")  # lets demos and tests show a rejection
        self.template_status(
            name,
            language,
            "REJECTED" if rejected else "APPROVED",
            "INVALID_FORMAT" if rejected else "",
        )
