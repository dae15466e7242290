"""Two rows of one person merge with nothing lost: answers, queued sends, the number for 131062."""

from __future__ import annotations

import pytest

from appliance.audience import identity
from appliance.audience.store import AUDIENCE
from appliance.audience.suppression import SUPPRESSION
from appliance.cloudapi.events import Identity
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows

pytestmark = pytest.mark.slow


@pytest.fixture
def app(tmp_path):
    """A running appliance (no Cloud API needed)."""
    running = RunningAppliance(make_config(tmp_path)).start()
    try:
        yield running
    finally:
        running.stop()


def test_a_linking_message_merges_answers_queued_sends_and_keeps_the_later_answer(app):
    audience = app.appliance.parts[AUDIENCE]
    phone = app.call(audience.ensure(Identity(wa_id="393471000001"), 1_760_000_000))
    username = app.call(audience.ensure(Identity(user_id="IT.9"), 1_760_000_100))
    for row in (phone, username):
        app.call(audience.activate(row, notice_version=1, wamid="wamid.S", topic_keys=None))
    db = app.appliance.db
    app.call(
        db.execute(
            "INSERT INTO profile_answers (subscriber_id, question_id, value, answered_at)"
            " SELECT ?, id, '\"centro\"', '2026-01-01T00:00:00.000Z' FROM profile_questions"
            " WHERE key = 'frazione'",
            (phone["id"],),
        )
    )
    app.call(
        db.execute(
            "INSERT INTO profile_answers (subscriber_id, question_id, value, answered_at)"
            " SELECT ?, id, '\"fuori\"', '2026-02-01T00:00:00.000Z' FROM profile_questions"
            " WHERE key = 'frazione'",
            (username["id"],),
        )
    )
    # Both rows were queued in the same campaign: the person must get it once.
    for sid, to in ((phone["id"], "393471000001"), (username["id"], "IT.9")):
        app.call(
            db.execute(
                "INSERT INTO outbox (lane, campaign_id, subscriber_id, recipient, part, created_at)"
                " VALUES (2, NULL, ?, ?, 0, 1)",
                (sid, to),
            )
        )
    app.call(
        db.execute(
            "INSERT INTO campaigns (id, name, lane, status, category, audience,"
            " content, created_by, created_at) VALUES (1, 'c', 2, 'sending',"
            " 'UTILITY', '{}', '[]', 't', 1)"
        )
    )
    app.call(db.execute("UPDATE outbox SET campaign_id = 1"))

    row = app.call(audience.ensure(Identity(wa_id="393471000001", user_id="IT.9"), 1_760_000_200))

    assert row["id"] == phone["id"] and row["user_id"] == "IT.9" and row["status"] == "active"
    assert rows(app, "SELECT count(*) AS n FROM subscribers")[0]["n"] == 1
    assert app.call(audience.answers(row["id"])) == {"frazione": "fuori"}
    assert len(app.call(audience.consents(row["id"]))) == 2
    queued = rows(app, "SELECT subscriber_id, state, error_detail FROM outbox ORDER BY id")
    assert [(q["subscriber_id"], q["state"]) for q in queued] == [
        (row["id"], "queued"),
        (row["id"], "skipped"),
    ]
    assert queued[1]["error_detail"] == "same person as another recipient"
    exported = app.call(audience.export(row["id"]))["subscriber"]
    assert (exported["wa_id"], exported["user_id"]) == ("393471000001", "IT.9")
    # Meta's 131062 (this message cannot go to a user id): the number to resend to.
    assert app.call(db.write(lambda conn: identity.number_in(conn, "IT.9"))) == "393471000001"
    assert app.call(db.write(lambda conn: identity.number_in(conn, "IT.unknown"))) is None


def test_erasure_and_the_suppression_list_cover_every_identifier(app):
    audience = app.appliance.parts[AUDIENCE]
    suppression = app.appliance.parts[SUPPRESSION]
    who = Identity(wa_id="393471000002", user_id="IT.10", parent_user_id="IT.ENT.10")
    row = app.call(audience.ensure(who, 1_760_000_000))
    app.call(audience.erase(row, "citizen", "chat"))
    for alone in ((who.wa_id, None, None), (None, who.user_id, None), (None, None, "IT.ENT.10")):
        assert app.call(suppression.is_erased(*alone))
    (left,) = rows(app, "SELECT wa_id, user_id, parent_user_id, username FROM subscribers")
    assert dict(left) == {"wa_id": None, "user_id": None, "parent_user_id": None, "username": ""}
