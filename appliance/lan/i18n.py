"""Staff-facing text: Italian is the source language, other languages are catalogs keyed by it."""

from __future__ import annotations

from quart import g

LANGUAGES = {"it": "Italiano", "en": "English"}
DEFAULT_LANGUAGE = "it"

# Catalogs by language: Italian source text -> translation. Capabilities add theirs with
# ``add_catalog`` from their setup; a test checks every string used in templates is here.
CATALOGS: dict[str, dict[str, str]] = {"en": {}}


def add_catalog(language: str, messages: dict[str, str]) -> None:
    """Merge translations of Italian source strings into a language's catalog."""
    CATALOGS.setdefault(language, {}).update(messages)


def translate(text: str, language: str) -> str:
    """``text`` in ``language``, the Italian source when no translation exists."""
    return CATALOGS.get(language, {}).get(text, text)


def gettext(text: str, **values: object) -> str:
    """Translate into the request's language and fill ``{name}`` placeholders."""
    translated = translate(text, g.get("lang", DEFAULT_LANGUAGE))
    return translated.format(**values) if values else translated


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates, else Italian."""
    return next((c for c in candidates if c in LANGUAGES), DEFAULT_LANGUAGE)
