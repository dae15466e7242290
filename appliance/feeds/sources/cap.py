"""A generic CAP 1.2 reader: Alert, Update and Cancel messages for the town's area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.etree.ElementTree import Element

from appliance.core.config import Config
from appliance.feeds.fetch import FeedFormatError, Fetcher, parse_xml
from appliance.feeds.levels import Level, Span
from appliance.feeds.sources import ATTRIBUTIONS, AlertSource, Polled, check_url
from appliance.feeds.sources.published import cap_documents
from appliance.feeds.words import TZ
from appliance.feeds.zones import TownZone

NS = "{urn:oasis:names:tc:emergency:cap:1.2}"
# A CAP message without <expires> is taken to hold for a day, so it cannot stay active forever.
DEFAULT_VALIDITY = timedelta(hours=24)
SEVERITY = {
    "Minor": Level.GREEN,
    "Moderate": Level.YELLOW,
    "Severe": Level.ORANGE,
    "Extreme": Level.RED,
}
COLOURS = {"green": Level.GREEN, "yellow": Level.YELLOW, "orange": Level.ORANGE, "red": Level.RED}
# MeteoAlarm awareness_type numbers → our risk ids.
AWARENESS_TYPES = {
    "1": "wind",
    "2": "snow",
    "3": "thunderstorm",
    "4": "fog",
    "5": "high_temperature",
    "6": "low_temperature",
    "8": "forest_fire",
    "9": "avalanche",
    "10": "rain",
    "12": "flood",
    "13": "flood",
}
EVENT_WORDS = (
    ("tempor", "thunderstorm"),
    ("thunder", "thunderstorm"),
    ("idrogeolog", "hydrogeological"),
    ("landslide", "hydrogeological"),
    ("idraulic", "hydraulic"),
    ("vento", "wind"),
    ("wind", "wind"),
    ("valang", "avalanche"),
    ("avalanche", "avalanche"),
    ("incend", "forest_fire"),
    ("fire", "forest_fire"),
    ("neve", "snow"),
    ("snow", "snow"),
    ("pioggia", "rain"),
    ("rain", "rain"),
)


@dataclass(frozen=True)
class CapMessage:
    """The parts of one ``<alert>`` that decide what it means for the town."""

    triple: str  # "sender,identifier,sent", the form <references> uses
    status: str
    msg_type: str
    sent: datetime
    references: tuple[str, ...]
    infos: tuple[Element, ...]
    url: str


class CapSource(AlertSource):
    """Polls CAP documents; keeps the active alerts, replaced by Update, withdrawn by Cancel."""

    name = "cap"
    attribution = ATTRIBUTIONS["cap"]
    link = ""
    horizon = timedelta(hours=72)

    def __init__(self, fetcher: Fetcher, urls: list[str], zone: TownZone) -> None:
        self.fetcher, self.urls, self.zone = fetcher, urls, zone
        self._active: dict[str, CapMessage] = {}

    @classmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> CapSource:
        """From ``[feeds] cap_urls`` and the town's zone."""
        urls = [check_url(u, "[feeds] cap_urls") for u in config.feeds.cap_urls]
        return cls(fetcher, urls, TownZone.from_config(config))

    async def poll(self, now: datetime) -> Polled:
        """Spans of the active alerts, plus one cancel marker per Cancel received."""
        messages = []
        for url in self.urls:
            for body, where in await cap_documents(self.fetcher, url, self._is_ours):
                messages.append(parse_cap(body, where))
        cancels: list[Span] = []
        for message in sorted(messages, key=lambda m: m.sent):
            if message.status != "Actual" or message.msg_type not in ("Alert", "Update", "Cancel"):
                continue
            for ref in message.references:
                self._active.pop(ref, None)
            if message.msg_type == "Cancel":
                cancels.append(
                    Span(
                        "",
                        "",
                        "",
                        Level.GREEN,
                        now,
                        now,
                        message.triple,
                        message.url,
                        cancels=message.references,
                    )
                )
            else:
                self._active[message.triple] = message
        spans: list[Span] = []
        for triple, message in list(self._active.items()):
            found = self._spans(message, now)
            if not found:  # expired, or not about our area: nothing left to track
                del self._active[triple]
            spans += found
        return Polled(spans + cancels)

    def _spans(self, message: CapMessage, now: datetime) -> list[Span]:
        """One span per info block about our area that is neither expired nor levelless."""
        spans = []
        # Blocks in other languages translate the Italian ones: counting them too would
        # report one alert twice.
        italian = [i for i in message.infos if _text(i, "language").lower().startswith("it")]
        for info in italian or message.infos:
            start = _time(info, "onset") or _time(info, "effective") or message.sent
            end = _time(info, "expires") or message.sent + DEFAULT_VALIDITY
            level = _level(info)
            area = self._area(info)
            if end <= now or level is None or area is None:
                continue
            spans.append(
                Span(
                    zone=area[0],
                    zone_name=area[1],
                    risk=_risk(info),
                    level=level,
                    start=start,
                    end=end,
                    issued_id=message.triple,
                    link=_text(info, "web") or message.url,
                    detail={
                        "headline": _text(info, "headline"),
                        "event": _text(info, "event"),
                        "severity": _text(info, "severity"),
                        "language": _text(info, "language"),
                        "msgType": message.msg_type,
                        "triple": message.triple,
                    },
                )
            )
        return spans

    # MeteoAlarm speaks for whole regions; only that source may take the region as ours.
    region_wide = False

    def _zone_of(self, codes: list[str], desc: str) -> str | None:
        """Our zone code for an area that is our zone, "" for our whole region (MeteoAlarm)."""
        if any(self.zone.matches_code(c) for c in codes) or self.zone.matches_name(desc):
            return self.zone.regional
        if self.region_wide and (
            any(self.zone.matches_region(c, "") for c in codes)
            or self.zone.matches_region("", desc)
        ):
            return ""
        return None

    def _is_ours(self, codes: list[str], desc: str) -> bool:
        return self._zone_of(codes, desc) is not None

    def _area(self, info: Element) -> tuple[str, str] | None:
        """(zone code, areaDesc) of the first area that is ours by geocode or exact name."""
        for area in info.findall(f"{NS}area"):
            desc = _text(area, "areaDesc")
            zone = self._zone_of([_text(g, "value") for g in area.findall(f"{NS}geocode")], desc)
            if zone is not None:
                return zone, desc
        return None


def _text(element: Element, tag: str) -> str:
    child = element.find(f"{NS}{tag}")
    return (child.text or "").strip() if child is not None else ""


def _parse_time(text: str) -> datetime:
    """CAP date-times; real feeds put a space for the T or omit the offset (then Rome's)."""
    value = datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def _time(info: Element, tag: str) -> datetime | None:
    text = _text(info, tag)
    if not text:
        return None
    try:
        return _parse_time(text)
    except ValueError as err:
        raise FeedFormatError(f"CAP: <{tag}> {text!r} is not a date-time") from err


def _parameters(info: Element) -> dict[str, str]:
    return {_text(p, "valueName"): _text(p, "value") for p in info.findall(f"{NS}parameter")}


def _level(info: Element) -> Level | None:
    """From MeteoAlarm's awareness_level colour when present, else from the severity."""
    awareness = _parameters(info).get("awareness_level", "")
    for part in awareness.split(";"):
        if part.strip().lower() in COLOURS:
            return COLOURS[part.strip().lower()]
    return SEVERITY.get(_text(info, "severity"))


def _risk(info: Element) -> str:
    kind = _parameters(info).get("awareness_type", "").split(";")[0].strip()
    if kind in AWARENESS_TYPES:
        return AWARENESS_TYPES[kind]
    event = _text(info, "event")
    for word, risk in EVENT_WORDS:
        if word in event.casefold():
            return risk
    return event or "altro"


def _references(text: str) -> tuple[str, ...]:
    """Space-separated ``sender,identifier,sent`` triples, tolerating a space inside ``sent``."""
    triples: list[str] = []
    for token in text.split():
        if token.count(",") >= 2 or not triples:
            triples.append(token)
        else:
            triples[-1] += " " + token
    return tuple(triples)


def parse_cap(body: bytes, url: str) -> CapMessage:
    """One CAP 1.2 ``<alert>``; a missing required element makes it malformed."""
    root = parse_xml(body, f"CAP {url}")
    if root.tag != f"{NS}alert":
        raise FeedFormatError(f"CAP {url}: root is {root.tag}, not a CAP 1.2 <alert>")
    required: dict[str, Any] = {
        tag: _text(root, tag)
        for tag in ("identifier", "sender", "sent", "status", "msgType", "scope")
    }
    missing = [tag for tag, value in required.items() if not value]
    if missing:
        raise FeedFormatError(f"CAP {url}: missing {', '.join(missing)}")
    try:
        sent = _parse_time(required["sent"])
    except ValueError as err:
        raise FeedFormatError(f"CAP {url}: <sent> is not a date-time") from err
    infos = root.findall(f"{NS}info")
    return CapMessage(
        triple=f"{required['sender']},{required['identifier']},{required['sent']}",
        status=required["status"],
        msg_type=required["msgType"],
        sent=sent,
        references=_references(_text(root, "references")),
        infos=tuple(infos),
        url=url,
    )
