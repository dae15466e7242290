"""Row ids and page numbers within what SQLite can store: larger ones are simply not found."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter as WerkzeugIntegerConverter

MAX_ROWID = 2**63 - 1  # SQLite's INTEGER; one more raises OverflowError in the driver


class IntegerConverter(WerkzeugIntegerConverter):
    """``<int:…>`` in routes: an id past SQLite's range matches no route (404, not 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", MAX_ROWID)
        super().__init__(map, *args, **kwargs)


def bounded_ids(app: Any) -> None:
    """Make every ``<int:…>`` route of ``app`` refuse ids SQLite cannot hold (call first)."""
    app.url_map.converters["int"] = IntegerConverter
