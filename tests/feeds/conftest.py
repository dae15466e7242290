"""Fixtures for the feeds tests: the fake publishers and an appliance pointed at them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.support.appliance import RunningAppliance
from tests.support.fakefeeds import FakeFeeds
from tests.support.feeds import feeds_config, start_on_feeds


@pytest.fixture
def fake() -> Iterator[FakeFeeds]:
    """The fake publishers on a free loopback port."""
    server = FakeFeeds().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def appliance_factory(tmp_path, fake):
    """Start appliances on the fake feeds; every one is stopped after the test."""
    started: list[RunningAppliance] = []

    def make(now: datetime, changes: list | None = None, **feeds) -> RunningAppliance:
        running = start_on_feeds(feeds_config(tmp_path, fake, **feeds), now, changes)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()
