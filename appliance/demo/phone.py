"""Demo mode only: a phone on the LAN page that looks and behaves like WhatsApp.

Type (or tap, or send a voice note or a photo) as a citizen; messages go through the
simulator's inbound API and the real webhook path, and the bot's answers come back as bubbles.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from quart import Blueprint, Response, redirect, render_template, request, url_for

from appliance.accounts.town import town_data
from appliance.core.errors import NotFound
from appliance.demo.bubbles import bubble, day_label
from appliance.demo.parts import DEMO_PHONE, SIMULATOR
from appliance.feeds.words import TZ
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("phone", __name__, url_prefix="/demo/phone")

DEFAULT_NUMBER = "393331234567"
ANSWER_WAIT = 4.0  # seconds a page without JavaScript waits for the bot's answer
_NUMBER = re.compile(r"^\d{8,15}$")
SAMPLES = Path(__file__).resolve().parent / "data" / "media"
# What the citizen's demo actions send: file, MIME type, message kind.
CITIZEN_MEDIA = {
    "voice": ("vocale.mp3", "audio/mpeg", "audio"),
    "photo": ("segnalazione.png", "image/png", "image"),
}
# Files the phone may show inline; any other type is offered as a download only.
INLINE = ("image/", "audio/", "video/")


def _number(raw: str | None) -> str:
    digits = (raw or "").strip().lstrip("+").replace(" ", "")
    return digits if _NUMBER.match(digits) else DEFAULT_NUMBER


def _store() -> Any:
    return the_appliance().parts[DEMO_PHONE]


async def _bubbles(number: str) -> list[dict[str, Any]]:
    """The chat of ``number`` as bubbles, with a day separator where the day changes."""
    appliance = the_appliance()
    store = _store()
    await store.flush()
    rows = await store.chat(number)
    templates = {
        (t["name"], t["language"]): json.loads(t["components"] or "[]")
        for t in await appliance.db.fetchall("SELECT name, language, components FROM wa_templates")
    }
    sizes = {
        r["media_id"]: r["file_size"]
        for r in await appliance.db.fetchall("SELECT media_id, file_size FROM demo_phone_media")
    }
    today, last_day = datetime.now(TZ), ""
    out = []
    for row in rows[-150:]:
        view = bubble(row, templates, sizes)
        label = day_label(view["moment"], today)
        view["day"] = label if label != last_day else ""
        last_day = label
        out.append(view)
    return out


def _signature(lines: list[dict[str, Any]]) -> str:
    """Changes whenever a message or a status changes: the script redraws only then."""
    raw = "|".join(f"{b['id']}:{b['status']}" for b in lines)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """The phone showing one citizen's chat, newest at the bottom, and the other chats."""
    appliance = the_appliance()
    number = _number(request.args.get("number"))
    lines = await _bubbles(number)
    town = await town_data(appliance.db, appliance.config)
    return await page(
        "conversation/phone.html",
        number=number,
        lines=lines,
        signature=_signature(lines),
        chats=await _store().chats(),
        business=town["display_name"],
    )


@bp.get("/chat")
@requires("viewer")
async def chat() -> Any:
    """Just the messages, for the page's script; 204 when nothing changed."""
    number = _number(request.args.get("number"))
    lines = await _bubbles(number)
    signature = _signature(lines)
    if request.args.get("since") == signature:
        return Response(status=204)
    html = await render_template(
        "conversation/_phone_chat.html", number=number, lines=lines, signature=signature
    )
    return Response(html, headers={"X-Chat-Signature": signature, "Cache-Control": "no-store"})


@bp.get("/media/<media_id>")
@requires("viewer")
async def media(media_id: str) -> Any:
    """A file shown on the phone (sent by the bot or by the citizen)."""
    row = await _store().media(media_id[:40])
    if row is None:
        raise NotFound("no such file on the demo phone")
    inline = row["mime_type"].startswith(INLINE)
    return Response(
        row["data"],
        content_type=row["mime_type"] if inline else "application/octet-stream",
        headers={"Content-Disposition": "inline" if inline else "attachment"},
    )


@bp.post("")
@requires("viewer")
async def send() -> Any:
    """Post the citizen's text or tap through the simulator."""
    form = await request.form
    number = _number(form.get("number"))
    if form.get("reply_id"):
        title = form.get("title", "")[:24]
        reply_id = form["reply_id"][:200]
        kind = form.get("kind", "button")
        if kind == "template":  # a quick-reply button of a template
            message = {"type": "button", "button": {"payload": reply_id, "text": title}}
        else:
            key = "list_reply" if kind == "list" else "button_reply"
            message = {
                "type": "interactive",
                "interactive": {"type": key, key: {"id": reply_id, "title": title}},
            }
    else:
        text = form.get("text", "")[:4096]
        if not text.strip():
            return _back(number)
        message = {"type": "text", "text": text}
    return await _deliver(number, form.get("name", ""), message)


@bp.post("/media")
@requires("viewer")
async def send_media() -> Any:
    """Demo: the citizen sends a voice note or a photo (sample files shipped with the demo)."""
    form = await request.form
    number = _number(form.get("number"))
    sample = CITIZEN_MEDIA.get(form.get("what", ""))
    if sample is None:
        raise NotFound("unknown sample")
    filename, mime, kind = sample
    data = (SAMPLES / filename).read_bytes()
    media_id = the_appliance().parts[SIMULATOR].state.store_media(data, mime)
    content: dict[str, Any] = {"id": media_id, "mime_type": mime}
    if kind == "audio":
        content["voice"] = True
    else:
        content["caption"] = (
            form.get("caption", "")[:1024] or "Buca in via Roma, davanti al civico 12"
        )
    return await _deliver(
        number, form.get("name", ""), {"type": kind, kind: content}, (media_id, mime, data)
    )


async def _deliver(number: str, name: str, message: dict[str, Any], file: Any = None) -> Any:
    """Through the simulator and the real webhook; wait briefly for an answer without JS."""
    simulator = the_appliance().parts[SIMULATOR]
    before = sum(1 for e in simulator.state.accepted if e["to"] == number)
    at = simulator.state.now()
    known = await the_appliance().db.fetchval(
        "SELECT profile_name FROM subscribers WHERE wa_id = ?", (number,)
    )
    spec = {"from": number, "name": name[:60] or known or "Cittadino demo", **message}
    result = await simulator.inbound(spec)
    await _store().record_inbound(number, result["wamid"], at, message, file)
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status=204)  # the script shows the answer when it comes
    deadline = time.monotonic() + ANSWER_WAIT
    while time.monotonic() < deadline:
        if sum(1 for e in simulator.state.accepted if e["to"] == number) > before:
            await asyncio.sleep(0.3)  # the rest of a multi-message answer
            break
        await asyncio.sleep(0.05)
    return _back(number)


def _back(number: str) -> Any:
    return redirect(url_for("phone.index", number=number) + "#end", 303)
