"""Chat bubbles for the demo phone: Cloud API bodies drawn as WhatsApp shows them."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from appliance.feeds.words import TZ

# WhatsApp's own markers: they must touch the text they wrap and not sit inside a word.
_STYLES = (
    (re.compile(r"```(.+?)```", re.S), "code"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
)
_LINK = re.compile(r"https?://[^\s<>]+?(?=[.,;:!?)\]]*(?:\s|$))")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
STATUSES = ("sent", "delivered", "read", "played", "failed")


def whatsapp_markup(text: str) -> Markup:
    """Citizen or bot text as HTML: escaped first, then links, *bold*, _italic_, line breaks."""
    out, last = [], 0
    for match in _LINK.finditer(text):
        out.append(_styled(text[last : match.start()]))
        url = escape(match.group(0))
        out.append(f'<a href="{url}" rel="noopener noreferrer" target="_blank">{url}</a>')
        last = match.end()
    out.append(_styled(text[last:]))
    return Markup("".join(out).replace("\n", "<br>\n"))


def _styled(text: str) -> str:
    html = str(escape(text))
    for pattern, tag in _STYLES:
        html = pattern.sub(lambda m, t=tag: f"<{t}>{m.group(1)}</{t}>", html)
    return html


def human_size(size: int) -> str:
    """A file size as WhatsApp writes it (kB, MB)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def day_label(moment: datetime, today: datetime) -> str:
    """Oggi, Ieri or the date, as WhatsApp separates days."""
    days = (today.date() - moment.date()).days
    if days == 0:
        return "Oggi"
    if days == 1:
        return "Ieri"
    return moment.strftime("%d/%m/%Y")


def bubble(row: Any, templates: dict[tuple[str, str], list[Any]], sizes: dict[str, int]) -> dict:
    """One stored message as what the phone draws: side, time, status and the content."""
    body = json.loads(row["body"])
    moment = datetime.fromtimestamp(row["at"], TZ)
    view: dict[str, Any] = {
        "id": row["id"],
        "mine": row["direction"] == "in",  # the citizen's own messages sit on the right
        "moment": moment,
        "time": moment.strftime("%H:%M"),
        "status": row["status"] if row["status"] in STATUSES else "",
        "error": row["error_title"] or "",
        "kind": body.get("type", "text"),
    }
    kind = view["kind"]
    content = body.get(kind) if isinstance(body.get(kind), dict) else {}
    if kind == "text":
        text = body["text"] if isinstance(body.get("text"), str) else content.get("body", "")
        view["text"] = whatsapp_markup(text)
    elif kind in ("image", "document", "audio", "video", "sticker"):
        view |= _media(content, sizes)
    elif kind == "location":
        view["location"] = {
            "name": content.get("name", ""),
            "address": content.get("address", ""),
            "latitude": content.get("latitude"),
            "longitude": content.get("longitude"),
        }
    elif kind == "interactive":
        view |= _interactive(content)
    elif kind == "button":
        view["text"] = whatsapp_markup(content.get("text", ""))
    elif kind == "template":
        view |= _template(content, templates)
    elif kind == "reaction":
        view["text"] = Markup(escape(content.get("emoji", "")))
    else:
        view["text"] = Markup(escape(f"[{kind}]"))
    return view


def _media(content: dict[str, Any], sizes: dict[str, int]) -> dict[str, Any]:
    media_id = str(content.get("id") or "")
    return {
        "media_id": media_id,
        "link": content.get("link", ""),
        "caption": whatsapp_markup(content.get("caption") or ""),
        "filename": content.get("filename") or "documento",
        "size": human_size(sizes[media_id]) if media_id in sizes else "",
        "voice": bool(content.get("voice")),
    }


def _interactive(content: dict[str, Any]) -> dict[str, Any]:
    kind = content.get("type")
    if kind in ("button_reply", "list_reply"):  # the citizen's tap, shown as its title
        return {"text": whatsapp_markup(content.get(kind, {}).get("title", ""))}
    action = content.get("action", {})
    header = content.get("header") or {}
    view: dict[str, Any] = {
        "header_text": header.get("text", "") if header.get("type") == "text" else "",
        "text": whatsapp_markup(content.get("body", {}).get("text", "")),
        "footer": content.get("footer", {}).get("text", ""),
        "buttons": [
            {"kind": "reply", "id": b["reply"]["id"], "title": b["reply"]["title"]}
            for b in action.get("buttons", [])
        ],
    }
    if kind == "list":
        view["list"] = {
            "button": action.get("button", "Scegli"),
            "sections": [
                {"title": s.get("title", ""), "rows": s.get("rows", [])}
                for s in action.get("sections", [])
            ],
        }
    return view


def _template(content: dict[str, Any], templates: dict[tuple[str, str], list[Any]]) -> dict:
    """A template with its values put in, its header, footer and buttons, as Meta renders it."""
    name, language = content.get("name", ""), content.get("language", {}).get("code", "")
    parts = {str(c.get("type", "")).upper(): c for c in templates.get((name, language), [])}
    sent = {str(c.get("type", "")).lower(): c for c in content.get("components", [])}

    def fill(text: str, component: str) -> Markup:
        values = sent.get(component, {}).get("parameters", [])
        named = {str(v.get("parameter_name")): v.get("text", "") for v in values}
        plain = [str(v.get("text", "")) for v in values]

        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in named:
                return str(named[key])
            index = int(key) - 1 if key.isdigit() else -1
            return plain[index] if 0 <= index < len(plain) else match.group(0)

        return whatsapp_markup(_PLACEHOLDER.sub(value, text))

    view: dict[str, Any] = {
        "template": name,
        "text": fill(parts.get("BODY", {}).get("text", ""), "body"),
    }
    header = parts.get("HEADER", {})
    if header.get("format", "TEXT").upper() == "TEXT" and header.get("text"):
        view["header_text"] = fill(header["text"], "header")
    for parameter in sent.get("header", {}).get("parameters", []):
        media = parameter.get(parameter.get("type", ""))
        if isinstance(media, dict):
            view["header_media"] = {"kind": parameter["type"], **_media(media, {})}
    view["footer"] = parts.get("FOOTER", {}).get("text", "")
    payloads = {
        int(c.get("index", 0)): str(p.get("payload", ""))
        for c in content.get("components", [])
        if str(c.get("type", "")).lower() == "button"
        for p in c.get("parameters", [])
    }
    view["buttons"] = [
        {
            "kind": {"QUICK_REPLY": "template", "URL": "url", "PHONE_NUMBER": "call"}.get(
                str(b.get("type", "")).upper(), "template"
            ),
            "id": payloads.get(index) or b.get("text", ""),
            "title": b.get("text", ""),
            "url": b.get("url") or (f"tel:{b['phone_number']}" if b.get("phone_number") else ""),
        }
        for index, b in enumerate(parts.get("BUTTONS", {}).get("buttons", []))
    ]
    if not parts:
        view["unknown"] = True  # not synced from Meta: only the values can be shown
        values = [str(p.get("text", "")) for c in sent.values() for p in c.get("parameters", [])]
        view["text"] = whatsapp_markup(" · ".join(v for v in values if v) or name)
    return view
