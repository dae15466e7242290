"""A stored record read back as its typed event; a record that cannot be read is kept, never a crash."""

from __future__ import annotations

import re
from typing import Any

from appliance.cloudapi.events.base import ApiError, Event, Identity, Record
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


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
