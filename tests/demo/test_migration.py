"""The demo phone's migration: existing rows are kept, the phone's tables arrive empty."""

import sqlite3

import pytest

from appliance.core.db.migrate import discover, migrate

pytestmark = pytest.mark.fast


def test_demo_tables_added_over_a_database_with_rows(tmp_path):
    steps = discover()
    demo = next(s for s in steps if s.path.name.endswith("_demo.sql"))  # renumbered at merge
    before = [s for s in steps if s.number < demo.number]
    conn = sqlite3.connect(tmp_path / "db", isolation_level=None)
    migrate(conn, before)
    conn.execute("INSERT INTO subscribers (wa_id, status) VALUES ('390000010001', 'active')")
    conn.execute(
        "INSERT INTO message_statuses (wamid, status, rank, timestamp, updated_at)"
        " VALUES ('wamid.X', 'read', 3, 1, 1)"
    )
    assert migrate(conn, steps) == steps[-1].number
    assert conn.execute("SELECT wa_id FROM subscribers").fetchall() == [("390000010001",)]
    assert conn.execute("SELECT status FROM message_statuses").fetchall() == [("read",)]
    assert conn.execute("SELECT count(*) FROM demo_phone_messages").fetchone() == (0,)
    conn.execute(
        "INSERT INTO demo_phone_messages (wa_id, direction, at, body) VALUES ('1', 'in', 1, '{}')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO demo_phone_messages (wa_id, direction, at, body) VALUES ('1', 'x', 1, '')"
        )
