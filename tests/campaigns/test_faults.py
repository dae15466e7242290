"""Meta's answers through the simulator: throttling, pair limit, outages, permanent errors, token."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from appliance.cloudapi.client import CLOUDAPI
from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def _once_each(engine, people):
    assert Counter(m["to"] for m in engine.accepted()) == Counter(dict.fromkeys(people, 1))


def _prepared(engine) -> int:
    """A draft whose template and tier are already known, so faults hit the sends only."""
    engine.app.call(engine.app.appliance.parts[CLOUDAPI].list_templates())
    campaign = engine.create(template_campaign())
    with engine.api("viewer") as viewer:
        viewer.get(f"/campaigns/{campaign}/preflight").raise_for_status()
    return campaign


def test_a_130429_storm_slows_down_and_loses_nobody(make_engine):
    engine = make_engine(sim={"rate": 8.0})  # the number is far slower than configured
    people = engine.seed(60)
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    done = engine.wait_status(campaign, "done", timeout=60)
    assert engine.dispatcher.limiter.throttled > 0
    assert done["counts"]["failed"] == 0
    _once_each(engine, people)


def test_131056_retries_that_person_later_without_slowing_the_others(make_engine):
    # One message per citizen until the test moves the simulator's clock: the refusal of each
    # second part does not hang on how fast the first one's result is written.
    engine = make_engine(sim={"pair_burst": 1, "pair_refill_seconds": 3600.0})
    inside = engine.seed(3, window=True, topics=("notizie",))
    bystanders = engine.seed(20, first=100, topics=("eventi",))
    body = {
        "name": "Due parti",
        "audience": {"topics": ["notizie"]},
        "content": [{"type": "text", "text": "Primo"}, {"type": "text", "text": "Secondo"}],
    }
    campaign = engine.create(body)
    others = engine.create(template_campaign("Altri", audience={"topics": ["eventi"]}))
    engine.act(campaign, "send")
    engine.act(others, "send")
    refused = (
        "SELECT count(DISTINCT recipient) FROM outbox WHERE campaign_id = ? AND error_code = 131056"
    )
    wait_until(
        lambda: engine.sql(refused, (campaign,))[0][0] == 3,
        what="each citizen's second part refused with 131056",
    )
    engine.wait_status(others, "done")  # the others were not held up meanwhile
    engine.sim.control("clock", {"advance": 3600})  # the pair allowance has come back
    done = engine.wait_status(campaign, "done", timeout=60)
    assert done["counts"]["failed"] == 0 and done["counts"]["sent"] == 6
    for person in inside:
        assert [m["body"]["text"]["body"] for m in engine.accepted(person)] == [
            "Primo",
            "Secondo",
        ]
    assert all(len(engine.accepted(p)) == 1 for p in bystanders)


def test_5xx_and_refused_connections_are_retried_and_nothing_is_sent_twice(engine):
    people = engine.seed(300)
    campaign = _prepared(engine)
    engine.sim.control("faults", {"fail_status": 500, "fail_count": 5})
    engine.act(campaign, "send")
    wait_until(lambda: engine.show(campaign)["counts"]["sent"] >= 10, 30)
    engine.sim.control("faults", {"refuse_seconds": 1.5})
    done = engine.wait_status(campaign, "done", timeout=60)
    wait_until(engine.sim.listening, 5, what="the simulator to listen again")
    assert done["counts"]["failed"] == 0
    assert engine.sql("SELECT count(*) FROM outbox WHERE error_code = 1")[0][0] >= 1
    assert engine.dispatcher.limiter.factor == 1.0  # an outage is not a throughput problem
    _once_each(engine, people)


def test_a_timed_out_request_is_reconciled_by_its_status_not_resent(engine):
    people = engine.seed(6)
    campaign = _prepared(engine)
    engine.sim.control("faults", {"hang_seconds": 17.0, "hang_count": 2})  # client waits 15 s
    engine.act(campaign, "send")
    done = engine.wait_status(campaign, "done", timeout=90)
    assert engine.dispatcher.unknown_outcomes == 2
    assert done["counts"]["failed"] == 0
    _once_each(engine, people)  # the simulator accepted the hung ones after all


def test_131026_is_permanent_recorded_with_its_code_and_never_retried(make_engine):
    engine = make_engine(sim={"undeliverable_sync": True})
    inside = engine.seed(4, window=True)
    engine.sim.settings.undeliverable = [inside[0]]
    body = {
        "name": "Due parti",
        "content": [{"type": "text", "text": "Uno"}, {"type": "text", "text": "Due"}],
    }
    campaign = engine.create(body)
    engine.act(campaign, "send")
    done = engine.wait_status(campaign, "done")
    assert done["counts"]["failed_by_code"] == {"131026": 2}  # both parts, one request
    assert engine.sql(
        "SELECT attempts FROM outbox WHERE recipient = ? ORDER BY part", (inside[0],)
    ) == [(1,), (0,)]
    assert engine.accepted(inside[0]) == []
    assert all(len(engine.accepted(p)) == 2 for p in inside[1:])


def test_an_expired_token_pauses_every_lane_and_a_working_one_resumes(make_engine):
    engine = make_engine(campaigns={"lane_per_second": 10})
    people = engine.seed(40)
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    wait_until(lambda: len(engine.accepted()) >= 5)
    engine.sim.settings.token_expired = True
    check = wait_until(lambda: (c := engine.health("sending")).status == "error" and c, 20)
    assert "token" in check.explanation
    before = len(engine.accepted())
    time.sleep(1.5)
    assert len(engine.accepted()) == before  # nothing goes out meanwhile
    assert engine.show(campaign)["status"] == "sending"  # the campaign itself is not changed
    engine.sim.settings.token_expired = False  # the new token works
    done = engine.wait_status(campaign, "done", timeout=60)
    assert engine.health("sending").status == "ok"
    assert done["counts"]["failed"] == 0
    _once_each(engine, people)
