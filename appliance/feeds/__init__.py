"""Feeds: the town's forecast (menu option 1) and civil-protection alerts (option 2, campaigns)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance.core.capability import Capability
from appliance.core.services import Service
from appliance.feeds.alerts import ALERTS, AlertChange, AlertMonitor
from appliance.feeds.fetch import Fetcher
from appliance.feeds.forecast import FORECAST, Forecast
from appliance.feeds.poller import Poller
from appliance.feeds.probes import alerts_probe, weather_probe
from appliance.feeds.sources import build_sources

if TYPE_CHECKING:
    from appliance.core.context import Appliance

__all__ = ["AlertChange", "AlertMonitor", "Forecast", "setup"]


def setup(appliance: Appliance) -> None:
    """Register ``parts[FORECAST]``, ``parts[ALERTS]``, the pollers and the health probes."""
    fetcher = Fetcher()
    forecast = Forecast(appliance.config, appliance.db, fetcher)
    monitor = AlertMonitor(appliance.config, appliance.db, build_sources(appliance.config, fetcher))
    poller = Poller(monitor)

    async def start() -> None:
        await fetcher.start()
        await forecast.load()
        await monitor.load_status()
        await monitor.redeliver_pending()
        await poller.start()

    async def stop() -> None:
        await poller.stop()
        await fetcher.close()

    appliance.parts.provide(FORECAST, forecast)
    appliance.parts.provide(ALERTS, monitor)
    appliance.health.add("weather", weather_probe(forecast))
    appliance.health.add("alerts", alerts_probe(monitor))
    appliance.services.add(Service("feeds", start, stop))
    if appliance.lan is not None:
        from appliance.feeds import pages

        pages.register(appliance.lan)


CAPABILITY = Capability("feeds", setup)
