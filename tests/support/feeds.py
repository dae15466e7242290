"""An appliance whose feed URLs point at the fake publishers, its feed clocks set by the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance.feeds.alerts import ALERTS
from appliance.feeds.forecast import FORECAST
from appliance.feeds.words import TZ
from tests.support.appliance import RunningAppliance, make_config
from tests.support.fakefeeds import FIXTURES, FakeFeeds, Reply

# The moments the fixtures were written for (Rome time).
FORECAST_NOW = datetime(2026, 9, 14, 10, 0, tzinfo=TZ)
ALERTS_NOW = datetime(2026, 9, 15, 10, 0, tzinfo=TZ)


def feeds_config(tmp_path, fake: FakeFeeds, **feeds):
    """A config whose feed URLs all point at the fake server; pollers off unless asked."""
    values = {
        "weather_url": f"{fake.url}/v1/forecast",
        "lombardy_url": f"{fake.url}/lista-zone",
        "lombardy_risks": ["9", "7"],
        "dpc_index_url": f"{fake.url}/dpc/index.html",
        "dpc_url": f"{fake.url}/dpc/{{id}}_{{day}}.json",
        "cap_urls": [f"{fake.url}/cap/latest.xml"],
        "meteoalarm_url": f"{fake.url}/meteoalarm/atom-italy",
        "alert_sources": ["lombardy", "dpc", "cap"],
        "alerts_enabled": False,
        **feeds,
    }
    return make_config(tmp_path, feeds=values)


def start_on_feeds(config, now: datetime, changes: list | None = None) -> RunningAppliance:
    """Start the appliance with both feed clocks at ``now``; collect handed-on changes."""
    running = RunningAppliance(config)
    parts = running.appliance.parts
    parts[FORECAST].clock = lambda: now
    parts[ALERTS].clock = lambda: now
    if changes is not None:

        async def collect(change) -> None:
            changes.append(change)

        parts[ALERTS].subscribe(collect)
    return running.start()


def live_cap(fake: FakeFeeds) -> None:
    """A yellow CAP alert valid from an hour ago to six hours from now (real time)."""
    now = datetime.now(UTC)
    stamp = {
        "2026-09-14T15:30:00+02:00": now - timedelta(hours=2),
        "2026-09-15T12:00:00+02:00": now - timedelta(hours=1),
        "2026-09-16T00:00:00+02:00": now + timedelta(hours=6),
    }
    xml = (FIXTURES / "cap_alert.xml").read_text(encoding="utf-8")
    for old, new in stamp.items():
        xml = xml.replace(old, new.isoformat(timespec="seconds"))
    fake.routes["/cap/latest.xml"] = Reply(xml.encode())
