"""Fixtures every test module reuses: configs, a running appliance, and a leak guard."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import RunningAppliance, RunningSimulator, make_config

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meta"
CORPUS = FIXTURES / "webhooks"


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
