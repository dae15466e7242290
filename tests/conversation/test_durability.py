"""An unsubscribe or erasure is on disk before the citizen reads the confirmation: killed at once
after the simulator accepted it, the process leaves the change committed and suppressed."""

from __future__ import annotations

import signal
import sqlite3

import pytest

from appliance.audience.suppression import read_states
from appliance.cloudapi.client import CLOUDAPI
from appliance.conversation.texts import DEFAULTS
from tests.support.citizen import Citizen, button_ids, text_of
from tests.support.processes import ApplianceProcess, write_config
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def subscribe(citizen: Citizen) -> None:
    citizen.send("4")
    _, optin = citizen.replies(2)
    citizen.tap(button_ids(optin)[0])
    citizen.reply()
    citizen.send("annulla")
    citizen.reply()


def killed_after(proc: ApplianceProcess, citizen: Citizen, key: str) -> None:
    """SIGKILL the moment the simulator accepted the confirmation ``key`` (a new answer)."""
    # Only unread answers, compared whole: the privacy notice sent while subscribing also says
    # "ha annullato l'iscrizione", and matching it killed the process before STOP was handled.
    confirmation = DEFAULTS[key].it
    wait_until(
        lambda: any(text_of(m["body"]) == confirmation for m in citizen.all()[citizen.seen :]),
        timeout=20,
        interval=0.005,
    )
    proc.proc.send_signal(signal.SIGKILL)
    proc.wait(10)


@pytest.mark.parametrize("how", ["unsubscribe", "erase"])
def test_confirmed_means_committed_even_when_killed_right_after(tmp_path, simulator, how):
    config = str(write_config(tmp_path, simulator_url=simulator.url))
    proc = ApplianceProcess("serve", "--config", config)
    try:
        public, _ = proc.wait_ready()
        simulator.settings.webhook_url = public + "/webhook"
        citizen = Citizen(simulator, "393337770001")
        subscribe(citizen)
        if how == "unsubscribe":
            citizen.send("STOP")
            killed_after(proc, citizen, "unsubscribed")
        else:
            citizen.send("cancella i miei dati")
            citizen.tap(button_ids(citizen.reply())[0])
            killed_after(proc, citizen, "erased")
    finally:
        if proc.proc.poll() is None:
            proc.proc.kill()
            proc.wait(10)
    conn = sqlite3.connect(tmp_path / "banditore.db")
    try:
        status = conn.execute("SELECT status, wa_id FROM subscribers").fetchall()
        consents = conn.execute("SELECT kind, wamid FROM consents").fetchall()
    finally:
        conn.close()
    print(proc.output, consents, [text_of(m["body"])[:40] for m in citizen.all()])
    if how == "unsubscribe":
        assert status == [("unsubscribed", "393337770001")]
        assert list(read_states(tmp_path / "suppression.list").values()) == ["unsubscribed"]
    else:
        assert status == [("erased", None)]
        assert list(read_states(tmp_path / "suppression.list").values()) == ["erased"]


def test_at_the_moment_of_confirmation_the_change_is_already_committed(bot, citizen):
    """A spy in front of the Cloud API reads the file from outside when the confirmation leaves."""
    subscribe(citizen)
    client = bot.appliance.parts[CLOUDAPI]
    path = bot.appliance.db.path
    seen: list[tuple] = []
    send = client.send

    async def spy(recipient, message, **options):
        kind, content = message
        if kind == "text" and content["body"] == DEFAULTS["unsubscribed"].it:
            conn = sqlite3.connect(path)  # a separate connection sees only committed data
            seen.append(conn.execute("SELECT status FROM subscribers").fetchone())
            conn.close()
            seen.append(tuple(read_states(path.parent / "suppression.list").values()))
        return await send(recipient, message, **options)

    client.send = spy
    try:
        citizen.send("STOP")
        citizen.reply()
    finally:
        del client.send
    assert seen == [("unsubscribed",), ("unsubscribed",)]
