"""The events a citizen's messages become: text, taps, media, places, reactions, group posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from appliance.cloudapi.events.base import ApiError, Event, Identity


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """A message a citizen sent; ``reply_to`` is the wamid of ours it answers, if any."""

    kind: ClassVar[str] = "message"
    type: ClassVar[str] = ""
    wamid: str
    sender: Identity
    timestamp: int
    reply_to: str | None = None
    forwarded: bool = False
    referral: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextMessage(Message):
    """Plain text."""

    type: ClassVar[str] = "text"
    body: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonReply(Message):
    """A tap on one of our reply buttons."""

    type: ClassVar[str] = "button_reply"
    reply_id: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ListReply(Message):
    """A row picked from one of our lists."""

    type: ClassVar[str] = "list_reply"
    reply_id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickReply(Message):
    """A tap on a template's quick-reply button."""

    type: ClassVar[str] = "button"
    payload: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaMessage(Message):
    """An attachment; ``media_id`` expires after 7 days, download it promptly."""

    media_id: str
    mime_type: str = ""
    sha256: str = ""
    caption: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageMessage(MediaMessage):
    """An image."""

    type: ClassVar[str] = "image"


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoMessage(MediaMessage):
    """A video."""

    type: ClassVar[str] = "video"


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentMessage(MediaMessage):
    """A document."""

    type: ClassVar[str] = "document"
    filename: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AudioMessage(MediaMessage):
    """An audio file, or a voice note when ``voice``."""

    type: ClassVar[str] = "audio"
    voice: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class StickerMessage(MediaMessage):
    """A sticker."""

    type: ClassVar[str] = "sticker"
    animated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationMessage(Message):
    """A shared position or place."""

    type: ClassVar[str] = "location"
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactsMessage(Message):
    """One or more contact cards, kept as Meta sends them."""

    type: ClassVar[str] = "contacts"
    contacts: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionMessage(Message):
    """An emoji on one of our messages; an empty emoji removes it."""

    type: ClassVar[str] = "reaction"
    message_id: str
    emoji: str = ""

    @property
    def removed(self) -> bool:
        """True when the citizen took the reaction back."""
        return not self.emoji


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedMessage(Message):
    """A message type we do not handle (or Meta could not show), with Meta's errors if any."""

    type: ClassVar[str] = "unsupported"
    message_type: str
    errors: tuple[ApiError, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMessage(Event):
    """A message written in a WhatsApp group the number is in: never answered one-to-one."""

    kind: ClassVar[str] = "group_message"
    wamid: str
    sender: Identity
    group_id: str
    message_type: str
    timestamp: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageChange(Event):
    """A citizen deleted (``revoke``) or edited (``edit``) a message already received."""

    kind: ClassVar[str] = "message_change"
    wamid: str
    sender: Identity
    change: str
    original_wamid: str = ""
