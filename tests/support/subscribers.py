"""Subscribers made through the real audience store, as the conversation would make them."""

from __future__ import annotations

from appliance.audience.store import AUDIENCE
from appliance.cloudapi.events import Identity
from tests.support.appliance import RunningAppliance


def add_subscriber(
    running: RunningAppliance, wa_id: str, *, name: str = "Anna", active: bool = True
) -> int:
    """A subscriber created as the conversation would (consent recorded when active)."""
    audience = running.appliance.parts[AUDIENCE]
    row = running.call(audience.ensure(Identity(wa_id=wa_id, name=name), 1_700_000_000))
    if active:
        running.call(audience.activate(row, notice_version=1, wamid="wamid.T", topic_keys=None))
    return row["id"]
