"""Citizen text is isolated on staff pages: a right-to-left override cannot reorder the page."""

from __future__ import annotations

import re

import pytest

from tests.support.db import rows
from tests.support.staff import add_user, login
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

pytestmark = pytest.mark.fast

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Mario\u202eatsoP" shows as "MarioPosta"
NAME = f"Mario{RLO}gpj.exe"
TEXT = f"Buongiorno {RLO}ocimoC led enoizatsoP"
WA_ID = "393331112223"


def _isolated_away(html: str) -> str:
    """The page without its isolated islands (<bdi>…</bdi> and FSI…PDI)."""
    html = re.sub(r"<bdi>.*?</bdi>", "", html, flags=re.S)
    return re.sub("\u2068.*?\u2069", "", html, flags=re.S)


def _citizen_writes(running) -> int:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390612345678", "phone_number_id": "200000000000002"},
        "contacts": [{"profile": {"name": NAME}, "wa_id": WA_ID}],
        "messages": [
            {
                "from": WA_ID,
                "id": "wamid.BIDI1",
                "timestamp": "1760000000",
                "type": "text",
                "text": {"body": TEXT},
            }
        ],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    assert post_webhook(running.public_url, payload).status_code == 200
    found = wait_until(
        lambda: rows(running, "SELECT id FROM subscribers WHERE wa_id = ?", (WA_ID,))
    )
    return found[0][0]


def test_names_and_messages_with_an_override_stay_in_their_island(running):
    sid = _citizen_writes(running)
    running.call(
        running.appliance.db.execute(
            "UPDATE subscribers SET profile_name = ?, status = 'active' WHERE id = ?", (NAME, sid)
        )
    )
    add_user(running, "boss")
    boss = login(running, "boss")
    boss.post("/login", data={"username": NAME, "password": "wrong-password-x"})  # audit target
    wait_until(lambda: rows(running, "SELECT count(*) FROM chat_messages WHERE inbox = 1")[0][0])
    for path in ["/subscribers", f"/subscribers/{sid}", "/audit", "/inbox", f"/inbox/{sid}"]:
        html = boss.get(path).text
        assert RLO in html, path  # the text is shown...
        assert RLO not in _isolated_away(html), path  # ...only inside an isolated island
