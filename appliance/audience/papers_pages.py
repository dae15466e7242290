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
_LONG_WORD = re.compile(r"\S{17,}")
_HEADING = re.compile(r"<(/?)h([1-6])")
_MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def _literal(value: Any) -> str:
    """A filled-in fact as inert text: HTML-escaped, Markdown signs escaped, on one line."""
    text = _MARKDOWN_SIGNS.sub(r"\\\1", str(value).replace("\r", " ").replace("\n", " "))
    text = html.escape(text, quote=False)  # after: the entities' own "#" stay unescaped
    # An address or e-mail longer than a phone's cell may break anywhere, not widen the table.
    return _LONG_WORD.sub(lambda m: f'<span class="breakable">{m[0]}</span>', text)


def paper_html(key: str, context: dict[str, Any], label: str) -> Markup:
    """The paper ``key`` as HTML (tables named ``label``): its Markdown rendered, facts inert."""
    text = papers.render(key, context, finalize=_literal)
    body = markdown.markdown(text, extensions=["tables", "sane_lists"])
    # The page's own title is the h1: the paper's headings sit one level below it.
    body = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 1, 6)}", body)
    # A wide table scrolls inside its own box on a phone, not the whole page.
    region = (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{html.escape(label)}">'
    )
    return Markup(body.replace("<table>", region + "<table>").replace("</table>", "</table></div>"))


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
    return await page(
        "audience/paper.html", paper=found, html=paper_html(key, context, found.title)
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
