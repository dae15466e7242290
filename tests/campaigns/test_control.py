"""Staff control and the lanes: pause/resume/cancel, expiry, opt-outs, emergencies, replies."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from appliance.audience.suppression import SUPPRESSION
from appliance.box.armed import ArmedMessage
from appliance.box.launcher import LAUNCHER, EmergencyRequest
from appliance.campaigns.replies import REPLIES
from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

SLOW_LANE = {"campaigns": {"lane_per_second": 10}}


def _iso(seconds_from_now: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds_from_now)).isoformat()


def _count(engine) -> int:
    return len(engine.accepted())


def test_pause_resume_and_cancel_act_within_a_second(make_engine):
    engine = make_engine(**SLOW_LANE)
    engine.seed(200)
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    wait_until(lambda: _count(engine) >= 10)
    paused = engine.act(campaign, "pause")
    assert paused.json()["status"] == "paused"
    wait_until(engine.answered, 5, what="the requests already out to land")
    at_pause = _count(engine)
    time.sleep(1.5)  # the assertion: a paused campaign stays silent (the pump ticks far faster)
    assert _count(engine) == at_pause
    assert engine.act(campaign, "pause").status_code == 409
    assert engine.act(campaign, "resume").json()["status"] == "sending"
    wait_until(lambda: _count(engine) >= at_pause + 10)
    assert engine.act(campaign, "cancel").json()["status"] == "cancelled"
    wait_until(engine.answered, 5, what="the requests already out to land")
    at_cancel = _count(engine)
    time.sleep(1.5)  # the assertion: a cancelled campaign stays silent
    assert _count(engine) == at_cancel < 200
    counts = engine.show(campaign)["counts"]
    assert counts["cancelled"] == 200 - counts["sent"] and counts["queued"] == 0
    actions = engine.sql("SELECT action FROM audit_log WHERE action LIKE 'campaign.%' ORDER BY id")
    assert [a for (a,) in actions][-3:] == [
        "campaign.paused",
        "campaign.resumed",
        "campaign.cancelled",
    ]


def test_nothing_is_sent_after_expiry_even_mid_send(make_engine):
    engine = make_engine(**SLOW_LANE)
    engine.seed(100)
    campaign = engine.create(template_campaign(expires_at=_iso(3)))
    expires_at = engine.sql("SELECT expires_at FROM campaigns WHERE id = ?", (campaign,))[0][0]
    engine.act(campaign, "send")
    done = engine.wait_status(campaign, "expired", timeout=20)
    wait_until(engine.answered, 5, what="the requests already out to land")
    log = engine.accepted()
    assert 0 < len(log) < 100
    assert max(m["at"] for m in log) <= expires_at + 0.5  # a request already out may land
    assert done["counts"]["expired"] + done["counts"]["sent"] == 100


def test_a_campaign_past_its_expiry_is_never_sent_after_an_outage(make_engine):
    engine = make_engine()
    engine.seed(5)
    campaign = engine.create(template_campaign(send_at=_iso(3), expires_at=_iso(4)))
    assert engine.act(campaign, "send").json()["status"] == "scheduled"
    engine.app.call(engine.campaigns.stop())  # the scheduler is down through send_at and expiry
    time.sleep(4.5)  # the scenario: the outage outlasts send_at and the expiry
    engine.app.call(engine.campaigns.start())
    engine.wait_status(campaign, "expired")
    assert engine.accepted() == []


def test_opt_outs_and_erasures_mid_send_stop_at_once(make_engine):
    engine = make_engine(**SLOW_LANE)
    people = engine.seed(60)
    late = people[-3:]
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    wait_until(lambda: _count(engine) >= 5)
    engine.write("UPDATE subscribers SET status = 'unsubscribed' WHERE wa_id = ?", (late[0],))
    engine.write("UPDATE subscribers SET status = 'erased' WHERE wa_id = ?", (late[1],))
    suppression = engine.app.appliance.parts[SUPPRESSION]
    engine.app.call(suppression.record("unsubscribed", late[2], None))  # status not yet changed
    done = engine.wait_status(campaign, "done", timeout=30)
    assert all(engine.accepted(p) == [] for p in late)
    assert done["counts"]["skipped"] == 3 and done["counts"]["sent"] == 57


def test_stop_promotions_stops_marketing_only(engine):
    engine.seed(3)
    stopped = engine.seed(2, first=10, marketing_opt_out=True)
    # The template's category (MARKETING at Meta) decides, even if the campaign does not say so.
    marketing = engine.create({"name": "Festa", "template": {"name": "festa_paese"}})
    utility = engine.create(template_campaign())
    engine.act(marketing, "send")
    counts = engine.wait_status(marketing, "done")["counts"]
    assert (counts["sent"], counts["skipped"]) == (3, 2)
    assert all(m["endpoint"] == "marketing_messages" for m in engine.accepted())
    assert all(engine.accepted(p) == [] for p in stopped)
    engine.write("UPDATE subscribers SET marketing_opt_out = 1 WHERE id = 1")
    engine.act(utility, "send")
    engine.wait_status(utility, "done")
    assert all(len(engine.accepted(p)) == 1 for p in stopped)  # utility still reaches them


def _emergency(test_numbers=(), follow_up=""):
    now = datetime.now(UTC)
    armed = ArmedMessage(
        "emergenza",
        "it",
        ("Evacuare via Roma",),
        follow_up,
        bool(test_numbers),
        "admin",
        now.isoformat(),
    )
    return EmergencyRequest(1, armed, tuple(test_numbers), now, now + timedelta(hours=6))


def test_an_emergency_overtakes_a_running_campaign(make_engine):
    engine = make_engine(**SLOW_LANE)
    engine.seed(300, topics=("notizie",))
    everyone_else = engine.seed(20, first=1000, window=True)
    campaign = engine.create(template_campaign(audience={"topics": ["notizie"]}))
    engine.act(campaign, "send")
    wait_until(lambda: _count(engine) >= 10)
    launcher = engine.app.appliance.parts[LAUNCHER]
    started = time.time()
    result = engine.app.call(launcher.launch(_emergency(follow_up="Seguite la protezione civile")))
    assert result.recipients == 320
    outcome = engine.app.call(launcher.wait_finished(result.reference), timeout=60)
    assert (outcome.sent, outcome.failed) == (320, 0)  # people: the template to everyone
    assert time.time() - started < 20  # 340 messages at 80/s, not behind 290 campaign ones
    first = min(m["at"] for m in engine.accepted() if m["template"] == "emergenza")
    assert first - started < 2.0  # it overtakes at once (a second, with CPU to spare)
    assert engine.show(campaign)["status"] == "sending"
    for person in everyone_else:
        assert [m["type"] for m in engine.accepted(person)] == ["template", "text"]


def test_an_emergency_drill_goes_to_test_numbers_only(engine):
    engine.seed(10)
    launcher = engine.app.appliance.parts[LAUNCHER]
    result = engine.app.call(launcher.launch(_emergency(test_numbers=("+393470000001",))))
    assert result.recipients == 1
    outcome = engine.app.call(launcher.wait_finished(result.reference), timeout=30)
    assert (outcome.sent, outcome.failed, outcome.expired) == (1, 0, 0)
    assert [m["to"] for m in engine.accepted()] == ["393470000001"]


def test_a_citizens_reply_is_sent_promptly_during_a_campaign(make_engine):
    engine = make_engine(**SLOW_LANE)
    engine.seed(300)
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    wait_until(lambda: _count(engine) >= 10)
    engine.sim.simulator.state.set_window("393471112233", True)
    replies = engine.app.appliance.parts[REPLIES]
    started = time.time()
    engine.app.call(replies.send("393471112233", ("text", {"body": "Ciao!"})))
    wait_until(lambda: engine.accepted("393471112233"), 5)
    assert time.time() - started < 2.0
    row = engine.sql("SELECT state, lane FROM outbox WHERE recipient = '393471112233'")
    assert row[0][1] == 1 and engine.show(campaign)["status"] == "sending"


def test_inbound_messages_take_their_share_of_the_number(make_engine):
    engine = make_engine(
        sim={"rate": 20.0},
        whatsapp={"throughput_per_second": 20},
        campaigns={"lane_per_second": 20},
    )
    engine.seed(100)
    campaign = engine.create(template_campaign())
    started = time.time()
    engine.act(campaign, "send")
    for n in range(60):  # a busy morning: citizens write while the campaign goes out
        engine.sim.call(engine.sim.simulator.inbound({"from": f"39348{n:07d}", "text": "Ciao"}))
        time.sleep(0.05)
    engine.wait_status(campaign, "done", timeout=60)
    elapsed = time.time() - started
    assert engine.dispatcher.limiter.inbound == 60
    assert elapsed >= (100 + 60) / 20 * 0.85  # campaigns gave way to the inbound traffic
    assert engine.show(campaign)["counts"]["failed"] == 0


def test_duplicated_and_out_of_order_statuses_keep_counts_right(make_engine):
    engine = make_engine(sim={"duplicate_statuses": True, "reorder_statuses": True})
    engine.seed(25)
    campaign = engine.create(template_campaign())
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    counts = wait_until(
        lambda: (
            (c := engine.show(campaign)["counts"])["read"] == 25
            and engine.sim.simulator.webhooks.pending == 0
            and c
        ),
        30,
    )
    assert (counts["sent"], counts["delivered"], counts["read"], counts["failed"]) == (
        25,
        25,
        25,
        0,
    )
    assert engine.sql("SELECT DISTINCT state FROM outbox") == [("read",)]
