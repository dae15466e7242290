"""A backup taken while a broadcast is sending restores to a consistent database."""

from __future__ import annotations

import sqlite3

import pytest

from appliance.app import create_app
from appliance.backups.backup import create_backup, init_key
from appliance.backups.restore import restore_backup
from appliance.campaigns.restored import RESTORED_REASON
from appliance.core.config import database_path
from tests.support.engine import template_campaign
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

RECIPIENTS = 600


def test_a_backup_taken_mid_broadcast_restores_consistently(make_engine, tmp_path):
    engine = make_engine(
        backup={"dir": str(tmp_path / "backups"), "key_file": str(tmp_path / "backup.key")}
    )
    config = engine.app.config
    init_key(config)
    engine.seed(RECIPIENTS)
    campaign = engine.create(template_campaign())
    assert engine.act(campaign, "send").json()["status"] == "sending"
    wait_until(lambda: len(engine.accepted()) >= 50)
    made = create_backup(config)  # its own connection, while the dispatcher keeps writing
    assert len(engine.accepted()) < RECIPIENTS, "the backup must be taken mid-send"
    engine.wait_status(campaign, "done", timeout=120)
    engine.app.stop()

    # As `appliance restore` does: the capabilities' after-restore hooks run on the copy.
    restore_backup(config, made.path, create_app(config).after_restore)
    conn = sqlite3.connect(database_path(config))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        status, reason = conn.execute(
            "SELECT status, paused_reason FROM campaigns WHERE id = ?", (campaign,)
        ).fetchone()
        states = dict(
            conn.execute(
                "SELECT state, count(*) FROM outbox WHERE campaign_id = ? GROUP BY state",
                (campaign,),
            ).fetchall()
        )
    finally:
        conn.close()
    # The copy is one moment of the send: every recipient's row is there (enqueued in one
    # statement), some already accepted, the rest still queued or in flight, none lost.
    # Whoever got it after the backup would get it again: staff decide, nothing resends alone.
    assert (status, reason) == ("paused", RESTORED_REASON)
    assert sum(states.values()) == RECIPIENTS
    assert states.get("queued", 0) > 0
    assert set(states) <= {"queued", "accepted", "sent", "delivered", "read"}
