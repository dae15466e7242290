"""The suppression list outside the database: re-applied after a restore; retention; /privacy."""

from __future__ import annotations

import sqlite3
import time

import httpx
import pytest

from appliance.app import create_app
from appliance.audience.retention import RETENTION
from appliance.audience.store import AUDIENCE
from appliance.audience.suppression import SUPPRESSION
from appliance.backups.backup import create_backup, init_key
from appliance.backups.restore import restore_backup
from appliance.core.config import database_path
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import rows
from tests.support.subscribers import add_subscriber

pytestmark = pytest.mark.fast


def test_a_restore_brings_back_nobody_who_left(tmp_path):
    config = make_config(
        tmp_path,
        backup={"dir": str(tmp_path / "backups"), "key_file": str(tmp_path / "backup.key")},
    )
    init_key(config)
    app = RunningAppliance(config).start()
    try:
        stays = add_subscriber(app, "393331000001")
        leaves = add_subscriber(app, "393331000002")
        erased = add_subscriber(app, "393331000003")
        made = app.call(_backup(config))
        audience = app.appliance.parts[AUDIENCE]
        app.call(audience.unsubscribe(app.call(audience.get(leaves)), "citizen", "chat"))
        app.call(audience.erase(app.call(audience.get(erased)), "citizen", "chat"))
    finally:
        app.stop()
    hooks = create_app(config).after_restore
    result = restore_backup(config, made.path, hooks)
    assert "suppression" in result.hooks
    conn = sqlite3.connect(database_path(config))
    try:
        status = dict(conn.execute("SELECT id, status FROM subscribers").fetchall())
        kept = conn.execute("SELECT count(*) FROM consents WHERE subscriber_id = ?", (erased,))
        assert kept.fetchone() == (0,)
        assert conn.execute("SELECT wa_id FROM subscribers WHERE id = ?", (erased,)).fetchone() == (
            None,
        )
    finally:
        conn.close()
    assert status == {stays: "active", leaves: "unsubscribed", erased: "erased"}


async def _backup(config):
    import asyncio

    return await asyncio.to_thread(create_backup, config)


def test_the_dispatcher_question_is_answered_from_memory(running):
    sid = add_subscriber(running, "393331000009")
    suppression = running.appliance.parts[SUPPRESSION]
    assert not running.call(suppression.is_suppressed("393331000009", None))
    audience = running.appliance.parts[AUDIENCE]
    running.call(audience.unsubscribe(running.call(audience.get(sid)), "citizen", "chat"))
    assert running.call(suppression.is_suppressed("+393331000009", None))
    assert not running.call(suppression.is_suppressed("393331000010", "IT.123"))
    text = suppression.path.read_text()
    assert "393331000009" not in text
    assert [line.split()[1] for line in text.splitlines()] == ["resubscribed", "unsubscribed"]
    assert suppression.key_path.stat().st_mode & 0o777 == 0o600


def test_retention_purges_what_is_past_its_period(running):
    sid = add_subscriber(running, "393331000020")
    idle = add_subscriber(running, "393331000021", active=False)
    db = running.appliance.db
    old = time.time() - 400 * 86400
    running.call(
        db.execute(
            "INSERT INTO chat_messages (subscriber_id, direction, at, text) VALUES (?, 'in', ?, ?)",
            (sid, old, "vecchio"),
        )
    )
    running.call(
        db.execute(
            "INSERT INTO chat_messages (subscriber_id, direction, at, text) VALUES (?, 'in', ?, ?)",
            (sid, time.time(), "nuovo"),
        )
    )
    running.call(
        db.executemany(
            "INSERT INTO webhook_deliveries (received_at, body, split) VALUES (?, ?, 1)",
            [(old, b"{}"), (old, b"{}"), (time.time(), b"{}")],
        )
    )
    running.call(
        db.execute(
            "UPDATE subscribers SET last_inbound_at = ?, created_at = '2020-01-01T00:00:00.000Z'"
            " WHERE id = ?",
            (old, idle),
        )
    )
    counts = running.call(running.appliance.parts[RETENTION].run_once())
    assert counts["chat"] == 1 and counts["webhooks"] == 2 and counts["contacts"] == 1
    assert [r["text"] for r in rows(running, "SELECT text FROM chat_messages")] == ["nuovo"]
    assert [r["id"] for r in rows(running, "SELECT id FROM subscribers")] == [sid]
    assert running.call(running.appliance.parts[RETENTION].last_run())["counts"] == counts
    # Only old rows go, and never the newest (its id must not be reused by the next delivery).
    running.call(db.execute("UPDATE webhook_deliveries SET received_at = ?", (old,)))
    assert running.call(running.appliance.parts[RETENTION].run_once())["webhooks"] == 0


def test_the_privacy_notice_is_public_versioned_and_escaped(running):
    db = running.appliance.db
    running.call(
        db.execute(
            "INSERT INTO settings (key, value) VALUES ('town_data.dpo_contact', ?)",
            ("<script>alert(1)</script> rpd@comune.example.it",),
        )
    )
    latest = httpx.get(running.public_url + "/privacy")
    assert latest.status_code == 200 and "Versione 1" in latest.text
    assert "Meta Platforms Ireland" in latest.text and "Stati Uniti" in latest.text
    assert "&lt;script&gt;" in latest.text and "<script>" not in latest.text
    assert "180 giorni" in latest.text  # the retention in force
    english = httpx.get(running.public_url + "/privacy/1?lang=en")
    assert "Controller" in english.text and 'lang="en"' in english.text
    assert httpx.get(running.public_url + "/privacy/7").status_code == 404
    assert (
        httpx.get(running.public_url + "/privacy/0").status_code == 404
    )  # the draft is not public
    assert httpx.get(running.lan_url + "/privacy").status_code != 200
