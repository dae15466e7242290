"""Request bodies in the Cloud API's documented shapes (pure functions, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_PHONE = re.compile(r"^\+?\d{6,15}$")


@dataclass(frozen=True)
class Media:
    """An attachment by uploaded media id or by link (id preferred: links are re-fetched)."""

    kind: str  # image, video, audio, document, sticker
    id: str | None = None
    link: str | None = None
    caption: str | None = None
    filename: str | None = None
    voice: bool = False

    def content(self) -> dict[str, Any]:
        """The media object of a message or a template header parameter."""
        data: dict[str, Any] = {}
        if self.id is not None:
            data["id"] = self.id
        if self.link is not None:
            data["link"] = self.link
        if self.caption is not None:
            data["caption"] = self.caption
        if self.filename is not None:
            data["filename"] = self.filename
        if self.voice:
            data["voice"] = True
        return data


@dataclass(frozen=True)
class ListRow:
    """One pickable row of an interactive list."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class ListSection:
    """A titled group of rows."""

    title: str
    rows: Sequence[ListRow]


def recipient(to: str) -> dict[str, str]:
    """Phones go in ``to`` with a leading + (else Meta prepends our country code); BSUIDs in ``recipient``."""
    if _PHONE.match(to):
        return {"to": to if to.startswith("+") else f"+{to}"}
    return {"recipient": to}


def envelope(
    to: str,
    kind: str,
    content: Any,
    *,
    callback_data: str | None = None,
    reply_to: str | None = None,
) -> dict[str, Any]:
    """A complete /messages body around one message's content."""
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        **recipient(to),
        "type": kind,
        kind: content,
    }
    if reply_to:
        body["context"] = {"message_id": reply_to}
    if callback_data is not None:
        body["biz_opaque_callback_data"] = callback_data
    return body


def text(body: str, *, preview_url: bool = False) -> tuple[str, dict[str, Any]]:
    """Plain text; ``preview_url`` previews the first http(s) link."""
    content: dict[str, Any] = {"body": body}
    if preview_url:
        content = {"preview_url": True, **content}
    return "text", content


def media(item: Media) -> tuple[str, dict[str, Any]]:
    """An image, video, audio, voice note, document or sticker."""
    return item.kind, item.content()


def location(
    latitude: float | str, longitude: float | str, *, name: str = "", address: str = ""
) -> tuple[str, dict[str, Any]]:
    """A pin with an optional name and address."""
    content: dict[str, Any] = {"latitude": _number(latitude), "longitude": _number(longitude)}
    if name:
        content["name"] = name
    if address:
        content["address"] = address
    return "location", content


def _number(value: float | str) -> float | str:
    """Meta wants coordinates as numbers; a value that is none stays for the limits to name."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def buttons(
    body: str,
    choices: Sequence[tuple[str, str]],
    *,
    header: str = "",
    footer: str = "",
) -> tuple[str, dict[str, Any]]:
    """Up to three reply buttons, each ``(id, title)``."""
    content: dict[str, Any] = {"type": "button"}
    if header:
        content["header"] = {"type": "text", "text": header}
    content["body"] = {"text": body}
    if footer:
        content["footer"] = {"text": footer}
    content["action"] = {
        "buttons": [
            {"type": "reply", "reply": {"id": bid, "title": title}} for bid, title in choices
        ]
    }
    return "interactive", content


def list_message(
    body: str,
    button: str,
    sections: Sequence[ListSection],
    *,
    header: str = "",
    footer: str = "",
) -> tuple[str, dict[str, Any]]:
    """An interactive list: at most 10 rows in total across its sections."""
    content: dict[str, Any] = {"type": "list"}
    if header:
        content["header"] = {"type": "text", "text": header}
    content["body"] = {"text": body}
    if footer:
        content["footer"] = {"text": footer}
    content["action"] = {
        "button": button,
        "sections": [
            {
                "title": section.title,
                "rows": [
                    {"id": row.id, "title": row.title}
                    | ({"description": row.description} if row.description else {})
                    for row in section.rows
                ],
            }
            for section in sections
        ],
    }
    return "interactive", content


@dataclass(frozen=True)
class TemplateButton:
    """A value for one of the template's buttons: a quick reply's payload or a URL's variable."""

    index: int
    payload: str = ""  # quick reply: what comes back when the citizen taps it
    url_variable: str = ""  # URL button: the part that fills {{1}} at the end of its URL

    def component(self) -> dict[str, Any]:
        """The button's component as the Cloud API takes it."""
        if self.url_variable:
            sub_type, parameter = "url", {"type": "text", "text": self.url_variable}
        else:
            sub_type, parameter = "quick_reply", {"type": "payload", "payload": self.payload}
        return {
            "type": "button",
            "sub_type": sub_type,
            "index": str(self.index),
            "parameters": [parameter],
        }


def template(
    name: str,
    language: str = "it",
    *,
    body: Sequence[str] | Mapping[str, str] = (),
    header: Media | str | Mapping[str, str] | None = None,
    buttons: Sequence[TemplateButton] = (),
) -> tuple[str, dict[str, Any]]:
    """A template; positional values fill {{1}}…, a mapping fills named {{via}} variables.

    ``buttons`` give a quick reply its payload or a URL button its variable, by position.
    """
    content: dict[str, Any] = {"name": name, "language": {"code": language}}
    components: list[dict[str, Any]] = []
    if isinstance(header, Media):
        components.append(
            {"type": "header", "parameters": [{"type": header.kind, header.kind: header.content()}]}
        )
    elif isinstance(header, Mapping):
        components.append(
            {
                "type": "header",
                "parameters": [
                    {"type": "text", "parameter_name": key, "text": value}
                    for key, value in header.items()
                ],
            }
        )
    elif header is not None:
        components.append({"type": "header", "parameters": [{"type": "text", "text": header}]})
    if isinstance(body, Mapping):
        parameters = [
            {"type": "text", "parameter_name": key, "text": value} for key, value in body.items()
        ]
    else:
        parameters = [{"type": "text", "text": value} for value in body]
    if parameters:
        components.append({"type": "body", "parameters": parameters})
    components += [button.component() for button in buttons]
    if components:
        content["components"] = components
    return "template", content


def mark_read(wamid: str) -> dict[str, Any]:
    """The body that marks a citizen's message as read (blue ticks)."""
    return {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
