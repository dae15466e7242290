"""Staff-facing text: Italian is the source language, other languages are gettext catalogs.

Each language but Italian has ``appliance/locale/<lang>/LC_MESSAGES/banditore.po`` (msgid: the
Italian source), read with Babel when first needed: no compile step, the .po ships in the wheel.
Plurals follow the catalog's Plural-Forms. Why, and how to add texts or a language:
appliance/locale/README.md.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from quart import g

from appliance.core.formats import format_number
from appliance.core.text import Text

LANGUAGES = {"it": "Italiano", "en": "English"}
DEFAULT_LANGUAGE = "it"
DOMAIN = "banditore"
LOCALE = Path(__file__).resolve().parent.parent / "locale"


@dataclass(frozen=True)
class Catalog:
    """One language's translations: singular texts, plural forms and the rule choosing one."""

    messages: dict[str, str]
    plurals: dict[str, tuple[str, ...]]
    plural_index: Callable[[int], int]


# Catalogs by language, read on first use (or given by ``load_catalog``).
CATALOGS: dict[str, Catalog] = {}


def read_catalog(path: Path) -> Catalog:
    """A .po file's translated, non-fuzzy messages and its Plural-Forms rule."""
    with path.open("rb") as f:
        po = read_po(f)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in po:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple) and all(message.string):
            plurals[message.id[0]] = tuple(message.string)
            messages.setdefault(message.id[0], message.string[0])
        elif isinstance(message.id, str) and message.string:
            messages[message.id] = message.string
    return Catalog(messages, plurals, stdlib_gettext.c2py(po.plural_expr))


def load_catalog(language: str, path: Path | None = None) -> Catalog:
    """Read (or re-read) a language's catalog, from the package's locale folder by default."""
    CATALOGS[language] = read_catalog(path or LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po")
    return CATALOGS[language]


def catalog(language: str) -> Catalog | None:
    """The language's catalog; None for Italian (the source) and for unknown languages."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return None
    return CATALOGS.get(language) or load_catalog(language)


def translate(text: str, language: str) -> str:
    """``text`` in ``language``, the Italian source when no translation exists."""
    if isinstance(text, Text):
        return text.render(language, translate, plural_form)
    found = catalog(language)
    return found.messages.get(text, text) if found else text


def plural_form(one: str, many: str, count: int, language: str) -> str:
    """The form of ``one``/``many`` for ``count`` in ``language`` (Italian: one for 1)."""
    found = catalog(language)
    forms = found.plurals.get(one) if found else None
    if not forms or found is None:
        return one if count == 1 else many
    return forms[min(found.plural_index(count), len(forms) - 1)]


def gettext(text: str, **values: object) -> str:
    """Translate into the request's language and fill ``{name}`` placeholders."""
    translated = translate(text, g.get("lang", DEFAULT_LANGUAGE))
    return translated.format(**values) if values else translated


def ngettext(one: str, many: str, count: float, **values: object) -> str:
    """The plural form for ``count``, with ``{n}`` filled in the staff's format."""
    language = g.get("lang", DEFAULT_LANGUAGE)
    text = plural_form(one, many, int(count), language)
    return text.format(n=format_number(count, language), **values)


def pick_language(*candidates: str | None) -> str:
    """The first supported language among the candidates, else Italian."""
    return next((c for c in candidates if c in LANGUAGES), DEFAULT_LANGUAGE)
