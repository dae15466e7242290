"""Fixtures for the feeds tests: the fake publishers and an appliance pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from appliance.feeds.alerts import ALERTS
from appliance.feeds.forecast import FORECAST
from appliance.feeds.words import TZ
from tests.feeds.fakeserver import FakeFeeds
from tests.harness import RunningAppliance, make_config

# The moments the fixtures were written for (Rome time).
FORECAST_NOW = datetime(2026, 9, 14, 10, 0, tzinfo=TZ)
ALERTS_NOW = datetime(2026, 9, 15, 10, 0, tzinfo=TZ)


@pytest.fixture
def fake() -> Iterator[FakeFeeds]:
    server = FakeFeeds().start()
    try:
        yield server
    finally:
        server.stop()


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


def start(config, now: datetime, changes: list | None = None) -> RunningAppliance:
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


@pytest.fixture
def appliance_factory(tmp_path, fake):
    """Start appliances on the fake feeds; every one is stopped after the test."""
    started: list[RunningAppliance] = []

    def make(now: datetime, changes: list | None = None, **feeds) -> RunningAppliance:
        running = start(feeds_config(tmp_path, fake, **feeds), now, changes)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()
