"""Helpers for audience tests: subscribers made through the real store, HTTP clients."""

from __future__ import annotations

import httpx

from appliance.audience.store import AUDIENCE
from appliance.cloudapi.events import Identity
from appliance.lan.tokens import create_token
from tests.harness import RunningAppliance


def add_subscriber(
    running: RunningAppliance, wa_id: str, *, name: str = "Anna", active: bool = True
) -> int:
    """A subscriber created as the conversation would (consent recorded when active)."""
    audience = running.appliance.parts[AUDIENCE]
    row = running.call(audience.ensure(Identity(wa_id=wa_id, name=name), 1_700_000_000))
    if active:
        running.call(audience.activate(row, notice_version=1, wamid="wamid.T", topic_keys=None))
    return row["id"]


def api(running: RunningAppliance, role: str = "viewer") -> httpx.Client:
    """A REST client holding a fresh token of ``role``."""
    token = running.call(create_token(running.appliance.db, f"t-{role}", role, "test"))
    return httpx.Client(
        base_url=running.lan_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def rows(running: RunningAppliance, sql: str, params: tuple = ()) -> list[dict]:
    """Query results as dicts."""
    return [dict(r) for r in running.call(running.appliance.db.fetchall(sql, params))]
