"""The daily messaging limit: the pre-flight check, spreading over days, emergencies flagged."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from appliance.box.armed import ArmedMessage
from appliance.box.launcher import LAUNCHER, EmergencyRequest
from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def test_a_campaign_over_the_limit_is_refused_unless_spread(make_engine):
    engine = make_engine(campaigns={"messaging_tier": 10})
    engine.seed(15)
    campaign = engine.create(template_campaign())
    with engine.api("viewer") as viewer:
        check = viewer.get(f"/campaigns/{campaign}/preflight").json()
    assert check == {
        "recipients": 15,
        "template_recipients": 15,
        "limit": 10,
        "used_24h": 0,
        "available": 10,
        "exceeds": True,
        "days": 2,
    }
    refused = engine.act(campaign, "send")
    assert refused.status_code == 409 and "spread" in refused.json()["error"]["message"]
    assert engine.act(campaign, "send", {"spread": True}).json()["status"] == "sending"
    wait_until(lambda: len(engine.accepted()) == 10)
    described = wait_until(
        lambda: (d := engine.show(campaign))["counts"]["queued"] == 5 and engine.answered() and d,
        what="today's share answered, tomorrow's share waiting",
    )
    assert len(engine.accepted()) == 10 and described["status"] == "sending"
    assert engine.health("messaging_limit").status == "warn"
    waiting = engine.sql("SELECT min(not_before) FROM outbox WHERE state = 'queued'")[0][0]
    assert waiting > time.time() + 23 * 3600


def test_the_limit_read_from_meta_is_never_exceeded(make_engine):
    engine = make_engine(sim={"tier": 10})  # the simulator enforces it and reports TIER_10
    engine.seed(12)
    assert not engine.dispatcher.tier.known  # an idle appliance asks Meta nothing
    campaign = engine.create(template_campaign())
    with engine.api("viewer") as viewer:
        assert viewer.get(f"/campaigns/{campaign}/preflight").json()["limit"] == 10
    engine.act(campaign, "send", {"spread": True})
    wait_until(lambda: len(engine.accepted()) == 10)
    counts = wait_until(
        lambda: (c := engine.show(campaign)["counts"])["queued"] <= 2 and engine.answered() and c,
        what="the ten answered",
    )
    assert counts["failed"] == 0 and counts["queued"] == 2


def test_an_emergency_larger_than_the_quota_is_flagged(make_engine):
    engine = make_engine(campaigns={"messaging_tier": 5})
    engine.seed(8)
    # Before anyone presses: the audience is larger than what is left of the limit.
    before = engine.health("messaging_limit")
    assert before.status == "warn"
    assert "raggiungerebbe fino a 8 iscritti" in before.explanation
    assert "ne consente ancora 5" in before.explanation
    now = datetime.now(UTC)
    armed = ArmedMessage("emergenza", "it", ("Evacuare",), "", False, "admin", now.isoformat())
    request = EmergencyRequest(1, armed, (), now, now + timedelta(hours=6))
    engine.app.call(engine.app.appliance.parts[LAUNCHER].launch(request))
    check = engine.health("messaging_limit")
    assert check.status == "warn" and "emergenza" in check.explanation.lower()
    wait_until(lambda: len(engine.accepted()) == 5)


def test_an_audience_within_the_quota_is_not_flagged(make_engine):
    engine = make_engine(campaigns={"messaging_tier": 10})
    engine.seed(8)
    assert engine.health("messaging_limit").status == "ok"
