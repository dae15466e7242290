"""Small helpers shared by the shell's form pages."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from quart import Response, make_response, render_template, request

from appliance.core.errors import BadRequest

MAX_PAGE = 1_000_000  # pages and offsets past this are typing mistakes or probes
# C0 controls, DEL and the C1 range: never part of a path a person meant.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe_next(target: str | None) -> str:
    """A same-origin path to go back to after a form; anything else becomes ``/``.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    "/<TAB>/host" or "/<backslash>host" would leave the box: normalised the same way first.
    """
    text = _CONTROL.sub("", target or "").strip().replace("\\", "/")
    parts = urlsplit(text)
    if not text.startswith("/") or text.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    return text


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int = MAX_PAGE) -> int:
    """A whole-number query argument (``?page=``, ``?offset=``); out of range is a 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise BadRequest(f"{name}: a whole number from {minimum} to {maximum}")
    return int(raw)


async def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a template with a status (400 for a form with errors, …)."""
    response = await make_response(await render_template(template, **context))
    response.status_code = status
    return response
