"""The citizen's conversation: keyword, menu, subscription with consent, commands, inbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.conversation.engine import Conversation
from appliance.conversation.replies import DirectReplies
from appliance.services import Service

if TYPE_CHECKING:
    from appliance.app import Appliance


def setup(appliance: Appliance) -> None:
    """Subscribe to the inbox; send through the broadcast engine's lane when it registered one."""
    conversation = Conversation(appliance, appliance.parts["audience"])
    appliance.parts.setdefault("replies", DirectReplies(appliance.parts["cloudapi"]))
    appliance.parts["conversation"] = conversation
    appliance.parts["inbox"].subscribe(
        conversation.on_event, name="conversation", kinds=("message", "user_preferences")
    )
    appliance.services.add(Service("conversation", conversation.start, conversation.stop))
