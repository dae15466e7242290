"""Small helpers shared by the shell's form pages."""

from __future__ import annotations

from typing import Any

from quart import Response, make_response, render_template


def safe_next(target: str | None) -> str:
    """A local path to go back to after a form; anything else (other hosts) becomes ``/``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


async def page(template: str, status: int = 200, **context: Any) -> Response:
    """Render a template with a status (400 for a form with errors, …)."""
    response = await make_response(await render_template(template, **context))
    response.status_code = status
    return response
