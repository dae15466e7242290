"""An emergency that could not go out before its expiry is never sent late."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from appliance.box.armed import ArmedMessage
from appliance.box.launcher import LAUNCHER, EmergencyRequest
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def test_an_emergency_past_its_expiry_is_not_sent_after_the_outage(make_engine):
    engine = make_engine()
    engine.seed(5)
    engine.sim.control("faults", {"fail_status": 503, "fail_count": -1})
    now = datetime.now(UTC)
    armed = ArmedMessage("emergenza", "it", ("Evacuare",), "", False, "admin", now.isoformat())
    request = EmergencyRequest(1, armed, (), now, now + timedelta(seconds=2))
    engine.app.call(engine.app.appliance.parts[LAUNCHER].launch(request))
    time.sleep(3)  # the scenario: the outage outlasts the expiry (2 s)
    engine.sim.control("faults", method="DELETE")
    states = wait_until(
        lambda: (
            (
                s := dict(
                    engine.sql("SELECT state, count(*) FROM outbox WHERE lane = 0 GROUP BY state")
                )
            )
            and "queued" not in s
            and s
        )
    )
    assert states == {"expired": 5}
    wait_until(engine.answered, 5, what="the requests already out to land")
    assert engine.accepted() == []
