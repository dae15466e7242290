"""National civil-protection criticality bulletins (DPC, GeoJSON, CC BY 4.0)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from appliance.core.config import Config, ConfigError
from appliance.feeds.fetch import FeedError, FeedFormatError, Fetcher
from appliance.feeds.levels import Level, Span
from appliance.feeds.sources import ATTRIBUTIONS, AlertSource, Polled, check_url
from appliance.feeds.words import TZ
from appliance.feeds.zones import name_key

BULLETIN_ID = re.compile(rb"(?<!\d)(\d{8}_\d{4})(?!\d)")
INDEX_MAX_BYTES = 2 * 1024 * 1024
# A bulletin with full polygons is about 5.5 MB.
BULLETIN_MAX_BYTES = 16 * 1024 * 1024
BULLETIN_DEADLINE = 60.0
RISK_FIELDS = {
    "Per rischio idrogeologico": "hydrogeological",
    "Per rischio idraulico": "hydraulic",
    "Per rischio temporali": "thunderstorm",
}
ALERT_WORDS = {
    "NESSUNA ALLERTA": Level.GREEN,
    "ALLERTA GIALLA": Level.YELLOW,
    "ALLERTA ARANCIONE": Level.ORANGE,
    "ALLERTA ROSSA": Level.RED,
}


class DpcSource(AlertSource):
    """Finds the latest bulletin id, then reads its today and tomorrow files once."""

    name = "dpc"
    attribution = ATTRIBUTIONS["dpc"]
    link = "https://mappe.protezionecivile.gov.it/it/mappe-rischi/bollettino-di-criticita/"
    horizon = timedelta(hours=48)

    def __init__(
        self, fetcher: Fetcher, index_url: str, url_template: str, town: str, zone_name: str
    ) -> None:
        self.fetcher, self.index_url, self.url_template = fetcher, index_url, url_template
        self.town, self.zone_name = town, zone_name
        self._bulletin = ""
        self._spans: list[Span] = []

    @classmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> DpcSource:
        """From ``[feeds] dpc_index_url``, ``dpc_url``, ``dpc_zone`` and the town's name."""
        feeds = config.feeds
        template = feeds.dpc_url
        if "{id}" not in template or "{day}" not in template:
            raise ConfigError(["[feeds] dpc_url: must contain {id} and {day}"])
        check_url(template.format(id="20260101_1600", day="today"), "[feeds] dpc_url")
        return cls(
            fetcher,
            check_url(feeds.dpc_index_url, "[feeds] dpc_index_url"),
            template,
            config.town.name,
            feeds.dpc_zone,
        )

    def interval(self, now: datetime, base_seconds: float) -> float:
        """Bulletins come out from about 14:00 and are revised until midnight; hourly otherwise."""
        return base_seconds if now.astimezone(TZ).hour >= 14 else max(base_seconds, 3600.0)

    async def poll(self, now: datetime) -> Polled:
        """The latest bulletin's spans; refetched only when the bulletin id changes."""
        index = await self.fetcher.get(self.index_url, max_bytes=INDEX_MAX_BYTES) or b""
        bulletin = latest_bulletin(index)
        if bulletin == self._bulletin:
            return Polled(list(self._spans))
        spans: list[Span] = []
        issued = datetime.strptime(bulletin, "%Y%m%d_%H%M").replace(tzinfo=TZ)
        found = 0
        for offset, day in enumerate(("today", "tomorrow")):
            # A late regional revision may come without one of its two files.
            data = await self.fetcher.get_json(
                self.url_template.format(id=bulletin, day=day),
                max_bytes=BULLETIN_MAX_BYTES,
                deadline=BULLETIN_DEADLINE,
                accept_404=True,
            )
            date_ = issued.date() + timedelta(days=offset)
            if data is not None:
                found += 1
                spans += parse_dpc(data, date_, bulletin, self.town, self.zone_name, issued)
            else:  # keep what the previous bulletin said about that day
                spans += [s for s in self._spans if s.start.astimezone(TZ).date() == date_]
        if not found:
            raise FeedError(f"DPC: bulletin {bulletin} has neither a today nor a tomorrow file")
        self._bulletin, self._spans = bulletin, spans
        return Polled(list(spans))


def latest_bulletin(index: bytes) -> str:
    """The newest ``YYYYMMDD_HHMM`` id named on a page or listing."""
    found = []
    for raw in BULLETIN_ID.findall(index):
        text = raw.decode()
        try:
            datetime.strptime(text, "%Y%m%d_%H%M")
        except ValueError:
            continue
        found.append(text)
    if not found:
        raise FeedFormatError("DPC: no bulletin id found in the index")
    return max(found)


def _find_zone(features: list[Any], town: str, zone_name: str) -> dict[str, Any]:
    matches = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise FeedFormatError("DPC: a feature has no properties")
        if zone_name:
            if name_key(str(props.get("Nome zona", ""))) == name_key(zone_name):
                matches.append(props)
            continue
        comuni = props.get("Comuni", [])
        names = comuni.split(",") if isinstance(comuni, str) else comuni
        if isinstance(names, list) and name_key(town) in {name_key(str(n)) for n in names}:
            matches.append(props)
    if len(matches) != 1:
        wanted = f"zone {zone_name!r}" if zone_name else f"a zone listing {town!r}"
        problem = "not found" if not matches else "ambiguous (set [feeds] dpc_zone)"
        raise FeedFormatError(f"DPC: {wanted} {problem}")
    return matches[0]


def parse_dpc(
    data: Any,
    day: date,
    bulletin: str,
    town: str,
    zone_name: str = "",
    issued: datetime | None = None,
) -> list[Span]:
    """The town's zone in one day's FeatureCollection as one span per risk.

    A day's validity starts at midnight, or when the bulletin came out if that is later.
    """
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise FeedFormatError("DPC: bulletin is not a FeatureCollection")
    props = _find_zone(features, town, zone_name)
    zone = str(props.get("Nome zona", "")).strip()
    start = datetime.combine(day, time(0), TZ)
    if issued is not None:
        start = max(start, issued)
    spans = []
    for field, risk in RISK_FIELDS.items():
        value = props.get(field)
        word = str(value).rpartition("/")[2].strip().upper() if isinstance(value, str) else ""
        if word not in ALERT_WORDS:
            raise FeedFormatError(f"DPC: {zone}: {field!r} has an unknown value {value!r}")
        spans.append(
            Span(
                zone=zone,
                zone_name=zone,
                risk=risk,
                level=ALERT_WORDS[word],
                start=start,
                end=datetime.combine(day + timedelta(days=1), time(0), TZ),
                issued_id=bulletin,
                link=DpcSource.link,
                detail={"bollettino": bulletin, "giorno": day.isoformat(), field: value},
            )
        )
    return spans
