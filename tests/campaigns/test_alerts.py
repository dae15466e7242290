"""Alert changes from the feeds become campaigns to the "allerte" topic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appliance.campaigns.alerts import AlertCampaigns
from appliance.feeds.alerts import AlertChange
from appliance.feeds.levels import Level
from tests.support.waiting import wait_until

# In the fast subset: the unit-level tests and one real appliance per capability.


class Monitor:
    """The feeds' decisions as the engine calls them (the feeds test their own side)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.status = "pending"

    async def mark_sent(self, key: str, actor: str = "system", address: str = "") -> None:
        self.calls.append(("sent", key))

    async def approve(self, key: str, actor: str, address: str = "") -> None:
        self.calls.append(("approved", key))

    async def get(self, key: str):
        return type("Change", (), {"status": self.status})()

    async def earlier(self, change) -> list[str]:
        return []


def _change(lane: str, key: str = "dpc:IM-06:idro:1") -> AlertChange:
    now = datetime.now(UTC)
    return AlertChange(
        key=key,
        source="dpc",
        zone="IM-06",
        zone_name="Nodo Idraulico di Milano",
        risk="idrogeologico",
        old_level=Level.GREEN,
        new_level=Level.ORANGE,
        valid_from=now,
        valid_to=now + timedelta(hours=12),
        link="https://example.invalid/bollettino",
        issued_id="1",
        detected_at=now,
        lane=lane,
    )


@pytest.mark.fast
def test_an_automatic_alert_goes_out_once_to_the_alert_topic(engine):
    subscribed = engine.seed(4, topics=("allerte",))
    engine.seed(3, first=100)
    monitor = Monitor()
    handler = AlertCampaigns(engine.campaigns, monitor, "allerta_meteo")
    engine.app.call(handler.on_change(_change("auto")))
    engine.app.call(handler.on_change(_change("auto")))  # offered again after a restart
    [(campaign, lane, status)] = engine.sql("SELECT id, lane, status FROM campaigns")
    assert lane == 0
    engine.wait_status(campaign, "done")
    assert sorted(m["to"] for m in engine.accepted()) == subscribed
    parameter = engine.accepted()[0]["body"]["template"]["components"][0]["parameters"][0]
    assert "\n" not in parameter["text"] and "IM-06" in parameter["text"]
    assert monitor.calls == [("sent", "dpc:IM-06:idro:1")] * 2


def test_an_alert_below_the_automatic_level_waits_as_a_draft_for_an_operator(engine):
    engine.seed(2, topics=("allerte",))
    monitor = Monitor()
    handler = AlertCampaigns(engine.campaigns, monitor, "allerta_meteo")
    engine.app.call(handler.on_change(_change("approval", key="k2")))
    [(campaign, status)] = engine.sql("SELECT id, status FROM campaigns")
    assert status == "draft" and engine.accepted() == []
    assert engine.show(campaign)["expires_at"] is not None
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    wait_until(lambda: monitor.calls == [("approved", "k2"), ("sent", "k2")])
