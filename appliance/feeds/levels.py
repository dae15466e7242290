"""Alert levels, risks and time spans shared by every alert source."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    """The civil-protection colour code; higher is worse."""

    GREEN = 0
    YELLOW = 1
    ORANGE = 2
    RED = 3

    def label(self, language: str) -> str:
        """``allerta gialla`` / ``yellow alert``; green reads as no alert."""
        return _LEVEL_LABELS[language if language in ("it", "en") else "it"][self]

    @property
    def emoji(self) -> str:
        """A coloured dot that a phone shows next to the level."""
        return ("🟢", "🟡", "🟠", "🔴")[self]

    @classmethod
    def from_setting(cls, name: str) -> Level | None:
        """``[feeds] alerts_auto_level``: yellow/orange/red, or None for never."""
        return {"yellow": cls.YELLOW, "orange": cls.ORANGE, "red": cls.RED}.get(name)


_LEVEL_LABELS = {
    "it": {
        Level.GREEN: "nessuna allerta",
        Level.YELLOW: "allerta gialla",
        Level.ORANGE: "allerta arancione",
        Level.RED: "allerta rossa",
    },
    "en": {
        Level.GREEN: "no alert",
        Level.YELLOW: "yellow alert",
        Level.ORANGE: "orange alert",
        Level.RED: "red alert",
    },
}

# Risk ids shared by every source, in display order, with their Italian and English names.
RISKS: dict[str, tuple[str, str]] = {
    "hydrogeological": ("rischio idrogeologico", "landslides (hydrogeological)"),
    "hydraulic": ("rischio idraulico", "river flooding (hydraulic)"),
    "thunderstorm": ("temporali", "thunderstorms"),
    "wind": ("vento forte", "strong wind"),
    "rain": ("pioggia", "rain"),
    "snow": ("neve", "snow"),
    "avalanche": ("valanghe", "avalanches"),
    "forest_fire": ("incendi boschivi", "forest fires"),
    "fog": ("nebbia", "fog"),
    "high_temperature": ("caldo", "heat"),
    "low_temperature": ("freddo", "cold"),
    "flood": ("alluvione", "flooding"),
}


def risk_label(risk: str, language: str) -> str:
    """The risk's name; an id unknown to us (a CAP event text) is shown as it is."""
    names = RISKS.get(risk)
    return names[0 if language != "en" else 1] if names else risk


def risk_order(risk: str) -> int:
    """Sort key: known risks in table order, others after."""
    return list(RISKS).index(risk) if risk in RISKS else len(RISKS)


@dataclass(frozen=True)
class Span:
    """One source statement: a level for a zone and risk over [start, end)."""

    zone: str
    zone_name: str
    risk: str
    level: Level
    start: datetime
    end: datetime
    issued_id: str  # bulletin id, or a CAP "sender,identifier,sent" triple
    link: str
    detail: dict[str, Any] = field(default_factory=dict, compare=False)
    # CAP Cancel: the triples it withdraws; a cancel carries no level of its own.
    cancels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    """The level that matters now for one zone and risk, with the period it holds for."""

    zone: str
    zone_name: str
    risk: str
    level: Level
    valid_from: datetime
    valid_to: datetime
    issued_id: str
    link: str
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


def summarize(
    spans: list[Span], now: datetime, horizon: timedelta
) -> dict[tuple[str, str], Reading]:
    """Per zone and risk, the worst level over [now, now + horizon] and its first period."""
    # Consecutive spans at that level merge, so hourly levels read "from 14:00 to 02:00".
    # What has ended is not in force: an expired hour or day never counts as current.
    window_start, window_end = now, now + horizon
    groups: dict[tuple[str, str], list[Span]] = {}
    for span in spans:
        if span.cancels or span.end <= window_start or span.start >= window_end:
            continue
        groups.setdefault((span.zone, span.risk), []).append(span)
    readings: dict[tuple[str, str], Reading] = {}
    for key, group in groups.items():
        worst = max(s.level for s in group)
        at_worst = sorted((s for s in group if s.level == worst), key=lambda s: s.start)
        first = at_worst[0]
        end = first.end
        for span in at_worst[1:]:
            if span.start > end:
                break
            end = max(end, span.end)
        readings[key] = Reading(
            zone=first.zone,
            zone_name=first.zone_name,
            risk=first.risk,
            level=worst,
            valid_from=first.start,
            valid_to=end,
            issued_id=first.issued_id,
            link=first.link,
            detail=first.detail,
        )
    return readings
