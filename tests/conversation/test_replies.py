"""The direct replies (used when no broadcast engine registered its lane) against the simulator."""

from __future__ import annotations

import pytest

from appliance.cloudapi import messages
from appliance.conversation.replies import DirectReplies

pytestmark = pytest.mark.slow


def test_direct_replies_retry_rate_limits_and_give_up_quietly(sim_appliance, simulator):
    replies = DirectReplies(sim_appliance.appliance.parts["cloudapi"])
    simulator.control("windows", {"wa_id": "393335550001"})
    wamid = sim_appliance.call(replies.send("393335550001", messages.text("Ciao")))
    assert wamid and simulator.messages("393335550001")[0]["wamid"] == wamid
    simulator.control("faults", {"fail_status": 503, "fail_count": 2})
    assert sim_appliance.call(replies.send("393335550001", messages.text("Di nuovo")))
    assert len(simulator.messages("393335550001")) == 2
    # Outside the window nothing can go out: logged, None, never raised into the inbox.
    simulator.settings.window_sync = True  # refused at once (Meta may instead fail it later)
    assert sim_appliance.call(replies.send("393335550002", messages.text("Fuori"))) is None
