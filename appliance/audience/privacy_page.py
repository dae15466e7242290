"""The published privacy notice on the public app: /privacy (latest) and /privacy/<version>.

Plain, escaped HTML built here: the public app has no templates and imports nothing of admin.
"""

from __future__ import annotations

from html import escape

from quart import Blueprint, Response, current_app, request

from appliance.audience import notice

bp = Blueprint("privacy", __name__)

_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.55; color: #1b1b1b; background: #fff;
  max-width: 45rem; margin: 0 auto; padding: 1rem; }}
a {{ color: #0b4f8a; }}
.meta {{ color: #4a4a4a; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="meta">{version_line}</p>
{paragraphs}
<nav aria-label="{other}"><p>{links}</p></nav>
</main>
</body>
</html>
"""
_WORDS = {
    "it": {
        "title": "Informativa privacy",
        "version": "Versione {version}, pubblicata il {date}.",
        "other": "Altre versioni e lingue",
        "lang": "English version",
        "latest": "Versione in vigore",
    },
    "en": {
        "title": "Privacy notice",
        "version": "Version {version}, published on {date}.",
        "other": "Other versions and languages",
        "lang": "Versione italiana",
        "latest": "Current version",
    },
}


@bp.get("/privacy")
async def latest() -> Response:
    """The notice in force."""
    appliance = current_app.extensions["appliance"]
    published = await notice.current(appliance.db)
    if published is None:
        return Response(
            "Informativa non ancora pubblicata: il Comune la sta completando.\n"
            "Privacy notice not published yet.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    return await _render(published, latest=True)


@bp.get("/privacy/<int:number>")
async def version(number: int) -> Response:
    """One published version (the one a citizen consented to stays readable)."""
    appliance = current_app.extensions["appliance"]
    found = await notice.version(appliance.db, number)
    if found is None:
        return Response("not found", status=404, content_type="text/plain; charset=utf-8")
    return await _render(found, latest=False)


async def _render(found: notice.Notice, *, latest: bool) -> Response:
    appliance = current_app.extensions["appliance"]
    lang = "en" if request.args.get("lang") == "en" and found.text_en else "it"
    words = _WORDS[lang]
    text = await notice.fill(found.text(lang), appliance.db, appliance.config, lang)
    paragraphs = "\n".join(
        f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n")
    )
    other_lang = "it" if lang == "en" else "en"
    links = (
        [
            f'<a href="/privacy/{found.version}?lang={other_lang}" lang="{other_lang}">'
            f"{words['lang']}</a>"
        ]
        if found.text_en
        else []
    )
    if not latest:
        links.append(f'<a href="/privacy">{words["latest"]}</a>')
    body = _PAGE.format(
        lang=lang,
        title=words["title"],
        version_line=escape(
            words["version"].format(version=found.version, date=(found.published_at or "")[:10])
        ),
        paragraphs=paragraphs,
        other=words["other"],
        links=" · ".join(links),
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
