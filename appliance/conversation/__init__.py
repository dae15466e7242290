"""The citizen's conversation: keyword, menu, subscription with consent, commands, inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.audience.store import AUDIENCE
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.conversation.engine import CONVERSATION, Conversation
from appliance.conversation.probes import inbox_probe
from appliance.core.capability import Capability
from appliance.core.services import Service

if TYPE_CHECKING:
    from appliance.core.context import Appliance


def setup(appliance: Appliance) -> None:
    """Subscribe to the webhook deliveries; answers go out through the broadcast engine's reply lane."""
    from appliance.conversation import editor, inbox_pages
    from appliance.lan.registry import NavItem, add_pages

    conversation = Conversation(appliance, appliance.parts[AUDIENCE])
    appliance.parts.provide(CONVERSATION, conversation)
    appliance.parts[DELIVERIES].subscribe(
        conversation.on_event, name="conversation", kinds=("message", "user_preferences")
    )
    appliance.services.add(Service("conversation", conversation.start, conversation.stop))
    appliance.health.add("inbox", inbox_probe(appliance.db))
    assert appliance.lan is not None
    add_pages(appliance.lan, inbox_pages.bp, NavItem("inbox.index", "Messaggi", order=30))
    add_pages(appliance.lan, editor.bp, NavItem("bot.index", "Bot", order=60))


CAPABILITY = Capability("conversation", setup, requires=("cloudapi", "audience", "campaigns"))
