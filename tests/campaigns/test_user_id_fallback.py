"""131062 (this message cannot go to a user id): once more to the number, or ended in words."""

from __future__ import annotations

import json
import time

import pytest

from appliance.campaigns.fallbacks import NO_NUMBER, TO_NUMBER
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

FINAL = ("failed", "skipped", "expired", "cancelled", "needs_template")


def _known_person(engine) -> tuple[str, str]:
    """An active subscriber whose number and user id are both known (linked earlier)."""
    (number,) = engine.seed(1, window=True)
    user_id = engine.sim.simulator.state.user_id_for(number)
    engine.write("UPDATE subscribers SET user_id = ? WHERE wa_id = ?", (user_id, number))
    return number, user_id


def _write_as_username(engine, number: str) -> None:
    """The citizen writes; Meta withholds the number, so the bot answers the user id."""
    engine.sim.settings.username_only = [number]
    engine.sim.control("inbound", {"from": number, "name": "Maria", "type": "text", "text": "menu"})


def _username_only(engine, user_id: str) -> None:
    """An active subscriber known by user id alone, who wrote today (the window is open)."""
    engine.write(
        "INSERT INTO subscribers (user_id, status, subscribed_at, last_inbound_at)"
        " VALUES (?, 'active', '2026-01-01', ?)",
        (user_id, time.time()),
    )
    engine.sim.simulator.state.set_window(user_id, True)


def _rows(engine, recipient: str) -> list[tuple]:
    return engine.sql(
        "SELECT state, error_code, error_detail, message FROM outbox WHERE recipient = ?"
        " ORDER BY id",
        (recipient,),
    )


def _ended(engine, recipient: str) -> list[tuple]:
    rows = _rows(engine, recipient)
    return rows if rows and all(r[0] in FINAL for r in rows) else []


@pytest.mark.parametrize("how", ["refusals", "failures"])  # at once, or by failed status
def test_a_reply_refused_for_the_user_id_goes_once_to_the_number(make_engine, how):
    engine = make_engine()
    number, user_id = _known_person(engine)
    setattr(engine.sim.settings, how, {user_id: 131062})
    _write_as_username(engine, number)

    refused = wait_until(lambda: _ended(engine, user_id))
    assert {(r[0], r[1], r[2]) for r in refused} == {("failed", 131062, TO_NUMBER)}
    copies = wait_until(
        lambda: len(engine.accepted(number)) >= len(refused) and engine.accepted(number)
    )
    # The same messages, in the same order, each once.
    assert [json.loads(r[3]) for r in _rows(engine, number)] == [json.loads(r[3]) for r in refused]
    assert [m["type"] for m in copies] == [json.loads(r[3])[0] for r in refused]
    assert len(engine.accepted(user_id)) == (len(refused) if how == "failures" else 0)


def test_the_number_refusing_too_ends_it_without_a_third_try(make_engine):
    engine = make_engine()
    number, user_id = _known_person(engine)
    engine.sim.settings.refusals = {user_id: 131062, number: 131062}
    _write_as_username(engine, number)

    refused = wait_until(lambda: _ended(engine, user_id))
    copies = wait_until(lambda: _ended(engine, number))
    assert len(copies) == len(refused)
    assert {(r[0], r[1]) for r in copies} == {("failed", 131062)}
    assert all(r[2] != TO_NUMBER for r in copies)
    assert engine.sql("SELECT count(*) FROM outbox") == [(2 * len(refused),)]
    assert engine.accepted() == []


@pytest.mark.parametrize("how", ["refusals", "failures"])
def test_a_campaign_to_a_user_id_with_no_known_number_ends_with_the_reason(make_engine, how):
    engine = make_engine()
    _username_only(engine, "IT.77")
    setattr(engine.sim.settings, how, {"IT.77": 131062})
    campaign = engine.create({"name": "Avviso", "content": [{"type": "text", "text": "Ciao"}]})
    engine.act(campaign, "send")
    engine.wait_status(campaign, "done")
    with engine.api("viewer") as client:
        (entry,) = client.get(f"/campaigns/{campaign}/recipients").json()["recipients"]
    assert (entry["status"], entry["error_code"], entry["error_detail"]) == (
        "failed",
        131062,
        NO_NUMBER,
    )
    assert engine.sql("SELECT count(*) FROM outbox") == [(1,)]


def test_a_campaign_queued_before_the_number_was_known_reaches_the_number(make_engine):
    engine = make_engine()
    _username_only(engine, "IT.78")
    number = "393330000078"
    engine.sim.simulator.state.set_window(number, True)
    engine.sim.settings.refusals = {"IT.78": 131062}
    engine.sim.control("faults", {"fail_status": 503, "fail_count": -1})  # Meta down a while
    campaign = engine.create({"name": "Avviso", "content": [{"type": "text", "text": "Ciao"}]})
    engine.act(campaign, "send")
    wait_until(lambda: engine.sql("SELECT 1 FROM outbox WHERE error_code IS NOT NULL"))
    # Meanwhile the person's number became known (a message carrying both, say).
    engine.write("UPDATE subscribers SET wa_id = ? WHERE user_id = 'IT.78'", (number,))
    engine.sim.control("faults", method="DELETE")
    engine.wait_status(campaign, "done")

    assert [m["body"]["text"]["body"] for m in engine.accepted(number)] == ["Ciao"]
    rows = engine.sql("SELECT recipient, state, error_detail FROM outbox ORDER BY id")
    assert rows[0] == ("IT.78", "failed", TO_NUMBER)
    assert len(rows) == 2 and rows[1][0] == number
    assert rows[1][1] in ("accepted", "sent", "delivered", "read")
