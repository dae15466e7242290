"""The simulator speaks like Meta in 2026: user ids, username-only citizens, system and account notices."""

import pytest

from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.deliveries import DELIVERIES
from appliance.cloudapi.events import AccountNotice, SystemChange, TextMessage
from tests.support.waiting import wait_until

pytestmark = pytest.mark.fast


def _events(sim_appliance, kinds):
    seen = []

    async def handler(event):
        seen.append(event)

    sim_appliance.appliance.parts[DELIVERIES].subscribe(handler, name="seen", kinds=kinds)
    return seen


def test_user_ids_and_username_only_citizens_on_messages_and_statuses(sim_appliance, simulator):
    seen = _events(sim_appliance, ["message", "status"])
    simulator.settings.user_ids = True
    simulator.settings.username_only = ["393330000002"]
    simulator.control("inbound", {"from": "393330000001", "text": "ciao"})
    simulator.control("inbound", {"from": "393330000002", "text": "ciao"})
    wait_until(lambda: len([e for e in seen if isinstance(e, TextMessage)]) == 2)
    first, second = (e.sender for e in seen if isinstance(e, TextMessage))
    assert first.wa_id == "393330000001" and first.user_id.startswith("IT.")
    assert second.wa_id is None and second.user_id == simulator.simulator.state.user_id_for(
        "393330000002"
    )
    client = sim_appliance.appliance.parts[CLOUDAPI]
    sent = sim_appliance.call(client.send_text("393330000001", "risposta"))
    # The bot's own answers to the two citizens report statuses too: take this message's.
    status = wait_until(
        lambda: next((e for e in seen if e.kind == "status" and e.wamid == sent.wamid), None)
    )
    assert status.recipient.wa_id == "393330000001" and status.recipient.user_id == first.user_id


def test_system_and_account_notices_on_command(sim_appliance, simulator):
    seen = _events(sim_appliance, ["system", "account_update"])
    simulator.control("system", {"from": "393330000001", "new_wa_id": "393330000009"})
    simulator.control(
        "system",
        {"from": "393330000001", "type": "user_changed_user_id", "new_user_id": "IT.42"},
    )
    simulator.control(
        "account_update",
        {"event": "ACCOUNT_RESTRICTION", "restriction_info": [{"restriction_type": "X"}]},
    )
    simulator.control(
        "account_update",
        {"field": "phone_number_quality_update", "event": "FLAGGED", "current_limit": "TIER_2K"},
    )
    wait_until(lambda: len(seen) == 4)
    number, user_id = (e for e in seen if isinstance(e, SystemChange))
    assert (number.change, number.new.wa_id) == ("user_changed_number", "393330000009")
    assert (user_id.change, user_id.new.user_id) == ("user_changed_user_id", "IT.42")
    notices = [(e.field_name, e.event) for e in seen if isinstance(e, AccountNotice)]
    assert notices == [
        ("account_update", "ACCOUNT_RESTRICTION"),
        ("phone_number_quality_update", "FLAGGED"),
    ]


def test_a_user_id_update_on_command_moves_the_citizen_to_the_new_id(sim_appliance, simulator):
    def rows(sql):
        return [dict(r) for r in sim_appliance.call(sim_appliance.appliance.db.fetchall(sql))]

    simulator.settings.user_ids = True
    wa_id = "393330000005"
    first_id = simulator.simulator.state.user_id_for(wa_id)
    simulator.control("inbound", {"from": wa_id, "text": "ciao"})
    wait_until(lambda: rows("SELECT user_id FROM subscribers") == [{"user_id": first_id}])
    wait_until(lambda: simulator.messages(wa_id))  # the welcome
    answered = len(simulator.messages(wa_id))
    # Its sent, delivered and read first: one still on its way carries the previous user id.
    done = "SELECT count(*) AS n FROM webhook_events WHERE kind = 'status' AND state = 'done'"
    wait_until(lambda: rows(done) == [{"n": 3 * answered}])
    simulator.control("user_id_update", {"wa_id": wa_id, "name": "Anna"})
    new_id = simulator.simulator.state.user_id_for(wa_id)
    assert new_id != first_id
    wait_until(lambda: rows("SELECT user_id FROM subscribers") == [{"user_id": new_id}])
    simulator.control("inbound", {"from": wa_id, "text": "MENU"})
    wait_until(lambda: len(simulator.messages(wa_id)) > answered)
    assert rows("SELECT wa_id, user_id FROM subscribers") == [{"wa_id": wa_id, "user_id": new_id}]
    assert rows("SELECT kind FROM webhook_events WHERE state = 'dead'") == []
    assert len(simulator.messages(wa_id)) == answered + 1  # the menu; the notice got no answer
