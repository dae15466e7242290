"""One level change for the town's zone: its wording for citizens and its stored form."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from appliance.feeds import words
from appliance.feeds.levels import Level, risk_label
from appliance.feeds.sources import ATTRIBUTIONS
from appliance.feeds.state import when

_KINDS = {
    "it": {
        "new": "Nuova allerta",
        "worse": "Allerta in aumento",
        "better": "Allerta in diminuzione",
        "ended": "Fine allerta",
    },
    "en": {
        "new": "New alert",
        "worse": "Alert raised",
        "better": "Alert lowered",
        "ended": "Alert over",
    },
}
_ZONE = {"it": "Zona {zone}", "en": "Zone {zone}"}


@dataclass(frozen=True)
class AlertChange:
    """One level change for the town: what the broadcast engine turns into a campaign."""

    key: str  # unique forever: a retry or a restart never produces the same change twice
    source: str
    zone: str
    zone_name: str
    risk: str
    old_level: Level | None  # None: the first level this source ever gave for the risk
    new_level: Level
    valid_from: datetime
    valid_to: datetime  # also the campaign's natural expiry
    link: str
    issued_id: str
    detected_at: datetime
    lane: str  # "auto": send through the emergency lane; "approval": wait for staff
    status: str = "pending"
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def kind(self) -> str:
        """new, worse, better or ended."""
        if self.new_level == Level.GREEN:
            return "ended"
        if self.old_level is None or self.old_level == Level.GREEN:
            return "new"
        return "worse" if self.new_level > self.old_level else "better"

    def message(self, language: str) -> str:
        """The citizen-facing text of the change (a template parameter or free-form body)."""
        language = words.lang(language)
        zone = zone_label(self.zone, self.zone_name)
        head = f"{self.new_level.emoji} {_KINDS[language][self.kind]} – {risk_label(self.risk, language)}"
        body = self.new_level.label(language)
        if self.new_level > Level.GREEN:
            body += " " + words.period(self.valid_from, self.valid_to, language)
        credit = ATTRIBUTIONS.get(self.source, "")
        return (
            f"{head}: {body}.\n{_ZONE[language].format(zone=zone)}.\n{credit}\n{self.link}".strip()
        )


def zone_label(zone: str, zone_name: str) -> str:
    """``IM-06 Orobie bergamasche`` whether or not the source's name repeats the code."""
    if not zone or zone_name.startswith(zone):
        return zone_name or zone
    return f"{zone} {zone_name}".strip()


def change_from_row(row: sqlite3.Row) -> AlertChange:
    """An ``alert_events`` row as a change."""
    return AlertChange(
        key=row["key"],
        source=row["source"],
        zone=row["zone"],
        zone_name=row["zone_name"],
        risk=row["risk"],
        old_level=None if row["old_level"] is None else Level(row["old_level"]),
        new_level=Level(row["new_level"]),
        valid_from=when(row["valid_from"]),
        valid_to=when(row["valid_to"]),
        link=row["link"],
        issued_id=row["issued_id"],
        detected_at=when(row["detected_at"]),
        lane=row["lane"],
        status=row["status"],
        note=row["note"],
        detail=json.loads(row["detail"]),
    )
