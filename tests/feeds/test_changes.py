"""Restart safety, the pending/approved/sent/dismissed life cycle and the automatic lane."""

from __future__ import annotations

from datetime import timedelta

import pytest

from appliance.core.errors import Conflict, NotFound
from appliance.feeds.levels import Level
from appliance.feeds.state import EXPIRED_NOTE
from tests.support.alerts import events, monitor, poll, serve_lombardy
from tests.support.feeds import ALERTS_NOW

pytestmark = pytest.mark.slow


def test_restart_and_the_same_data_again_produce_no_second_change(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_green.xml")
    first_changes: list = []
    first = appliance_factory(ALERTS_NOW, first_changes)
    poll(first, "lombardy")
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    [change] = poll(first, "lombardy")
    first.stop()

    second_changes: list = []
    second = appliance_factory(ALERTS_NOW, second_changes)
    assert poll(second, "lombardy") == []
    assert poll(second, "lombardy") == []
    assert [e.key for e in events(second)] == [change.key]
    # The pending change is offered again after the restart under the same key, so the
    # broadcast engine (which dedupes by key) cannot turn it into a second campaign.
    assert [c.key for c in second_changes] == [change.key]
    assert [c.key for c in first_changes] == [change.key]


def test_life_cycle_of_changes_and_the_audit_trail(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    running = appliance_factory(ALERTS_NOW)
    alerts = monitor(running)
    [yellow] = poll(running, "lombardy")
    assert yellow.lane == "approval"
    with pytest.raises(Conflict):  # not approved yet: the engine may not send it
        running.call(alerts.mark_sent(yellow.key))
    approved = running.call(alerts.approve(yellow.key, "mario", "192.0.2.10"))
    assert (approved.status, approved.lane) == ("approved", "approval")
    sent = running.call(alerts.mark_sent(yellow.key))
    assert sent.status == "sent"
    with pytest.raises(Conflict):
        running.call(alerts.dismiss(yellow.key, "mario"))

    serve_lombardy(fake, "allertalom_im06_orange.xml")
    [orange] = poll(running, "lombardy")
    assert orange.lane == "auto"
    assert [c.key for c in running.call(alerts.changes("pending"))] == [orange.key]
    assert running.call(alerts.mark_sent(orange.key)).status == "sent"

    serve_lombardy(fake, "allertalom_im06_green.xml")
    [ended] = poll(running, "lombardy")
    dismissed = running.call(alerts.dismiss(ended.key, "mario"))
    assert (dismissed.status, dismissed.new_level) == ("dismissed", Level.GREEN)
    with pytest.raises(NotFound):
        running.call(alerts.approve("lombardy:IM-06:thunderstorm:99:red", "mario"))

    audit = running.call(
        running.appliance.db.fetchall(
            "SELECT actor, action, target, address FROM audit_log WHERE action LIKE 'alert.%'"
        )
    )
    assert [tuple(r) for r in audit] == [
        ("mario", "alert.approved", yellow.key, "192.0.2.10"),
        ("system", "alert.sent", yellow.key, ""),
        ("system", "alert.sent", orange.key, ""),
        ("mario", "alert.dismissed", ended.key, ""),
    ]
    assert [e.status for e in events(running)] == ["dismissed", "sent", "sent"]


@pytest.mark.parametrize(("setting", "lane"), [("yellow", "auto"), ("none", "approval")])
def test_automatic_level_setting(appliance_factory, fake, setting, lane):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    running = appliance_factory(ALERTS_NOW, alerts_auto_level=setting)
    [yellow] = poll(running, "lombardy")
    assert yellow.lane == lane


def test_a_change_nobody_decided_on_is_closed_once_its_validity_ends(appliance_factory, fake):
    serve_lombardy(fake, "allertalom_im06_yellow.xml")
    first = appliance_factory(ALERTS_NOW)
    [yellow] = poll(first, "lombardy")
    assert yellow.status == "pending"
    first.stop()

    offered: list = []
    later = appliance_factory(yellow.valid_to + timedelta(hours=1), offered)
    [closed] = events(later)
    assert (closed.key, closed.status, closed.note) == (yellow.key, "dismissed", EXPIRED_NOTE)
    assert offered == []  # nothing left to draft or send for citizens
    assert later.call(monitor(later).changes("pending")) == []
