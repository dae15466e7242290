"""Dates, times and numbers written the way a citizen reads them, in Italian or English."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Italian comuni: every time shown to citizens and every forecast day is Rome's local time.
TZ = ZoneInfo("Europe/Rome")

_WEEKDAYS = {
    "it": ("lun", "mar", "mer", "gio", "ven", "sab", "dom"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_RELATIVE = {"it": ("Oggi", "Domani"), "en": ("Today", "Tomorrow")}


def lang(language: str) -> str:
    """``en`` or the Italian default."""
    return "en" if language == "en" else "it"


def day(value: date, language: str, today: date | None = None) -> str:
    """``Oggi lun 14/09``, ``Domani …``, or ``mer 16/09``."""
    language = lang(language)
    label = f"{_WEEKDAYS[language][value.weekday()]} {value:%d/%m}"
    if today is not None and 0 <= (value - today).days <= 1:
        return f"{_RELATIVE[language][(value - today).days]} {label}"
    return label


def moment(value: datetime, language: str) -> str:
    """``mar 15/09 ore 14:00`` / ``Tue 15/09 14:00`` in local time."""
    local = value.astimezone(TZ)
    joiner = " ore " if lang(language) == "it" else " "
    return f"{day(local.date(), language)}{joiner}{local:%H:%M}"


def number(value: float, language: str, digits: int = 1) -> str:
    """A decimal with a comma in Italian."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang(language) == "it" else text
