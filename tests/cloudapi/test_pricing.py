"""Each message's pricing (category, billable, model) is kept from Meta's statuses."""

import sqlite3

import pytest

from appliance.cloudapi.client import CLOUDAPI
from appliance.core.db.migrate import discover, migrate
from tests.support.waiting import wait_until

# In the fast subset: the unit-level tests and one real appliance per capability.


def _pricing(sim_appliance, wamid):
    row = sim_appliance.call(
        sim_appliance.appliance.db.fetchone(
            "SELECT status, pricing_category, billable, pricing_model FROM message_statuses"
            " WHERE wamid = ?",
            (wamid,),
        )
    )
    return tuple(row) if row else None


@pytest.mark.parametrize("reorder", [False, True])
def test_a_template_outside_the_window_is_billable_utility(sim_appliance, simulator, reorder):
    simulator.settings.reorder_statuses = reorder  # read first, then delivered, then sent
    client = sim_appliance.appliance.parts[CLOUDAPI]
    result = sim_appliance.call(
        client.send_template("393330000001", "avviso_servizio", body=["Via Roma", "12/10"])
    )
    wait_until(lambda: (_pricing(sim_appliance, result.wamid) or ("",))[0] == "read")
    wait_until(lambda: simulator.control("state", method="GET")["webhooks_pending"] == 0)
    assert _pricing(sim_appliance, result.wamid) == ("read", "utility", 1, "PMP")


@pytest.mark.fast
def test_a_reply_inside_the_window_is_free_service(sim_appliance, simulator):
    simulator.control("windows", {"wa_id": "393330000002", "open": True})
    client = sim_appliance.appliance.parts[CLOUDAPI]
    result = sim_appliance.call(client.send_text("393330000002", "Ecco gli orari"))
    wait_until(lambda: (_pricing(sim_appliance, result.wamid) or ("",))[0] == "read")
    assert _pricing(sim_appliance, result.wamid) == ("read", "service", 0, "PMP")


@pytest.mark.fast
def test_the_migration_keeps_statuses_already_stored(tmp_path):
    steps = discover()
    last = steps[-1].number
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(conn, steps[: last - 1])
    conn.execute(
        "INSERT INTO message_statuses (wamid, status, rank, timestamp, updated_at)"
        " VALUES ('wamid.OLD', 'read', 3, 1, 1)"
    )
    migrate(conn, steps)
    assert conn.execute(
        "SELECT wamid, status, pricing_category, billable FROM message_statuses"
    ).fetchall() == [("wamid.OLD", "read", None, None)]
