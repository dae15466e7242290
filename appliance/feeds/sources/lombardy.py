"""allertaLOM (Regione Lombardia): hourly levels per homogeneous zone, undocumented XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.core.config import Config, ConfigError
from appliance.feeds.fetch import FeedFormatError, Fetcher, parse_xml
from appliance.feeds.levels import Level, Span
from appliance.feeds.sources import ATTRIBUTIONS, AlertSource, check_url

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


class LombardySource(AlertSource):
    """One request per risk type for the comune's ISTAT code; all must succeed."""

    name = "lombardy"
    attribution = ATTRIBUTIONS["lombardy"]
    link = "https://www.allertalom.regione.lombardia.it/allerta"
    horizon = timedelta(hours=36)

    def __init__(
        self, fetcher: Fetcher, url: str, risk_types: list[str], istat_code: str, zone: str
    ) -> None:
        self.fetcher, self.url, self.risk_types = fetcher, url, risk_types
        self.istat_code, self.zone = istat_code, zone

    @classmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> LombardySource:
        """From ``[feeds] lombardy_url``, ``lombardy_risks`` and the town's codes."""
        feeds, town = config.values["feeds"], config.values["town"]
        unknown = [t for t in feeds["lombardy_risks"] if t not in RISK_TYPES]
        if unknown:
            raise ConfigError(
                [f"[feeds] lombardy_risks: unknown {unknown}; known types {sorted(RISK_TYPES)}"]
            )
        return cls(
            fetcher,
            check_url(feeds["lombardy_url"], "[feeds] lombardy_url"),
            feeds["lombardy_risks"],
            town["istat_code"],
            town["alert_zone"],
        )

    async def poll(self, now: datetime) -> list[Span]:
        """Every hourly level of every configured risk type."""
        spans: list[Span] = []
        for type_id in self.risk_types:
            params = {"cdTipologiaGis": type_id, "cdIstatComune": self.istat_code}
            body = await self.fetcher.get(self.url, params)
            spans += parse_lombardy(body or b"", RISK_TYPES[type_id], self.zone, self.link)
        return spans


def parse_lombardy(body: bytes, risk: str, zone: str, link: str) -> list[Span]:
    """Spans of one ``<List>``; -1 hours are dropped, any malformed item rejects the whole list."""
    root = parse_xml(body, "allertaLOM")
    if root.tag != "List":
        raise FeedFormatError(f"allertaLOM: root element is <{root.tag}>, expected <List>")
    items = []
    for index, item in enumerate(root.findall("item"), 1):
        fields = {child.tag: (child.text or "").strip() for child in item}
        try:
            code = fields["codiceZonaOmogenea"]
            start = datetime.fromtimestamp(int(fields["dtPrevisione"]) / 1000, UTC)
            level = int(fields["cdLivello"])
        except (KeyError, ValueError, OverflowError, OSError) as err:
            raise FeedFormatError(f"allertaLOM: item {index} is incomplete or malformed") from err
        if not code or level not in (NO_FORECAST, *Level):
            raise FeedFormatError(f"allertaLOM: item {index} has an unknown zone or level")
        items.append((code, fields, start, level))
    codes = {code for code, *_ in items}
    if zone in codes:
        chosen = zone
    elif len(codes) == 1:
        # The ISTAT query already narrowed the list to the comune's zone of this risk type.
        chosen = codes.pop()
    elif not codes:
        return []
    else:
        raise FeedFormatError(f"allertaLOM: several zones {sorted(codes)} and none is {zone}")
    return [
        Span(
            zone=code,
            zone_name=fields.get("nomeZonaOmogenea", ""),
            risk=risk,
            level=Level(level),
            start=start,
            end=start + HOUR,
            issued_id="",
            link=link,
            detail={"livello": fields.get("livello", ""), "dtPrevisione": fields["dtPrevisione"]},
        )
        for code, fields, start, level in items
        if code == chosen and level != NO_FORECAST
    ]
