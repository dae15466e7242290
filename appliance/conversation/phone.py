"""Demo mode only: a phone on the LAN page. Type as a citizen (choosing a number) and read the
bot's answers; messages go through the simulator's inbound API and the real webhook path.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from quart import Blueprint, redirect, request, url_for

from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("phone", __name__, url_prefix="/demo/phone")

DEFAULT_NUMBER = "393331234567"
KEEP_TYPED = 200  # lines remembered per demo number
ANSWER_WAIT = 4.0  # seconds the page waits for the bot's answer before showing the chat
_NUMBER = re.compile(r"^\d{8,15}$")
# What each demo number typed, for the chat view (the simulator keeps only what the bot sent).
_typed: dict[str, list[tuple[float, str]]] = {}


def _number(raw: str | None) -> str:
    digits = (raw or "").strip().lstrip("+").replace(" ", "")
    return digits if _NUMBER.match(digits) else DEFAULT_NUMBER


def _bot_lines(simulator: Any, number: str) -> list[dict[str, Any]]:
    """What the bot sent this number, readable: text, buttons and list rows."""
    lines = []
    for entry in simulator.state.accepted:
        if entry["to"] != number:
            continue
        body = entry["body"]
        kind = body.get("type")
        content = body.get(kind) or {}
        choices: list[tuple[str, str]] = []
        if kind == "text":
            text = content.get("body", "")
        elif kind == "interactive":
            text = content.get("body", {}).get("text", "")
            action = content.get("action", {})
            choices = [(b["reply"]["id"], b["reply"]["title"]) for b in action.get("buttons", [])]
            choices += [
                (row["id"], row["title"])
                for section in action.get("sections", [])
                for row in section.get("rows", [])
            ]
        else:
            text = f"[{kind}]"
        lines.append(
            {
                "at": entry["at"],
                "who": "bot",
                "text": text,
                "choices": choices,
                "list": kind == "interactive" and content.get("type") == "list",
            }
        )
    return lines


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """The chat of one demo number, newest at the bottom."""
    simulator = the_appliance().parts["simulator"]
    number = _number(request.args.get("number"))
    lines = _bot_lines(simulator, number) + [
        {"at": at, "who": "citizen", "text": text, "choices": []}
        for at, text in _typed.get(number, [])
    ]
    lines.sort(key=lambda line: line["at"])
    return await page("conversation/phone.html", number=number, lines=lines[-80:])


@bp.post("")
@requires("viewer")
async def send() -> Any:
    """Post the citizen's message through the simulator, then wait briefly for the answer."""
    simulator = the_appliance().parts["simulator"]
    form = await request.form
    number = _number(form.get("number"))
    before = sum(1 for e in simulator.state.accepted if e["to"] == number)
    spec: dict[str, Any] = {"from": number, "name": form.get("name", "Cittadino demo")[:60]}
    if form.get("reply_id"):
        kind = "list_reply" if form.get("list") == "1" else "button_reply"
        spec |= {
            "type": "interactive",
            "interactive": {
                "type": kind,
                kind: {"id": form["reply_id"][:200], "title": form.get("title", "")[:24]},
            },
        }
        shown = f"[{form.get('title', '')}]"
    else:
        text = form.get("text", "")[:4096]
        spec |= {"type": "text", "text": text}
        shown = text
    typed = _typed.setdefault(number, [])
    typed.append((simulator.state.now(), shown))
    del typed[:-KEEP_TYPED]
    await simulator.inbound(spec)
    deadline = time.monotonic() + ANSWER_WAIT
    while time.monotonic() < deadline:
        if sum(1 for e in simulator.state.accepted if e["to"] == number) > before:
            await asyncio.sleep(0.3)  # the rest of a multi-message answer
            break
        await asyncio.sleep(0.05)
    return redirect(url_for("phone.index", number=number) + "#end", 303)
