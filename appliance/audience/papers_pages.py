"""Settings › Documenti per l'RPD: the model papers, filled with the box's facts, to read or save."""

from __future__ import annotations

import html
import re
from typing import Any

import markdown
from markupsafe import Markup
from quart import Blueprint, Response, g

from appliance.audience import papers
from appliance.audience.privacy_facts import privacy_facts
from appliance.lan.access import requires
from appliance.lan.auth import the_appliance
from appliance.lan.forms import page

bp = Blueprint("papers", __name__, url_prefix="/settings/papers")
# Characters Markdown would read as markup (with "|" for the tables): a fact shows as written.
_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def _literal(value: Any) -> str:
    """A filled-in fact as inert text: HTML-escaped, Markdown signs escaped, on one line."""
    text = _MARKDOWN_SIGNS.sub(r"\\\1", str(value).replace("\r", " ").replace("\n", " "))
    return html.escape(text, quote=False)  # after: the entities' own "#" stay unescaped


def paper_html(key: str, context: dict[str, Any]) -> Markup:
    """The paper ``key`` as HTML: its Markdown rendered, the facts in it never markup."""
    text = papers.render(key, context, finalize=_literal)
    return Markup(markdown.markdown(text, extensions=["tables", "sane_lists"]))


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
    """One paper as a page to read and print (the Markdown rendered, tables as tables)."""
    appliance = the_appliance()
    found = papers.paper(key)
    context = await papers.paper_context(appliance.db, appliance.config)
    return await page("audience/paper.html", paper=found, html=paper_html(key, context))


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
