"""Settings › Documenti per l'RPD: the model papers, filled with the box's facts, to read or save."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, g

from appliance.audience import papers
from appliance.audience.privacy_facts import privacy_facts
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("papers", __name__, url_prefix="/settings/papers")


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """Every paper, and which legal facts they still lack."""
    appliance = the_appliance()
    facts = await privacy_facts(appliance.db, appliance.config)
    return await page(
        "audience/papers.html",
        papers=papers.PAPERS,
        missing=facts.missing_words(g.get("lang", "it")),
    )


@bp.get("/<key>")
@requires("viewer")
async def show(key: str) -> Any:
    """One paper as text to read and print."""
    appliance = the_appliance()
    context = await papers.paper_context(appliance.db, appliance.config)
    return await page(
        "audience/paper.html", paper=papers.paper(key), text=papers.render(key, context)
    )


@bp.get("/<key>.md")
@requires("viewer")
async def download(key: str) -> Response:
    """One paper as a Markdown file (opens in any editor; converts to the comune's template)."""
    appliance = the_appliance()
    found = papers.paper(key)
    context = await papers.paper_context(appliance.db, appliance.config)
    return Response(
        papers.render(key, context),
        content_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )
