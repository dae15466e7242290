"""Alert sources: each turns one outside service into level spans for the town's zone."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from appliance.core.config import Config, ConfigError, is_loopback_host
from appliance.feeds.fetch import FeedError, Fetcher
from appliance.feeds.levels import Span

# Credit lines shown to citizens next to each source's data.
ATTRIBUTIONS = {
    "lombardy": "Fonte: Regione Lombardia – Protezione Civile (allertaLOM)",
    "dpc": "Fonte: Dipartimento della Protezione Civile (CC BY 4.0)",
    "cap": "Fonte: avviso ufficiale in formato CAP",
    "meteoalarm": "Fonte: MeteoAlarm (Aeronautica Militare), avviso meteo per tutta la regione: "
    "non è l'allerta ufficiale di protezione civile",
}


@dataclass
class Polled:
    """What one poll read: the spans, and the risks it could not read (each stands alone)."""

    spans: list[Span] = field(default_factory=list)
    risks: tuple[str, ...] = ()  # the risks polled one by one; empty: the source as a whole
    failed: dict[str, FeedError] = field(default_factory=dict)


class AlertSource(ABC):
    """A pluggable alert feed: ``poll`` returns every span it states, or raises FeedError."""

    name: str  # stable id stored with the state, e.g. "lombardy"
    attribution: str  # credit line shown to citizens next to its data
    link: str  # official page a citizen can open
    horizon: timedelta  # how far ahead a level counts as current

    @classmethod
    @abstractmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> AlertSource:
        """Build from the settings; raise ConfigError when they cannot work."""

    @abstractmethod
    async def poll(self, now: datetime) -> Polled:
        """Fetch and parse; raise FeedError when nothing could be read, else name failed risks."""

    def interval(self, now: datetime, base_seconds: float) -> float:
        """Seconds until the next poll; sources with a publishing rhythm override it."""
        return base_seconds


def check_url(text: str, what: str) -> str:
    """An http(s) URL that is HTTPS unless it points at loopback, else ConfigError."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError([f"{what}: {text!r} is not an http(s) URL"])
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError([f"{what}: {text!r} must use https:// (plain http only for loopback)"])
    return text


def build_sources(config: Config, fetcher: Fetcher) -> list[AlertSource]:
    """The sources named in ``[feeds] alert_sources``, in that order of authority."""
    from appliance.feeds.sources.cap import CapSource
    from appliance.feeds.sources.dpc import DpcSource
    from appliance.feeds.sources.lombardy import LombardySource
    from appliance.feeds.sources.meteoalarm import MeteoAlarmSource

    factories = {
        "lombardy": LombardySource,
        "dpc": DpcSource,
        "cap": CapSource,
        "meteoalarm": MeteoAlarmSource,
    }
    names = config.feeds.alert_sources
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise ConfigError(
            [f"[feeds] alert_sources: unknown {unknown}; choose from {sorted(factories)}"]
        )
    return [factories[name].from_config(config, fetcher) for name in dict.fromkeys(names)]
