"""The town's one clock and the staff language's number and date forms."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from appliance.core.clock import parse_iso

DEFAULT_ZONE = "Europe/Rome"
_MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# One zone per process, set from ``[town] timezone`` when the LAN app is built.
_zone = ZoneInfo(DEFAULT_ZONE)


def set_zone(name: str) -> None:
    """Use ``name`` (an IANA zone, already validated by the config) for every shown time."""
    global _zone
    _zone = ZoneInfo(name)


def zone() -> ZoneInfo:
    """The town's time zone."""
    return _zone


def to_local(value: str | float | datetime | None) -> datetime | None:
    """A stored moment (ISO text, Unix seconds or an aware datetime) in the town's zone."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, _zone)
    moment = parse_iso(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone)


def format_datetime(
    value: str | float | datetime | None, language: str = "it", *, seconds: bool = False
) -> str:
    """``01/12/2026 21:44`` in Italian, ``1 Dec 2026 21:44`` in English; empty for nothing."""
    moment = to_local(value)
    if moment is None:
        return ""
    clock = moment.strftime("%H:%M:%S" if seconds else "%H:%M")
    if language == "en":
        return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year} {clock}"
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year} {clock}"


def format_date(value: str | float | datetime | None, language: str = "it") -> str:
    """The day alone, in the same forms as ``format_datetime``."""
    return format_datetime(value, language).rsplit(" ", 1)[0]


def format_number(value: float, language: str = "it", decimals: int = 0) -> str:
    """``1.234,5`` in Italian, ``1,234.5`` in English."""
    text = f"{value:,.{decimals}f}"
    if language == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")
