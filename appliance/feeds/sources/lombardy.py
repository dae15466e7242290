"""allertaLOM (Regione Lombardia): hourly levels per homogeneous zone, undocumented XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.core.config import Config, ConfigError
from appliance.feeds.fetch import (
    DEFAULT_DEADLINE,
    FeedError,
    FeedFormatError,
    Fetcher,
    NoZoneData,
    parse_xml,
)
from appliance.feeds.levels import Level, Span
from appliance.feeds.sources import ATTRIBUTIONS, AlertSource, Polled, check_url
from appliance.feeds.zones import TownZone

# cdTipologiaGis → our risk id.
RISK_TYPES = {
    "1": "avalanche",
    "2": "snow",
    "3": "forest_fire",
    "7": "thunderstorm",
    "8": "wind",
    "9": "hydrogeological",
    "10": "hydraulic",
}
NO_FORECAST = -1
HOUR = timedelta(hours=1)
# Below this, dtPrevisione is in seconds (milliseconds reach it in 1973).
SECONDS_LIMIT = 10**11


class LombardySource(AlertSource):
    """One request per risk type for the comune's ISTAT code; each type stands alone."""

    name = "lombardy"
    attribution = ATTRIBUTIONS["lombardy"]
    link = "https://www.allertalom.regione.lombardia.it/allerta"
    horizon = timedelta(hours=36)
    deadline = DEFAULT_DEADLINE  # seconds per risk list, so one slow list cannot hold the rest

    def __init__(self, fetcher: Fetcher, url: str, risk_types: list[str], zone: TownZone) -> None:
        self.fetcher, self.url, self.risk_types, self.zone = fetcher, url, risk_types, zone

    @classmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> LombardySource:
        """From ``[feeds] lombardy_url``, ``lombardy_risks`` and the town's codes."""
        feeds = config.feeds
        unknown = [t for t in feeds.lombardy_risks if t not in RISK_TYPES]
        if unknown:
            raise ConfigError(
                [f"[feeds] lombardy_risks: unknown {unknown}; known types {sorted(RISK_TYPES)}"]
            )
        return cls(
            fetcher,
            check_url(feeds.lombardy_url, "[feeds] lombardy_url"),
            feeds.lombardy_risks,
            TownZone.from_config(config),
        )

    async def poll(self, now: datetime) -> Polled:
        """Every hourly level of every configured risk type; one failing type spoils no other."""
        polled = Polled(risks=tuple(RISK_TYPES[t] for t in self.risk_types))
        for type_id in self.risk_types:
            risk = RISK_TYPES[type_id]
            params = {"cdTipologiaGis": type_id, "cdIstatComune": self.zone.istat}
            try:
                body = await self.fetcher.get(self.url, params, deadline=self.deadline)
                polled.spans += parse_lombardy(body or b"", risk, self.zone, self.link)
            except FeedError as err:
                polled.failed[risk] = err
        return polled


def _moment(value: str) -> datetime:
    """``dtPrevisione``: epoch milliseconds as published; a value in seconds is read as such."""
    number = int(value)
    return datetime.fromtimestamp(number / 1000 if abs(number) >= SECONDS_LIMIT else number, UTC)


def parse_lombardy(body: bytes, risk: str, zone: TownZone, link: str) -> list[Span]:
    """Our zone's spans in one ``<List>``; -1 hours are dropped, a malformed item rejects all."""
    root = parse_xml(body, "allertaLOM")
    if root.tag != "List":
        raise FeedFormatError(f"allertaLOM: root element is <{root.tag}>, expected <List>")
    items = []
    for index, item in enumerate(root.findall("item"), 1):
        fields = {child.tag: (child.text or "").strip() for child in item}
        try:
            code = fields["codiceZonaOmogenea"]
            start = _moment(fields["dtPrevisione"])
            level = int(fields["cdLivello"])
        except (KeyError, ValueError, OverflowError, OSError) as err:
            raise FeedFormatError(f"allertaLOM: item {index} is incomplete or malformed") from err
        if not code or level not in (NO_FORECAST, *Level):
            raise FeedFormatError(f"allertaLOM: item {index} has an unknown zone or level")
        items.append((code, fields, start, level))
    ours = [item for item in items if zone.matches_code(item[0])]
    if not ours:
        others = sorted({code for code, *_ in items})
        listed = f"only {', '.join(others)}" if others else "an empty list"
        raise NoZoneData(f"allertaLOM: no item for zone {zone.regional} ({listed})")
    spans = [
        Span(
            zone=zone.regional,
            zone_name=fields.get("nomeZonaOmogenea", "") or zone.name,
            risk=risk,
            level=Level(level),
            start=start,
            end=start + HOUR,
            issued_id="",
            link=link,
            detail={"livello": fields.get("livello", ""), "dtPrevisione": fields["dtPrevisione"]},
        )
        for code, fields, start, level in ours
        if level != NO_FORECAST
    ]
    if not spans:
        raise NoZoneData(f"allertaLOM: zone {zone.regional} has no forecast (all hours -1)")
    return spans
