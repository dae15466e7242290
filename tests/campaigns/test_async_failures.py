"""Failed statuses that arrive later by webhook go through the same decision table, code by code."""

from __future__ import annotations

import time

import pytest

from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

DAY = 86400


def _parts(count: int) -> list[dict[str, str]]:
    return [{"type": "text", "text": f"Parte {n}"} for n in range(1, count + 1)]


def test_131050_by_webhook_sets_the_marketing_opt_out(make_engine):
    engine = make_engine()
    people = engine.seed(2, window=True)
    engine.sim.settings.failures = {people[0]: 131050}
    campaign = engine.create({"name": "Sagra", "category": "MARKETING", "content": _parts(1)})
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    opted = engine.sql("SELECT wa_id, marketing_opt_out FROM subscribers ORDER BY wa_id")
    assert opted == [(people[0], 1), (people[1], 0)]
    # The next marketing campaign leaves them out.
    second = engine.create({"name": "Sagra 2", "category": "MARKETING", "content": _parts(1)})
    engine.act(second, "send")
    engine.wait_status(second, "done")
    assert len(engine.accepted(people[0])) == 1 and len(engine.accepted(people[1])) == 2


def test_131026_by_webhook_skips_the_persons_remaining_parts_with_the_reason(make_engine):
    engine = make_engine()
    people = engine.seed(2, window=True)
    engine.sim.settings.undeliverable = [people[0]]  # accepted, then a failed status
    campaign = engine.create({"name": "Quattro parti", "content": _parts(4)})
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    rows = engine.sql(
        "SELECT part, state, error_code, error_detail FROM outbox WHERE recipient = ?"
        " ORDER BY part",
        (people[0],),
    )
    assert rows[0][1:3] == ("failed", 131026)
    unsent = [r for r in rows if r[1] == "failed" and r[2] == 131026]
    sent = len(engine.accepted(people[0]))
    assert sent < 4, "every part was sent to an unreachable person"
    assert len(unsent) == 4 and all(r[3] for r in unsent)  # each with its reason
    assert len(engine.accepted(people[1])) == 4


def test_131049_by_webhook_is_retried_after_a_day(make_engine):
    engine = make_engine()
    people = engine.seed(1, window=True)
    engine.sim.settings.failures = {people[0]: 131049}
    campaign = engine.create({"name": "Sagra", "category": "MARKETING", "content": _parts(1)})
    engine.act(campaign, "send")
    again = wait_until(
        lambda: engine.sql(
            "SELECT not_before FROM outbox WHERE campaign_id = ? AND state = 'queued'"
            " AND attempts > 0",
            (campaign,),
        )
    )
    assert again[0][0] > time.time() + DAY - 120
    assert engine.sql(
        "SELECT state, error_code FROM outbox WHERE campaign_id = ? AND state != 'queued'",
        (campaign,),
    ) == [("failed", 131049)]
    assert engine.show(campaign)["status"] == "sending"  # it waits for the retry


def test_131049_by_webhook_on_news_that_ends_first_is_not_retried(make_engine):
    engine = make_engine()
    people = engine.seed(1, window=True)
    engine.sim.settings.failures = {people[0]: 131049}
    ends = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 3600))
    campaign = engine.create({"name": "Notizia", "content": _parts(1), "expires_at": ends})
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    assert engine.sql(
        "SELECT state, error_code FROM outbox WHERE campaign_id = ?", (campaign,)
    ) == [("failed", 131049)]


def test_131047_by_webhook_takes_the_template_path(make_engine):
    engine = make_engine()
    people = engine.seed(1, window=True)
    engine.sim.simulator.state.set_window(people[0], False)  # closed on Meta's side meanwhile
    body = template_campaign("Avviso", content=_parts(1))
    campaign = engine.create(body)
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    rows = engine.sql(
        "SELECT part, state FROM outbox WHERE campaign_id = ? ORDER BY part", (campaign,)
    )
    assert rows[1] == (0, "needs_template") and rows[0][0] == -1
    assert rows[0][1] in ("accepted", "sent", "delivered", "read")
    assert [m["type"] for m in engine.accepted(people[0])] == ["text", "template"]


def test_an_account_code_by_webhook_pauses_the_campaign_and_alerts_staff(make_engine):
    engine = make_engine()
    people = engine.seed(3, window=True)
    engine.sim.settings.failures = {people[0]: 131031}
    campaign = engine.create({"name": "Avviso", "content": _parts(1)})
    engine.act(campaign, "send")
    paused = engine.wait_status(campaign, "paused")
    assert "131031" in paused["paused_reason"]
    assert engine.health("sending").status == "warn"  # the dashboard line, the LED degraded
    # The message waits with the campaign: resumed, it goes again.
    engine.sim.settings.failures = {}
    engine.act(campaign, "resume")
    engine.wait_status(campaign, "done")
    assert len(engine.accepted(people[0])) == 2
