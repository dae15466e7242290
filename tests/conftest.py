"""Fixtures every test module reuses: configs, a running appliance, the simulator, the broadcast
engine and the studio, the browser, and a leak guard (helpers live in tests/support)."""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from appliance.cloudapi.events import Identity
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import CHROMIUM
from tests.support.citizen import Citizen, conversation_config, start_appliance
from tests.support.engine import Engine, start_engine
from tests.support.identity_town import Town
from tests.support.simulator import RunningSimulator
from tests.support.studio import Studio


@pytest.fixture
def config(tmp_path):
    """A valid config on free ports with a temporary database."""
    return make_config(tmp_path)


@pytest.fixture
def running(config) -> Iterator[RunningAppliance]:
    """The real appliance, both listeners up, stopped after the test."""
    app = RunningAppliance(config).start()
    try:
        yield app
    finally:
        app.stop()


_numbers = itertools.count(393330000001)  # citizens' numbers, unique in the session


@pytest.fixture(scope="module")
def shared_running(tmp_path_factory) -> Iterator[RunningAppliance]:
    """One real appliance for a module's cases that change nothing the others look at."""
    app = RunningAppliance(make_config(tmp_path_factory.mktemp("shared"))).start()
    try:
        yield app
    finally:
        app.stop()


# Threads that libraries keep for the whole process; everything else must end with its test.
_ALLOWED_THREAD_PREFIXES = ("asyncio_", "ThreadPoolExecutor", "Dummy-", "pydevd", "playwright")


@pytest.fixture(autouse=True)
def verify_cleanup() -> Iterator[None]:
    """Fail a test that leaves threads behind (aiosqlite, gpiozero, servers, simulators)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while True:
        leaked = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith(_ALLOWED_THREAD_PREFIXES)
        ]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not leaked, f"test left threads running: {[t.name for t in leaked]}"


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """The Cloud API simulator on a free port (test credentials), stopped after the test."""
    sim = RunningSimulator().start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def sim_appliance(tmp_path, simulator) -> Iterator[RunningAppliance]:
    """A running appliance whose client talks to ``simulator``, which posts webhooks back."""
    app = RunningAppliance(make_config(tmp_path, whatsapp={"api_base_url": simulator.url})).start()
    simulator.settings.webhook_url = app.public_url + "/webhook"
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def bot(tmp_path, simulator):
    """The running appliance talking to the simulator (the conversation's tests)."""
    app = start_appliance(conversation_config(tmp_path, simulator), simulator)
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def citizen(simulator, bot):
    """A new citizen writing to ``bot``."""
    return Citizen(simulator, str(next(_numbers)))


@pytest.fixture
def new_citizen(simulator, bot):
    """A factory of further citizens."""
    return lambda name="Luca Bianchi": Citizen(simulator, str(next(_numbers)), name)


@pytest.fixture
def make_engine(tmp_path) -> Iterator[Callable[..., Engine]]:
    """Build engines: simulator settings as ``sim``, appliance config sections as keywords."""
    started: list[Engine] = []

    def build(sim: dict[str, Any] | None = None, **sections: dict[str, Any]) -> Engine:
        started.append(start_engine(tmp_path, sim, **sections))
        return started[-1]

    yield build
    for engine in started:
        engine.stop()


@pytest.fixture
def engine(make_engine) -> Engine:
    """The default engine: 80 msg/s number, campaigns at 70, an unlimited tier."""
    return make_engine()


@pytest.fixture
def studio(make_engine) -> Studio:
    """An engine with the studio, staff accounts and the simulator's templates synced."""
    s = Studio(make_engine())
    s.sync_templates()
    return s


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, no sandbox, no calls out, appliance.test -> loopback."""
    return {**browser_type_launch_args, **CHROMIUM}


@pytest.fixture(scope="session")
def axe() -> Axe:
    """axe-core, shipped inside axe-playwright-python."""
    return Axe()


def pytest_unconfigure(config):
    """A leaked non-daemon thread (aiosqlite's) would hang CI at exit: report it and leave."""
    stuck = [t for t in threading.enumerate() if not t.daemon and t is not threading.main_thread()]
    if stuck:
        sys.stderr.write(f"\nnon-daemon threads still running at exit: {[t.name for t in stuck]}\n")
        sys.stderr.flush()
        sys.stdout.flush()
        os._exit(1)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps a loop running that async tests trip on."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker("e2e") is not None
            or "page" in getattr(item, "fixturenames", ())
        )
    )


@pytest.fixture
def town(bot, simulator):
    """The bot over the simulator, and a neighbour who stays subscribed."""
    t = Town(bot, simulator)
    t.subscribe(Identity(wa_id="393470000999"))
    return t
