"""The identity migration on a database that already holds one person twice (issue 15)."""

from __future__ import annotations

import sqlite3

import pytest

from appliance.audience.suppression import SUPPRESSION
from appliance.core.db.migrate import discover, migrate
from tests.support.appliance import RunningAppliance, make_config
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

NUMBER, USER_ID = "393471230000", "IT.4242"


def _before_identity(path) -> None:
    """A database at the schema before 0010: the phone row and the user-id row of one person."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, [m for m in discover() if m.path.name < "0010"])
    conn.executescript(
        f"""
        INSERT INTO subscribers (id, wa_id, status, subscribed_at, profile_name, language)
            VALUES (1, '{NUMBER}', 'active', '2026-01-10T10:00:00.000Z', 'Anna', 'it');
        INSERT INTO subscribers (id, user_id, status, unsubscribed_at, last_inbound_at, language)
            VALUES (2, '{USER_ID}', 'unsubscribed', '2026-03-01T10:00:00.000Z', 1772000000, 'en');
        INSERT INTO subscribers (id, wa_id, status) VALUES (3, '393479999999', 'active');
        INSERT INTO consents (subscriber_id, kind, notice_version) VALUES (1, 'granted', 1);
        INSERT INTO consents (subscriber_id, kind) VALUES (2, 'withdrawn');
        INSERT INTO subscriber_topics SELECT 1, id FROM topics WHERE key = 'allerte';
        INSERT INTO subscriber_topics SELECT 2, id FROM topics WHERE key = 'eventi';
        INSERT INTO chat_messages (subscriber_id, direction, at, text) VALUES (1, 'in', 1, 'ciao');
        INSERT INTO chat_messages (subscriber_id, direction, at, text) VALUES (2, 'in', 2, 'STOP');
        INSERT INTO message_statuses (wamid, status, rank, timestamp, recipient_id,
            recipient_user_id, updated_at) VALUES ('wamid.A', 'delivered', 2, 1, '{NUMBER}',
            '{USER_ID}', 1);
        INSERT INTO webhook_deliveries (id, received_at, body, split) VALUES (1, 1, '{{}}', 1);
        INSERT INTO webhook_events (dedupe_key, delivery_id, kind, record, state, attempts,
            last_error, created_at) VALUES ('m:wamid.STOP', 1, 'message', '{{"erased": true}}',
            'dead', 5, 'IntegrityError: UNIQUE constraint failed: subscribers.user_id', 1);
        """
    )
    conn.close()


def test_the_two_rows_of_one_person_become_one_and_the_parked_stop_is_tried_again(tmp_path):
    _before_identity(tmp_path / "banditore.db")
    app = RunningAppliance(make_config(tmp_path)).start()
    try:
        db = app.appliance.db
        rows = app.call(db.fetchall("SELECT * FROM subscribers WHERE id IN (1, 2) ORDER BY id"))
        (row,) = [dict(r) for r in rows]
        assert (row["id"], row["wa_id"], row["user_id"]) == (1, NUMBER, USER_ID)
        assert row["status"] == "unsubscribed"  # the more protective state holds
        assert row["unsubscribed_at"] == "2026-03-01T10:00:00.000Z"
        assert row["language"] == "en" and row["profile_name"] == "Anna"
        kinds = app.call(db.fetchall("SELECT kind FROM consents WHERE subscriber_id = 1"))
        assert sorted(k["kind"] for k in kinds) == ["opted_in", "opted_out"]
        topics = app.call(
            db.fetchall(
                "SELECT t.key FROM subscriber_topics st JOIN topics t ON t.id = st.topic_id"
                " WHERE st.subscriber_id = 1 ORDER BY t.key"
            )
        )
        assert [t["key"] for t in topics] == ["allerte", "eventi"]
        chat = app.call(db.fetchall("SELECT text FROM chat_messages WHERE subscriber_id = 1"))
        assert sorted(c["text"] for c in chat) == ["STOP", "ciao"]
        assert app.call(db.fetchval("SELECT status FROM subscribers WHERE id = 3")) == "active"
        assert app.call(db.fetchval("SELECT count(*) FROM identity_merges")) == 0
        suppression = app.appliance.parts[SUPPRESSION]
        assert app.call(suppression.is_suppressed(NUMBER, None))  # the number now carries the no
        # The STOP parked by the old collision is retried (and, emptied here, simply done).
        wait_until(
            lambda: (
                app.call(
                    db.fetchval(
                        "SELECT state FROM webhook_events WHERE dedupe_key = 'm:wamid.STOP'"
                    )
                )
                == "done"
            ),
            20,
        )
        audit = app.call(
            db.fetchval("SELECT count(*) FROM audit_log WHERE action = ?", ("subscriber.merged",))
        )
        assert audit == 1
    finally:
        app.stop()
