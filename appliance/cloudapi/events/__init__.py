"""Typed webhook events: a payload is split into records (stored), records become events.

The public face of the package: ``records`` splits a payload, ``parse`` reads a record back,
``base``, ``messages`` and ``notices`` define the events.
"""

from __future__ import annotations

from appliance.cloudapi.events.base import (
    STATUS_RANK,
    ApiError,
    Event,
    Identity,
    Record,
    status_rank,
)
from appliance.cloudapi.events.messages import (
    AudioMessage,
    ButtonReply,
    ContactsMessage,
    DocumentMessage,
    GroupMessage,
    ImageMessage,
    ListReply,
    LocationMessage,
    MediaMessage,
    Message,
    MessageChange,
    QuickReply,
    ReactionMessage,
    StickerMessage,
    TextMessage,
    UnsupportedMessage,
    VideoMessage,
)
from appliance.cloudapi.events.notices import (
    AccountErrors,
    AccountNotice,
    StatusUpdate,
    SystemChange,
    TemplateCategoryUpdate,
    TemplateStatusUpdate,
    UnsupportedChange,
    UserPreferences,
)
from appliance.cloudapi.events.parse import to_event
from appliance.cloudapi.events.records import ACCOUNT_FIELDS, split

__all__ = [
    "ACCOUNT_FIELDS",
    "STATUS_RANK",
    "AccountErrors",
    "AccountNotice",
    "ApiError",
    "AudioMessage",
    "ButtonReply",
    "ContactsMessage",
    "DocumentMessage",
    "Event",
    "GroupMessage",
    "Identity",
    "ImageMessage",
    "ListReply",
    "LocationMessage",
    "MediaMessage",
    "Message",
    "MessageChange",
    "QuickReply",
    "ReactionMessage",
    "Record",
    "StatusUpdate",
    "StickerMessage",
    "SystemChange",
    "TemplateCategoryUpdate",
    "TemplateStatusUpdate",
    "TextMessage",
    "UnsupportedChange",
    "UnsupportedMessage",
    "UserPreferences",
    "VideoMessage",
    "split",
    "status_rank",
    "to_event",
]
