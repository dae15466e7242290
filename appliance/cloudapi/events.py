"""Typed webhook events: a payload is split into records (stored), records become events."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

# Statuses only move forward; failed is final whatever arrives after it.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 9}

Record = dict[str, Any]


def status_rank(status: str) -> int:
    """Order of a status in a message's life; unknown statuses rank 0 (never applied)."""
    return STATUS_RANK.get(status, 0)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a message is from or to: the phone (wa_id) and/or the business-scoped user ids.

    ``parent_user_id`` is the portfolio-wide id Meta sends beside ``user_id``; ``username`` is
    the citizen's WhatsApp username (shown, never matched: it can change hands).
    """

    wa_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    parent_user_id: str | None = None
    username: str | None = None

    @property
    def known(self) -> bool:
        """True when at least one identifier says who this is."""
        return bool(self.wa_id or self.user_id or self.parent_user_id)


@dataclass(frozen=True, slots=True)
class ApiError:
    """One error object as Meta sends it in webhooks and API answers."""

    code: int | None
    title: str = ""
    message: str = ""
    details: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ApiError:
        """Parse an error object, tolerating missing or odd fields."""
        if not isinstance(data, dict):
            return cls(code=None, message=str(data))
        code = data.get("code")
        error_data = data.get("error_data")
        return cls(
            code=code if isinstance(code, int) else _int_or_none(code),
            title=str(data.get("title") or ""),
            message=str(data.get("message") or ""),
            details=str(error_data.get("details") or "") if isinstance(error_data, dict) else "",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: its dedupe key and the account and number it came through."""

    kind: ClassVar[str] = "event"
    key: str
    account_id: str = ""
    phone_number_id: str = ""


# -- inbound messages -----------------------------------------------------------------------


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


# -- statuses and account webhooks ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdate(Event):
    """What happened to a message we sent; ``errors`` only on failed (sent once: persist)."""

    kind: ClassVar[str] = "status"
    wamid: str
    status: str
    timestamp: int
    recipient: Identity
    callback_data: str | None = None
    pricing: dict[str, Any] | None = None
    errors: tuple[ApiError, ...] = ()

    @property
    def rank(self) -> int:
        """Position in the forward-only order of statuses."""
        return status_rank(self.status)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateStatusUpdate(Event):
    """A template was approved, rejected, paused, disabled…"""

    kind: ClassVar[str] = "template_status"
    template_id: str
    name: str
    language: str
    event: str
    reason: str = ""
    category: str = ""  # Meta names it in newer webhooks; the route follows it at once


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateCategoryUpdate(Event):
    """A template's category changes (impending) or changed (completed)."""

    kind: ClassVar[str] = "template_category"
    template_id: str
    name: str
    language: str
    new_category: str
    previous_category: str = ""
    correct_category: str = ""

    @property
    def completed(self) -> bool:
        """Only a completed change moves the send route; an impending one is a notice."""
        return not self.correct_category


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPreferences(Event):
    """A citizen stopped (or resumed) marketing messages inside WhatsApp."""

    kind: ClassVar[str] = "user_preferences"
    identity: Identity
    category: str
    value: str
    detail: str = ""
    timestamp: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemChange(Event):
    """Meta's notice that a citizen changed number or user id (``system`` messages and the
    ``user_id_update`` webhook): ``sender`` as we knew them, ``new`` what replaces it.

    Never a conversation turn: the bot does not answer a notice.
    """

    kind: ClassVar[str] = "system"
    wamid: str
    sender: Identity
    change: str  # user_changed_number, user_changed_user_id, user_id_update, or another type
    new: Identity
    body: str = ""
    timestamp: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountErrors(Event):
    """System, app or account errors sent outside any message or status."""

    kind: ClassVar[str] = "error"
    errors: tuple[ApiError, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountNotice(Event):
    """The account, the number or a template changed standing: ban, restriction, quality…

    ``field_name`` is the webhook field (``account_update``, ``phone_number_quality_update``,
    ``message_template_quality_update``), ``event`` Meta's event name, ``value`` the rest.
    """

    kind: ClassVar[str] = "account_update"
    field_name: str
    event: str
    value: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class UnsupportedChange(Event):
    """A webhook field we do not handle, or one we could not read; kept, never a crash."""

    kind: ClassVar[str] = "unsupported"
    field_name: str
    value: Any = field(default=None)
    problem: str = ""


# -- splitting a payload into records -------------------------------------------------------

ACCOUNT_FIELDS = frozenset(
    {"account_update", "phone_number_quality_update", "message_template_quality_update"}
)


def split(payload: dict[str, Any]) -> list[tuple[str, str, Record]]:
    """Every event of a verified payload as ``(dedupe key, kind, record)``, in payload order."""
    return list(_split(payload))


def _split(payload: dict[str, Any]) -> Iterator[tuple[str, str, Record]]:
    for entry in _dicts(payload.get("entry")):
        account = str(entry.get("id") or "")
        for change in _dicts(entry.get("changes")):
            field_name = str(change.get("field") or "")
            value = change.get("value")
            if not isinstance(value, dict):
                yield _unsupported(account, field_name, value, "value is not an object")
                continue
            if field_name == "messages":
                yield from _split_messages(account, value)
            elif field_name == "message_template_status_update":
                yield (
                    _hash_key("template_status", account, value),
                    "template_status",
                    _rec(account, value),
                )
            elif field_name == "template_category_update":
                yield (
                    _hash_key("template_category", account, value),
                    "template_category",
                    _rec(account, value),
                )
            elif field_name == "user_id_update":
                for update in _dicts(value.get("user_id_update")):
                    yield _hash_key("system", account, update), "system", _rec(account, update)
            elif field_name in ACCOUNT_FIELDS:
                rec = {"a": account, "f": field_name, "v": value}
                yield _hash_key("account", account, [field_name, value]), "account_update", rec
            elif field_name == "user_preferences":
                metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
                contacts = list(_dicts(value.get("contacts")))
                for pref in _dicts(value.get("user_preferences")):
                    rec = {
                        "a": account,
                        "md": metadata,
                        "v": pref,
                        "c": _contact_for(pref, contacts),
                    }
                    yield _hash_key("user_preferences", account, pref), "user_preferences", rec
            else:
                yield _unsupported(account, field_name, value, "")


def _split_messages(account: str, value: dict[str, Any]) -> Iterator[tuple[str, str, Record]]:
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    contacts = list(_dicts(value.get("contacts")))
    for message in _dicts(value.get("messages")):
        wamid = message.get("id")
        key = f"m:{wamid}" if isinstance(wamid, str) and wamid else _hash_key("m", account, message)
        contact = _contact_for(message, contacts)
        yield key, "message", {"a": account, "md": metadata, "m": message, "c": contact}
    for status in _dicts(value.get("statuses")):
        wamid, name = status.get("id"), status.get("status")
        if isinstance(wamid, str) and wamid and isinstance(name, str):
            key = f"s:{wamid}:{name}"
        else:
            key = _hash_key("s", account, status)
        yield key, "status", {"a": account, "md": metadata, "s": status}
    errors = value.get("errors")
    if isinstance(errors, list) and errors:
        yield (
            _hash_key("error", account, errors),
            "error",
            {"a": account, "md": metadata, "e": errors},
        )


def _contact_for(item: dict[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any] | None:
    sender = item.get("from") or item.get("wa_id")
    for contact in contacts:
        if sender and contact.get("wa_id") == sender:
            return contact
    user_id = item.get("from_user_id") or item.get("user_id")
    for contact in contacts:
        if user_id and contact.get("user_id") == user_id:
            return contact
    # A lone contact block is the sender's only when none of its identifiers says otherwise:
    # attaching someone else's user id would merge two people.
    if len(contacts) == 1 and all(
        not contact_value or not item_value or contact_value == item_value
        for contact_value, item_value in (
            (contacts[0].get("wa_id"), sender),
            (contacts[0].get("user_id"), user_id),
        )
    ):
        return contacts[0]
    return None


def _rec(account: str, value: Any) -> Record:
    return {"a": account, "v": value}


def _unsupported(
    account: str, field_name: str, value: Any, problem: str
) -> tuple[str, str, Record]:
    rec = {"a": account, "f": field_name, "v": value, "p": problem}
    return _hash_key("u", account, [field_name, value]), "unsupported", rec


def _hash_key(prefix: str, account: str, value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return f"{prefix}:{hashlib.sha256(f'{account}|{text}'.encode()).hexdigest()[:32]}"


def _dicts(items: Any) -> Iterator[dict[str, Any]]:
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                yield item


# -- records back to typed events -----------------------------------------------------------


def to_event(key: str, kind: str, record: Record) -> Event:
    """The typed event of a stored record; a record we cannot read becomes UnsupportedChange."""
    base = {"key": key, "account_id": str(record.get("a") or "")}
    metadata = record.get("md")
    if isinstance(metadata, dict):
        base["phone_number_id"] = str(metadata.get("phone_number_id") or "")
    try:
        if kind == "message":
            return _message(base, record["m"], record.get("c"))
        if kind == "status":
            return _status(base, record["s"])
        if kind == "template_status":
            return _template_status(base, record["v"])
        if kind == "template_category":
            return _template_category(base, record["v"])
        if kind == "user_preferences":
            return _user_preferences(base, record["v"], record.get("c"))
        if kind == "system":
            return _user_id_update(base, record["v"])
        if kind == "account_update":
            return _account_notice(base, str(record["f"]), record["v"])
        if kind == "error":
            return AccountErrors(**base, errors=tuple(ApiError.from_json(e) for e in record["e"]))
        return UnsupportedChange(
            **base,
            field_name=str(record.get("f", "")),
            value=record.get("v"),
            problem=record.get("p", ""),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        return UnsupportedChange(
            **base, field_name=kind, value=record, problem=f"{type(err).__name__}: {err}"
        )


def _sender(m: dict[str, Any], contact: dict[str, Any] | None) -> Identity:
    """Who sent a message: the number, the user ids (message first, then contact), the profile."""
    contact = contact or {}
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    user_id = _str_or_none(m.get("from_user_id") or contact.get("user_id"))
    return Identity(
        wa_id=_phone(m.get("from") or contact.get("wa_id"), user_id),
        user_id=user_id,
        name=_str_or_none(profile.get("name")),
        parent_user_id=_str_or_none(m.get("from_parent_user_id") or contact.get("parent_user_id")),
        username=_str_or_none(profile.get("username")),
    )


def _phone(value: Any, user_id: str | None) -> str | None:
    """A phone-based wa_id; a user id placed in ``from`` (seen in the wild) is not a number."""
    text = _str_or_none(value)
    if text is None or text == user_id or not text.lstrip("+").isdigit():
        return None
    return text.lstrip("+")


def _message(
    base: dict[str, Any], m: dict[str, Any], contact: dict[str, Any] | None
) -> Message | GroupMessage | SystemChange | MessageChange:
    sender = _sender(m, contact)
    mtype = str(m.get("type") or "")
    notice = _notice(base, m, sender, mtype)
    if notice is not None:
        return notice
    context = m.get("context") if isinstance(m.get("context"), dict) else {}
    common = {
        **base,
        "wamid": str(m.get("id") or base["key"]),
        "sender": sender,
        "timestamp": _int(m.get("timestamp")),
        "reply_to": _str_or_none(context.get("id")),
        "forwarded": bool(context.get("forwarded") or context.get("frequently_forwarded")),
        "referral": m.get("referral") if isinstance(m.get("referral"), dict) else None,
    }
    body = m.get(mtype) if isinstance(m.get(mtype), dict) else {}
    if mtype == "text":
        return TextMessage(**common, body=str(body.get("body", "")))
    if mtype == "interactive":
        itype = body.get("type")
        reply = body.get(itype) if isinstance(body.get(itype), dict) else None
        if itype == "button_reply" and reply is not None:
            return ButtonReply(
                **common, reply_id=str(reply["id"]), title=str(reply.get("title", ""))
            )
        if itype == "list_reply" and reply is not None:
            return ListReply(
                **common,
                reply_id=str(reply["id"]),
                title=str(reply.get("title", "")),
                description=str(reply.get("description", "")),
            )
    elif mtype == "button":
        return QuickReply(
            **common, payload=str(body.get("payload", "")), text=str(body.get("text", ""))
        )
    elif mtype in _MEDIA:
        media = {
            "media_id": str(body["id"]),
            "mime_type": str(body.get("mime_type", "")),
            "sha256": str(body.get("sha256", "")),
            "caption": str(body.get("caption", "")),
        }
        if mtype == "document":
            return DocumentMessage(**common, **media, filename=str(body.get("filename", "")))
        if mtype == "audio":
            return AudioMessage(**common, **media, voice=bool(body.get("voice")))
        if mtype == "sticker":
            return StickerMessage(**common, **media, animated=bool(body.get("animated")))
        return _MEDIA[mtype](**common, **media)
    elif mtype == "location":
        return LocationMessage(
            **common,
            latitude=float(body["latitude"]),
            longitude=float(body["longitude"]),
            name=str(body.get("name", "")),
            address=str(body.get("address", "")),
            url=str(body.get("url", "")),
        )
    elif mtype == "contacts" and isinstance(m.get("contacts"), list):
        return ContactsMessage(
            **common, contacts=tuple(c for c in m["contacts"] if isinstance(c, dict))
        )
    elif mtype == "reaction":
        return ReactionMessage(
            **common, message_id=str(body.get("message_id", "")), emoji=str(body.get("emoji") or "")
        )
    errors = m.get("errors") if isinstance(m.get("errors"), list) else []
    return UnsupportedMessage(
        **common, message_type=mtype, errors=tuple(ApiError.from_json(e) for e in errors)
    )


def _notice(
    base: dict[str, Any], m: dict[str, Any], sender: Identity, mtype: str
) -> GroupMessage | SystemChange | MessageChange | None:
    """The events that arrive as messages but are no conversation turn, or None."""
    common = {**base, "wamid": str(m.get("id") or base["key"]), "sender": sender}
    if m.get("group_id"):
        return GroupMessage(
            **common,
            group_id=str(m["group_id"]),
            message_type=mtype,
            timestamp=_int(m.get("timestamp")),
        )
    body = m.get(mtype) if isinstance(m.get(mtype), dict) else {}
    if mtype == "system":
        return _system_change(base, m, sender)
    if mtype in ("revoke", "edit"):
        return MessageChange(
            **common, change=mtype, original_wamid=str(body.get("original_message_id") or "")
        )
    return None


_MEDIA: dict[str, type[MediaMessage]] = {
    "image": ImageMessage,
    "video": VideoMessage,
    "document": DocumentMessage,
    "audio": AudioMessage,
    "sticker": StickerMessage,
}


def _status(base: dict[str, Any], s: dict[str, Any]) -> StatusUpdate:
    errors = s.get("errors") if isinstance(s.get("errors"), list) else []
    callback = s.get("biz_opaque_callback_data")
    return StatusUpdate(
        **base,
        wamid=str(s["id"]),
        status=str(s["status"]),
        timestamp=_int(s.get("timestamp")),
        recipient=Identity(
            wa_id=_str_or_none(s.get("recipient_id")),
            user_id=_str_or_none(s.get("recipient_user_id")),
            parent_user_id=_str_or_none(s.get("recipient_parent_user_id")),
        ),
        callback_data=str(callback) if callback is not None else None,
        pricing=s.get("pricing") if isinstance(s.get("pricing"), dict) else None,
        errors=tuple(ApiError.from_json(e) for e in errors),
    )


def _template_status(base: dict[str, Any], v: dict[str, Any]) -> TemplateStatusUpdate:
    return TemplateStatusUpdate(
        **base,
        template_id=str(v.get("message_template_id") or ""),
        name=str(v["message_template_name"]),
        language=str(v.get("message_template_language") or ""),
        event=str(v["event"]),
        reason="" if str(v.get("reason") or "").upper() == "NONE" else str(v.get("reason") or ""),
        category=str(v.get("message_template_category") or ""),
    )


def _template_category(base: dict[str, Any], v: dict[str, Any]) -> TemplateCategoryUpdate:
    return TemplateCategoryUpdate(
        **base,
        template_id=str(v.get("message_template_id") or ""),
        name=str(v["message_template_name"]),
        language=str(v.get("message_template_language") or ""),
        new_category=str(v["new_category"]),
        previous_category=str(v.get("previous_category") or ""),
        correct_category=str(v.get("correct_category") or ""),
    )


def _user_preferences(
    base: dict[str, Any], v: dict[str, Any], contact: dict[str, Any] | None
) -> UserPreferences:
    contact = contact or {}
    return UserPreferences(
        **base,
        identity=Identity(
            wa_id=_str_or_none(v.get("wa_id") or contact.get("wa_id")),
            user_id=_str_or_none(v.get("user_id") or contact.get("user_id")),
            parent_user_id=_str_or_none(v.get("parent_user_id") or contact.get("parent_user_id")),
        ),
        category=str(v.get("category") or ""),
        value=str(v["value"]),
        detail=str(v.get("detail") or ""),
        timestamp=_int(v.get("timestamp")),
    )


# Meta's text of a user id change: "User <name> changed from <old id> to <new id>".
_CHANGED = re.compile(r"changed from (\S+) to (\S+)\s*$")


def _system_change(base: dict[str, Any], m: dict[str, Any], sender: Identity) -> SystemChange:
    system = m.get("system") if isinstance(m.get("system"), dict) else {}
    change, body = str(system.get("type") or ""), str(system.get("body") or "")
    new_user = _str_or_none(system.get("user_id"))
    if change == "user_changed_user_id" and sender.user_id is None:
        # The old user id is only in the notice's text; trusted when its new id matches.
        found = _CHANGED.search(body)
        if found and found.group(2) == new_user and found.group(1) != new_user:
            sender = Identity(wa_id=sender.wa_id, user_id=found.group(1), name=sender.name)
    # Only user_changed_number moves the number (Meta's user id notice repeats a wa_id).
    moved_to = system.get("wa_id") or system.get("new_wa_id")  # Meta's pages show both names
    new_wa = _phone(moved_to, None) if change == "user_changed_number" else None
    return SystemChange(
        **base,
        wamid=str(m.get("id") or base["key"]),
        sender=sender,
        change=change,
        new=Identity(wa_id=new_wa, user_id=new_user),
        body=body,
        timestamp=_int(m.get("timestamp")),
    )


def _user_id_update(base: dict[str, Any], v: dict[str, Any]) -> SystemChange:
    """The ``user_id_update`` webhook: ``{wa_id, user_id: {previous, current}}``."""
    ids = v["user_id"] if isinstance(v.get("user_id"), dict) else {}
    return SystemChange(
        **base,
        wamid="",
        sender=Identity(
            wa_id=_phone(v.get("wa_id"), None), user_id=_str_or_none(ids.get("previous"))
        ),
        change="user_id_update",
        new=Identity(user_id=_str_or_none(ids.get("current"))),
        body=str(v.get("detail") or ""),
        timestamp=_int(v.get("timestamp")),
    )


def _account_notice(base: dict[str, Any], field_name: str, v: dict[str, Any]) -> AccountNotice:
    # A quality change without an event name is named after its new score (GREEN, YELLOW…).
    event = v.get("event") or v.get("new_quality_score") or ""
    return AccountNotice(**base, field_name=field_name, event=str(event).upper(), value=dict(v))


def _int(value: Any) -> int:
    """Meta sends Unix seconds as strings; keep its time, not the time of receipt."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
