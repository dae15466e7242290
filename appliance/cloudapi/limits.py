"""Documented Cloud API limits, checked before a request leaves (and by the simulator)."""

from __future__ import annotations

import re
from typing import Any

from appliance.core.errors import BadRequest

INVALID, MISSING, OUT_OF_RANGE = 100, 131008, 131009

TEXT_BODY = 4096
CAPTION = 1024
CALLBACK_DATA = 512
BUTTON_TITLE = 20
BUTTON_ID = 256
BUTTONS_MAX = 3
BUTTON_BODY = 1024
LIST_BODY = 4096
LIST_BUTTON = 20
LIST_SECTIONS = 10
LIST_ROWS = 10
ROW_TITLE = 24
ROW_ID = 200
ROW_DESCRIPTION = 72
HEADER_TEXT = 60
FOOTER = 60
TEMPLATE_NAME = 512
TEMPLATE_NAME_RE = re.compile(r"^[a-z0-9_]+$")
TEMPLATE_CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")

MEDIA_KINDS = ("image", "video", "audio", "document", "sticker")
_CAPTIONED = ("image", "video", "document")

# Upload types and size caps (reference §7), by MIME type.
MB = 1024 * 1024
MEDIA_TYPES: dict[str, tuple[str, int]] = {
    "audio/aac": ("audio", 16 * MB),
    "audio/amr": ("audio", 16 * MB),
    "audio/mpeg": ("audio", 16 * MB),
    "audio/mp4": ("audio", 16 * MB),
    "audio/ogg": ("audio", 16 * MB),
    "text/plain": ("document", 100 * MB),
    "application/pdf": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "document",
        100 * MB,
    ),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
    "application/vnd.ms-powerpoint": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "document",
        100 * MB,
    ),
    "image/jpeg": ("image", 5 * MB),
    "image/png": ("image", 5 * MB),
    "image/webp": ("sticker", 500 * 1024),
    "video/mp4": ("video", 16 * MB),
    "video/3gpp": ("video", 16 * MB),
}


class LimitError(BadRequest):
    """The message breaks a documented Cloud API limit; nothing was sent."""

    code = "message_invalid"

    def __init__(self, field: str, problem: str, graph_code: int = INVALID) -> None:
        super().__init__(f"{field}: {problem}", detail={"field": field, "graph_code": graph_code})
        self.field = field
        self.graph_code = graph_code


def validate_message(body: Any) -> None:
    """Raise LimitError unless ``body`` is a valid /messages (or /marketing_messages) request."""
    if not isinstance(body, dict):
        raise LimitError("body", "must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise LimitError("messaging_product", 'must be "whatsapp"', MISSING)
    if body.get("status") == "read":  # mark-as-read shares the endpoint
        _text(body, "message_id", "message_id", 1, 512)
        return
    if not (_nonempty(body.get("to")) or _nonempty(body.get("recipient"))):
        raise LimitError("to", "a recipient (to or recipient) is required", MISSING)
    callback = body.get("biz_opaque_callback_data")
    if callback is not None:
        _length("biz_opaque_callback_data", callback, 1, CALLBACK_DATA)
    kind = body.get("type", "text")
    check = _CHECKS.get(kind)
    if check is None:
        raise LimitError("type", f"unknown message type {kind!r}")
    content = body.get(kind)
    if not isinstance(content, dict) and kind != "contacts":
        raise LimitError(kind, "object required", MISSING)
    check(content, kind)


def _text_message(content: dict[str, Any], kind: str) -> None:
    _text(content, "body", "text.body", 1, TEXT_BODY)
    if "preview_url" in content and not isinstance(content["preview_url"], bool):
        raise LimitError("text.preview_url", "must be true or false")


def _media(content: dict[str, Any], kind: str) -> None:
    has_id, has_link = "id" in content, "link" in content
    if not has_id and not has_link:
        raise LimitError(f"{kind}.id", "a media id or a link is required", MISSING)
    if has_id and has_link:
        raise LimitError(f"{kind}.id", "give either a media id or a link, not both")
    if has_id:
        _text(content, "id", f"{kind}.id", 1, 128)
    else:
        _link(content.get("link"), f"{kind}.link")
    if "caption" in content:
        if kind not in _CAPTIONED:
            raise LimitError(f"{kind}.caption", f"{kind} messages take no caption")
        _text(content, "caption", f"{kind}.caption", 1, CAPTION)
    if "filename" in content:
        if kind != "document":
            raise LimitError(f"{kind}.filename", "only documents have a filename")
        _text(content, "filename", "document.filename", 1, 240)
    if "voice" in content and (kind != "audio" or not isinstance(content["voice"], bool)):
        raise LimitError(f"{kind}.voice", "only audio takes voice, true or false")


def _location(content: dict[str, Any], kind: str) -> None:
    for name, bound in (("latitude", 90), ("longitude", 180)):
        if name not in content:
            raise LimitError(f"location.{name}", "required", MISSING)
        try:
            number = float(content[name])
        except (TypeError, ValueError):
            raise LimitError(f"location.{name}", "must be a number", OUT_OF_RANGE) from None
        if not -bound <= number <= bound:
            raise LimitError(f"location.{name}", f"must be within ±{bound}", OUT_OF_RANGE)
    for name in ("name", "address"):
        if name in content:
            _text(content, name, f"location.{name}", 1, 1000)


def _interactive(content: dict[str, Any], kind: str) -> None:
    itype = content.get("type")
    if itype not in ("button", "list"):
        raise LimitError("interactive.type", "must be button or list")
    body = content.get("body")
    if not isinstance(body, dict):
        raise LimitError("interactive.body", "required", MISSING)
    _text(body, "text", "interactive.body.text", 1, BUTTON_BODY if itype == "button" else LIST_BODY)
    if "footer" in content:
        footer = content["footer"]
        if not isinstance(footer, dict):
            raise LimitError("interactive.footer", "must be an object")
        _text(footer, "text", "interactive.footer.text", 1, FOOTER)
    if "header" in content:
        _header(content["header"], itype)
    action = content.get("action")
    if not isinstance(action, dict):
        raise LimitError("interactive.action", "required", MISSING)
    (_buttons if itype == "button" else _list)(action)


def _header(header: Any, itype: str) -> None:
    if not isinstance(header, dict):
        raise LimitError("interactive.header", "must be an object")
    htype = header.get("type")
    if htype == "text":
        _text(header, "text", "interactive.header.text", 1, HEADER_TEXT)
    elif itype == "button" and htype in ("image", "video", "document"):
        media = header.get(htype)
        if not isinstance(media, dict):
            raise LimitError(f"interactive.header.{htype}", "required", MISSING)
        _media({k: v for k, v in media.items() if k != "filename"}, htype)
    else:
        raise LimitError("interactive.header.type", "lists take only a text header")


def _buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not buttons:
        raise LimitError("interactive.action.buttons", "at least one button", MISSING)
    if len(buttons) > BUTTONS_MAX:
        raise LimitError(
            "interactive.action.buttons", f"at most {BUTTONS_MAX} buttons", OUT_OF_RANGE
        )
    titles: set[str] = set()
    for index, button in enumerate(buttons):
        where = f"interactive.action.buttons[{index}]"
        reply = button.get("reply") if isinstance(button, dict) else None
        if (
            not isinstance(button, dict)
            or button.get("type") != "reply"
            or not isinstance(reply, dict)
        ):
            raise LimitError(where, 'must be {"type": "reply", "reply": {"id", "title"}}')
        _text(reply, "id", f"{where}.reply.id", 1, BUTTON_ID)
        _text(reply, "title", f"{where}.reply.title", 1, BUTTON_TITLE)
        if reply["title"] in titles:
            raise LimitError(f"{where}.reply.title", "button titles must be unique")
        titles.add(reply["title"])


def _list(action: dict[str, Any]) -> None:
    _text(action, "button", "interactive.action.button", 1, LIST_BUTTON)
    sections = action.get("sections")
    if not isinstance(sections, list) or not sections:
        raise LimitError("interactive.action.sections", "at least one section", MISSING)
    if len(sections) > LIST_SECTIONS:
        raise LimitError("interactive.action.sections", f"at most {LIST_SECTIONS}", OUT_OF_RANGE)
    ids: set[str] = set()
    for s_index, section in enumerate(sections):
        where = f"interactive.action.sections[{s_index}]"
        if not isinstance(section, dict):
            raise LimitError(where, "must be an object")
        if "title" in section or len(sections) > 1:
            _text(section, "title", f"{where}.title", 1, ROW_TITLE)
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise LimitError(f"{where}.rows", "at least one row", MISSING)
        for r_index, row in enumerate(rows):
            row_where = f"{where}.rows[{r_index}]"
            if not isinstance(row, dict):
                raise LimitError(row_where, "must be an object")
            _text(row, "id", f"{row_where}.id", 1, ROW_ID)
            _text(row, "title", f"{row_where}.title", 1, ROW_TITLE)
            if "description" in row:
                _text(row, "description", f"{row_where}.description", 1, ROW_DESCRIPTION)
            if row["id"] in ids:
                raise LimitError(f"{row_where}.id", "row ids must be unique")
            ids.add(row["id"])
    if len(ids) > LIST_ROWS:
        raise LimitError(
            "interactive.action.sections", f"at most {LIST_ROWS} rows in total", OUT_OF_RANGE
        )


def _template(content: dict[str, Any], kind: str) -> None:
    validate_template_name(content.get("name"))
    language = content.get("language")
    if not isinstance(language, dict) or not _nonempty(language.get("code")):
        raise LimitError("template.language.code", "required", MISSING)
    components = content.get("components", [])
    if not isinstance(components, list):
        raise LimitError("template.components", "must be a list")
    for c_index, component in enumerate(components):
        where = f"template.components[{c_index}]"
        if not isinstance(component, dict) or component.get("type") not in (
            "header",
            "body",
            "button",
        ):
            raise LimitError(f"{where}.type", "must be header, body or button")
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise LimitError(f"{where}.parameters", "must be a list")
        for p_index, parameter in enumerate(parameters):
            _template_parameter(parameter, f"{where}.parameters[{p_index}]")


def _template_parameter(parameter: Any, where: str) -> None:
    if not isinstance(parameter, dict):
        raise LimitError(where, "must be an object")
    ptype = parameter.get("type")
    if ptype == "text":
        _text(parameter, "text", f"{where}.text", 1, TEXT_BODY)
        if "parameter_name" in parameter:
            _text(parameter, "parameter_name", f"{where}.parameter_name", 1, 128)
    elif ptype in ("image", "video", "document"):
        media = parameter.get(ptype)
        if not isinstance(media, dict):
            raise LimitError(f"{where}.{ptype}", "required", MISSING)
        _media({k: v for k, v in media.items() if k not in ("filename", "caption")}, ptype)
    elif ptype == "payload":
        _text(parameter, "payload", f"{where}.payload", 1, BUTTON_ID)
    elif ptype not in ("currency", "date_time", "location"):
        raise LimitError(f"{where}.type", f"unknown parameter type {ptype!r}")


def _reaction(content: dict[str, Any], kind: str) -> None:
    _text(content, "message_id", "reaction.message_id", 1, 512)
    if not isinstance(content.get("emoji", ""), str):
        raise LimitError("reaction.emoji", "must be text")


def _contacts(content: Any, kind: str) -> None:
    if not isinstance(content, list) or not content:
        raise LimitError("contacts", "at least one contact", MISSING)


_CHECKS = {
    "text": _text_message,
    "image": _media,
    "video": _media,
    "audio": _media,
    "document": _media,
    "sticker": _media,
    "location": _location,
    "interactive": _interactive,
    "template": _template,
    "reaction": _reaction,
    "contacts": _contacts,
}


def validate_template_name(name: Any) -> None:
    """Template names: lowercase letters, digits and underscores, at most 512."""
    if not _nonempty(name):
        raise LimitError("template.name", "required", MISSING)
    _length("template.name", name, 1, TEMPLATE_NAME)
    if not TEMPLATE_NAME_RE.match(name):
        raise LimitError("template.name", "only a-z, 0-9 and _ are allowed")


def validate_upload(mime_type: str, size: int) -> str:
    """The media kind of an upload; raise LimitError (Graph code 131053) for a bad type or size."""
    base = mime_type.split(";")[0].strip().lower()
    if base not in MEDIA_TYPES:
        raise LimitError("type", f"unsupported media type {mime_type!r}", 131053)
    kind, cap = MEDIA_TYPES[base]
    if size <= 0:
        raise LimitError("file", "the file is empty", 131053)
    if size > cap:
        raise LimitError("file", f"{kind} files are limited to {cap // 1024} KB", 131053)
    return kind


def _text(container: dict[str, Any], key: str, field: str, low: int, high: int) -> None:
    if key not in container:
        raise LimitError(field, "required", MISSING)
    _length(field, container[key], low, high)


def _length(field: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, str):
        raise LimitError(field, "must be text")
    if len(value) < low:
        raise LimitError(field, "must not be empty", MISSING)
    if len(value) > high:
        raise LimitError(field, f"at most {high} characters (got {len(value)})", OUT_OF_RANGE)


def _link(value: Any, field: str) -> None:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise LimitError(field, "must be an http(s) URL")


def _nonempty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
