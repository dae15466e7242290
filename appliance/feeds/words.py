"""Dates, times and numbers written the way a citizen reads them, in Italian or English."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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


def period(start: datetime, end: datetime, language: str) -> str:
    """``mar 15/09 dalle 14:00 alle 21:00`` or ``da lun 20/07 ore 15:10 a mar 21/07 ore 24:00``.

    A midnight end is shown as 24:00 of the day before, so two days never read as three.
    """
    language = lang(language)
    first, last = start.astimezone(TZ), end.astimezone(TZ)
    last_day, last_time = last.date(), f"{last:%H:%M}"
    if last_time == "00:00" and last > first:
        last_day, last_time = last_day - timedelta(days=1), "24:00"
    begin = day(first.date(), language)
    if last_day == first.date():
        if language == "it":
            return f"{begin} dalle {first:%H:%M} alle {last_time}"
        return f"{begin} from {first:%H:%M} to {last_time}"
    finish = day(last_day, language)
    if language == "it":
        return f"da {begin} ore {first:%H:%M} a {finish} ore {last_time}"
    return f"from {begin} {first:%H:%M} to {finish} {last_time}"
