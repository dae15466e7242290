"""The background pollers: they poll by themselves, back off quietly and report on health."""

from __future__ import annotations

import logging
import time

import pytest

from appliance.feeds.poller import BACKOFF_MAX, BACKOFF_START, backoff_delay
from tests.support.alerts import health, monitor, serve_lombardy
from tests.support.feeds import ALERTS_NOW
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def test_pollers_poll_by_themselves_and_a_dead_source_backs_off_quietly(
    appliance_factory, fake, caplog
):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    caplog.set_level(logging.DEBUG, logger="appliance.feeds")
    running = appliance_factory(
        ALERTS_NOW,
        alerts_enabled=True,
        alert_sources=["lombardy", "dpc"],
        dpc_index_url="http://127.0.0.1:9/unreachable",
    )
    status = monitor(running).status
    wait_until(lambda: status["lombardy"].last_success and status["dpc"].failures)
    assert [e.new_level.name for e in running.call(monitor(running).changes())] == ["YELLOW"]
    check = health(running, "alerts")
    assert check.status == "warn"
    assert "allertaLOM: ok" in check.value and "DPC: errore" in check.value
    assert "127.0.0.1:9" in check.value
    # Back-off is at least half a minute: one failure, one warning line, nothing more (the
    # second is the assertion's window, not a wait for something to happen).
    time.sleep(1.0)
    assert status["dpc"].failures == 1
    warnings = [
        r for r in caplog.records if r.levelno >= logging.WARNING and "dpc" in r.getMessage()
    ]
    assert len(warnings) == 1


def test_every_source_down_is_an_error_on_health(appliance_factory, fake):
    running = appliance_factory(
        ALERTS_NOW,
        alerts_enabled=True,
        alert_sources=["lombardy"],
        lombardy_url="http://127.0.0.1:9/lista-zone",
    )
    wait_until(lambda: monitor(running).status["lombardy"].failures)
    check = health(running, "alerts")
    assert check.status == "error" and "allertaLOM" in check.explanation


def test_backoff_grows_and_is_capped():
    assert BACKOFF_START / 2 <= backoff_delay(1, 1200) <= BACKOFF_START
    assert backoff_delay(3, 1200) >= 2 * BACKOFF_START
    assert all(backoff_delay(n, 86400) <= BACKOFF_MAX for n in range(1, 40))
    assert all(backoff_delay(n, 1200) <= 1200 for n in range(1, 40))
