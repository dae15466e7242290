"""The dead-letter page: parked notifications with the reason in words, retried or dismissed."""

from __future__ import annotations

import pytest

from tests.support.db import rows
from tests.support.deadletters import DISK_FULL, park
from tests.support.staff import add_user, login

# In the fast subset: the unit-level tests and one real appliance per capability.


@pytest.mark.fast
def test_admins_see_parked_notifications_with_the_reason_and_retry_or_dismiss(running):
    first, second = park(running, 2)
    add_user(running, "boss")
    boss = login(running, "boss")
    assert "Apri le notifiche non elaborate (2)" in boss.get("/").text
    listing = boss.get("/dead-letters").text
    assert "Messaggio di un cittadino" in listing
    assert "Non riuscito: la risposta al cittadino (il disco era pieno)." in listing
    assert "393330000000" in listing and "393330000001" in listing

    assert boss.post(f"/dead-letters/{first}/retry").status_code == 303
    assert rows(running, "SELECT state FROM webhook_events WHERE id = ?", (first,)) != [("dead",)]
    assert boss.post(f"/dead-letters/{second}/dismiss").status_code == 303
    [(state, error)] = rows(
        running, "SELECT state, last_error FROM webhook_events WHERE id = ?", (second,)
    )
    assert state == "done" and error == f"dismissed by boss: {DISK_FULL}"
    # Each once: a second press finds nothing waiting.
    assert boss.post(f"/dead-letters/{first}/retry").status_code == 404
    assert boss.post(f"/dead-letters/{second}/dismiss").status_code == 404
    audited = rows(
        running,
        "SELECT actor, action, target FROM audit_log WHERE action LIKE 'deadletter.%' ORDER BY id",
    )
    assert audited == [
        ("boss", "deadletter.retried", str(first)),
        ("boss", "deadletter.dismissed", str(second)),
    ]
    assert "Nessuna notifica in attesa." in boss.get("/dead-letters").text
    assert "notifiche non elaborate" not in boss.get("/").text


def test_only_admins_may_open_or_act_on_dead_letters(running):
    [parked] = park(running, 1)
    add_user(running, "opera", "operator")
    operator = login(running, "opera")
    assert operator.get("/dead-letters").status_code == 403
    assert operator.post(f"/dead-letters/{parked}/retry").status_code == 403
    assert operator.post(f"/dead-letters/{parked}/dismiss").status_code == 403
    assert "notifiche non elaborate" not in operator.get("/").text
    assert rows(running, "SELECT state FROM webhook_events") == [("dead",)]


def test_the_page_speaks_english_too(running):
    park(running, 1)
    add_user(running, "boss")
    boss = login(running, "boss")
    boss.post("/language", data={"language": "en", "next": "/"})
    listing = boss.get("/dead-letters").text
    assert "Failed: the reply to the citizen (the disk was full)." in listing
    assert "Retry" in listing and "Dismiss" in listing
