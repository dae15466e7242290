"""Recorded real feed answers served on the simulator's listener, so the demo works offline."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from quart import Quart, Response

from appliance.feeds.words import TZ

DATA = Path(__file__).resolve().parent / "data" / "feeds"
BULLETINS = {
    "green": "20260808_1357_today.trimmed.json",
    "yellow": "20260720_1510_today.trimmed.json",
    "orange": "20260720_1510_today.trimmed.json",  # the yellow one, thunderstorms raised
}
FORECAST = "berlin_daily_2025-04-15_timezone-auto.json"
ZONE = "Orobie bergamasche"
ORANGE = "Moderata / ALLERTA ARANCIONE"  # the bulletin's own wording for an orange zone


class SampleFeeds:
    """A DPC bulletin at a level the demo chooses, and an Open-Meteo reply dated today."""

    def __init__(self) -> None:
        self.level = "yellow"
        self.revision = 0  # each change names a new bulletin id, as a DPC revision does

    def install(self, app: Quart, base_url: str) -> dict[str, str]:
        """Add the routes to ``app`` (served at ``base_url``); the [feeds] settings that use them."""
        app.add_url_rule("/_demo/dpc/index", "demo_dpc_index", self._index)
        app.add_url_rule("/_demo/dpc/<name>.json", "demo_dpc_bulletin", self._bulletin)
        app.add_url_rule("/_demo/open-meteo", "demo_open_meteo", self._forecast)
        return {
            "dpc_index_url": f"{base_url}/_demo/dpc/index",
            "dpc_url": f"{base_url}/_demo/dpc/{{id}}_{{day}}.json",
            "dpc_zone": ZONE,
            "weather_url": f"{base_url}/_demo/open-meteo",
        }

    def set_level(self, level: str) -> None:
        """The next poll finds a new bulletin at ``level`` (green, yellow or orange)."""
        if level not in BULLETINS:
            raise ValueError(f"unknown level {level!r}")
        self.level = level
        self.revision += 1

    def bulletin_id(self) -> str:
        """Today's id; the minute counts the demo's revisions."""
        issued = datetime.now(TZ).replace(hour=14, minute=0) + timedelta(minutes=self.revision)
        return issued.strftime("%Y%m%d_%H%M")

    async def _index(self) -> Response:
        return Response(f"<p>Bollettino {self.bulletin_id()}</p>", content_type="text/html")

    async def _bulletin(self, name: str) -> Response:
        if not name.endswith("_today"):
            return Response("not found", status=404)  # the DPC source accepts a missing tomorrow
        data = json.loads((DATA / BULLETINS[self.level]).read_text(encoding="utf-8"))
        if self.level == "orange":
            for feature in data["features"]:
                props = feature["properties"]
                if props.get("Nome zona") == ZONE:
                    props["Per rischio temporali"] = ORANGE
        return _json(data)

    async def _forecast(self) -> Response:
        data = json.loads((DATA / FORECAST).read_text(encoding="utf-8"))
        today = datetime.now(TZ).date()
        data["daily"]["time"] = [
            (today + timedelta(days=i)).isoformat() for i in range(len(data["daily"]["time"]))
        ]
        return _json(data)


def _json(data: Any) -> Response:
    return Response(json.dumps(data), content_type="application/json")
