"""Text written now and read later: Italian as a string, re-rendered in the reader's language.

Health lines are made outside any request, so they cannot know the staff's language. A ``Text``
is a ``str`` (its Italian form: logs, ``appliance check`` and the REST API keep working) that
also keeps its Italian source and placeholder values, so the web layer renders it again from
the catalog at display time. ``N_`` and ``N_plural`` mark the sources for ``pybabel extract``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from appliance.core.formats import format_datetime, format_number

# A placeholder value: plain, another Text, a moment (shown in the reader's date form) or a
# function of the language (for words that have their own translations, e.g. risk names).
Value = Any
Translate = Callable[[str, str], str]
Plural = Callable[[str, str, int, str], str]


class Text(str):
    """An Italian message with its source kept for rendering in another language later."""

    source: str
    plural: str
    count: float
    values: Mapping[str, Value]
    separator: str | None  # set when the text is a list of texts joined by it
    items: tuple[str, ...]

    def __new__(
        cls,
        source: str,
        values: Mapping[str, Value] | None = None,
        plural: str = "",
        count: float = 0,
    ) -> Text:
        """A message from its Italian source, placeholders and, for plurals, the other form."""
        self = super().__new__(cls, _fill(source, plural, count, values or {}))
        self.source, self.plural, self.count = source, plural, count
        self.values, self.separator, self.items = dict(values or {}), None, ()
        return self

    @classmethod
    def join(cls, separator: str, items: Iterable[str]) -> Text:
        """Texts in a row (e.g. one per alert source), each rendered on its own."""
        items = tuple(items)
        self = super().__new__(cls, separator.join(items))
        self.source, self.plural, self.count, self.values = "", "", 0, {}
        self.separator, self.items = separator, items
        return self

    def render(self, language: str, translate: Translate, plural: Plural) -> str:
        """This text in ``language`` from the catalog functions the web layer passes."""
        if self.separator is not None:
            return self.separator.join(
                _value(item, language, translate, plural) for item in self.items
            )
        values = {k: _value(v, language, translate, plural) for k, v in self.values.items()}
        if self.plural:
            values.setdefault("n", format_number(self.count, language))
            pattern = plural(self.source, self.plural, int(self.count), language)
        else:
            pattern = translate(self.source, language)
        return pattern.format(**values) if values else pattern


def N_(source: str, /, **values: Value) -> Text:  # noqa: N802 - the gettext convention's name
    """Mark an Italian source for the catalog and keep it for rendering later."""
    return Text(source, values)


def N_plural(one: str, many: str, count: float, /, **values: Value) -> Text:  # noqa: N802
    """The same for a message with plural forms (``{n}`` is the count)."""
    return Text(one, values, plural=many, count=count)


def _fill(source: str, plural: str, count: float, values: Mapping[str, Value]) -> str:
    """The Italian form (Italian plural: one for exactly 1)."""
    italian = {k: _value(v, "it", None, None) for k, v in values.items()}
    if plural:
        italian.setdefault("n", format_number(count, "it"))
        source = source if count == 1 else plural
    return source.format(**italian) if italian else source


def _value(value: Value, language: str, translate: Translate | None, plural: Plural | None) -> str:
    if isinstance(value, Text) and translate is not None and plural is not None:
        return value.render(language, translate, plural)
    if isinstance(value, datetime):
        return format_datetime(value, language)
    if callable(value):
        return str(value(language))
    return str(value)
