"""MeteoAlarm (Aeronautica Militare for Italy): region-wide weather warnings, not official alerts."""

from __future__ import annotations

from appliance.core.config import Config
from appliance.feeds.fetch import Fetcher
from appliance.feeds.sources import ATTRIBUTIONS, check_url
from appliance.feeds.sources.cap import CapSource
from appliance.feeds.zones import TownZone


class MeteoAlarmSource(CapSource):
    """The Italian Atom feed, its entries for our region followed to their CAP documents."""

    name = "meteoalarm"
    attribution = ATTRIBUTIONS["meteoalarm"]
    link = "https://meteoalarm.org/it/live/region/IT"
    # Its areas are whole regions: Lombardy's warnings are about the town too.
    region_wide = True

    @classmethod
    def from_config(cls, config: Config, fetcher: Fetcher) -> MeteoAlarmSource:
        """From ``[feeds] meteoalarm_url`` and the town's zone."""
        url = check_url(config.feeds.meteoalarm_url, "[feeds] meteoalarm_url")
        return cls(fetcher, [url], TownZone.from_config(config))
