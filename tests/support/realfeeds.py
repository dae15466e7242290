"""The real published files (tests/fixtures/feeds) and the variations the tests make of them."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REAL = Path(__file__).parents[1] / "fixtures" / "feeds"
LOMBARDY_SAMPLE = "allertalom/lista-zone_IM-09_2026-07-16_trimmed-third-party.xml"
LEVEL_WORDS = {
    -1: "Nessuna Previsione",
    0: "Codice VERDE",
    1: "Codice GIALLO",
    2: "Codice ARANCIONE",
    3: "Codice ROSSO",
}


def real(path: str) -> bytes:
    """The bytes of one real file."""
    return (REAL / path).read_bytes()


def lombardy_list(
    start: datetime,
    levels: list[int],
    zone: tuple[str, str] = ("IM-06", "Orobie bergamasche"),
    seconds: bool = False,
) -> bytes:
    """The real IM-09 sample's items, relabelled to ``zone``, hourly from ``start`` at ``levels``."""
    sample = real(LOMBARDY_SAMPLE).decode()
    item = re.search(r"<item>.*?</item>", sample).group(0)
    first = int(start.timestamp()) * (1 if seconds else 1000)
    step = 3600 if seconds else 3_600_000
    items = []
    for hour, level in enumerate(levels):
        text = item.replace("Nodo Idraulico di Milano", zone[1]).replace("IM-09", zone[0])
        text = re.sub(r"<dtPrevisione>\d+", f"<dtPrevisione>{first + hour * step}", text)
        text = re.sub(r"<cdLivello>-?\d+", f"<cdLivello>{level}", text)
        text = re.sub(r"<livello>[^<]*", f"<livello>{LEVEL_WORDS[level]}", text)
        items.append(text)
    return ("<List>\n" + "\n".join(items) + "\n</List>\n").encode()


def dpc_day(path: str, zone: str = "Orobie bergamasche", **risks: str) -> bytes:
    """A real trimmed DPC day file with ``zone``'s per-risk values replaced (field: value)."""
    data: dict[str, Any] = json.loads(real(path))
    for feature in data["features"]:
        if feature["properties"]["Nome zona"] == zone:
            feature["properties"].update(risks)
    return json.dumps(data, ensure_ascii=False).encode()


def shifted(text: str, delta: timedelta, pattern: str = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d") -> str:
    """Every ISO date-time in ``text`` moved by ``delta`` (offsets kept)."""

    def move(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match.group(0)) + delta
        return moment.strftime("%Y-%m-%dT%H:%M:%S")

    return re.sub(pattern, move, text)
