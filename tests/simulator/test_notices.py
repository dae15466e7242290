"""The simulator speaks like Meta in 2026: user ids, username-only citizens, system and account notices."""

import pytest

from appliance.cloudapi.events import AccountNotice, SystemChange, TextMessage
from tests.support.waiting import wait_until

pytestmark = pytest.mark.fast


def _events(sim_appliance, kinds):
    seen = []

    async def handler(event):
        seen.append(event)

    sim_appliance.appliance.parts["inbox"].subscribe(handler, name="seen", kinds=kinds)
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
    client = sim_appliance.appliance.parts["cloudapi"]
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
