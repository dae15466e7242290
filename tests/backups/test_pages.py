"""Backups page and webhook self-test over HTTP on the real LAN listener; restore at restart."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appliance.backups import store
from appliance.backups.backup import create_backup, init_key
from appliance.backups.pending import RESTART_EXIT, pending_restore, stage_restore
from appliance.core.config import database_path
from tests.support.appliance import PRIVACY_TOML, TEST_CREDENTIALS, RunningAppliance, make_config
from tests.support.db import rows
from tests.support.staff import add_user, login

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_config(tmp_path, **server):
    config = make_config(
        tmp_path,
        backup={"dir": str(tmp_path / "backups"), "key_file": str(tmp_path / "backup.key")},
        server={"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0", **server},
        feeds={"weather_url": "http://127.0.0.1:9/forecast", "alerts_enabled": False},
    )
    init_key(config)
    return config


@pytest.fixture
def app(tmp_path):
    running = RunningAppliance(page_config(tmp_path)).start()
    restarts = threading.Event()
    running.appliance.lan.extensions["backups.restart"] = restarts.set
    running.restarts = restarts
    try:
        yield running
    finally:
        running.stop()


def test_admin_backs_up_downloads_and_stages_a_restore(app):
    add_user(app, "boss")
    boss = login(app, "boss")
    page = boss.get("/settings/backups")
    assert page.status_code == 200 and "Nessun backup." in page.text
    assert boss.post("/settings/backups/create").status_code == 303
    made = store.list_backups(store.backup_dir(app.config))[0].path
    page = boss.get("/settings/backups")
    assert made.name in page.text and "Backup creato" in page.text
    download = boss.get(f"/settings/backups/{made.name}/download")
    assert download.status_code == 200 and download.content == made.read_bytes()
    assert "attachment" in download.headers["content-disposition"]
    assert boss.get("/settings/backups/../../etc/passwd/download").status_code == 404
    assert boss.get("/settings/backups/nope.backup/download").status_code == 404

    confirm = boss.post("/settings/backups/restore", data={"name": made.name})
    assert confirm.status_code == 200 and "RIPRISTINA" in confirm.text
    assert pending_restore(app.config)["file"] == made.name
    wrong = boss.post("/settings/backups/restore/confirm", data={"confirm": "si"})
    assert wrong.status_code == 400 and not app.restarts.is_set()
    done = boss.post("/settings/backups/restore/confirm", data={"confirm": "ripristina"})
    assert done.status_code == 200 and "Ripristino in corso" in done.text
    assert app.restarts.wait(5)
    actions = rows(app, "SELECT actor, action, target FROM audit_log WHERE action LIKE 'backup.%'")
    assert [a[:2] for a in actions] == [
        ("boss", "backup.created"),
        ("boss", "backup.downloaded"),
        ("boss", "backup.restore_staged"),
        ("boss", "backup.restore_requested"),
    ]
    assert boss.post("/settings/backups/restore/cancel").status_code == 303
    assert pending_restore(app.config) is None


def test_uploaded_backups_are_checked_before_anything_is_staged(app, tmp_path):
    add_user(app, "boss")
    boss = login(app, "boss")
    garbage = boss.post(
        "/settings/backups/restore", files={"file": ("x.backup", b"not a backup at all")}
    )
    assert garbage.status_code == 303
    assert "non può essere ripristinato" in boss.get("/settings/backups").text
    assert pending_restore(app.config) is None
    made = app.call(_backup_in_thread(app.config))
    good = boss.post(
        "/settings/backups/restore", files={"file": ("mine.backup", made.read_bytes())}
    )
    assert good.status_code == 200 and "mine.backup" in good.text
    assert pending_restore(app.config) is not None
    assert not list(store.backup_dir(app.config).glob(".upload-*"))


async def _backup_in_thread(config):
    import asyncio

    return (await asyncio.to_thread(create_backup, config)).path


def test_backups_page_is_for_admins_only(app):
    add_user(app, "olga", role="operator")
    olga = login(app, "olga")
    assert olga.get("/settings/backups").status_code == 403
    assert olga.post("/settings/backups/create").status_code == 403
    assert olga.post("/settings/backups/restore", data={"name": "x"}).status_code == 403
    assert "/settings/backups" not in olga.get("/").text
    assert not store.list_backups(store.backup_dir(app.config))


def test_dashboard_self_test_round_trip_through_the_public_listener(tmp_path):
    port = free_port()
    config = page_config(
        tmp_path, public_bind=f"127.0.0.1:{port}", public_url=f"http://127.0.0.1:{port}"
    )
    running = RunningAppliance(config).start()
    try:
        add_user(running, "olga", role="operator")
        olga = login(running, "olga")
        assert "selftest" in olga.get("/").text
        result = olga.post("/selftest")
        assert result.status_code == 200 and "Il webhook funziona." in result.text
        add_user(running, "vera", role="viewer")
        assert login(running, "vera").post("/selftest").status_code == 403
    finally:
        running.stop()


def _write_config(tmp_path: Path, config) -> Path:
    wa = {**TEST_CREDENTIALS, "api_base_url": "http://127.0.0.1:9"}
    lines = [
        '[server]\npublic_bind = "127.0.0.1:0"\nlan_bind = "127.0.0.1:0"',
        f'[database]\npath = "{database_path(config)}"',
        f'[backup]\ndir = "{config.values["backup"]["dir"]}"\n'
        f'key_file = "{config.values["backup"]["key_file"]}"',
        "[zeroconf]\nenabled = false",
        PRIVACY_TOML,
        '[feeds]\nweather_url = "http://127.0.0.1:9/forecast"\nalerts_enabled = false',
        "[whatsapp]\n" + "\n".join(f'{k} = "{v}"' for k, v in wa.items()),
    ]
    path = tmp_path / "banditore.toml"
    path.write_text("\n\n".join(lines) + "\n")
    return path


def _serve(config_file: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPLIANCE_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "appliance", "serve", "--config", str(config_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        if "Banditore ready" in line:
            return proc
        assert time.monotonic() < deadline, "serve did not become ready"
    raise AssertionError(f"serve exited with {proc.wait()}")


def _rows(config) -> list[str]:
    conn = sqlite3.connect(database_path(config))
    try:
        return [r[0] for r in conn.execute("SELECT target FROM audit_log WHERE actor = 't'")]
    finally:
        conn.close()


@pytest.mark.slow
def test_a_staged_restore_stops_with_75_and_is_applied_at_the_next_start(tmp_path):
    config = page_config(tmp_path)
    config_file = _write_config(tmp_path, config)
    first = _serve(config_file)  # creates and migrates the database
    first.send_signal(signal.SIGTERM)
    assert first.wait(30) == 0
    conn = sqlite3.connect(database_path(config))
    conn.execute("INSERT INTO audit_log (actor, action, target) VALUES ('t', 'x', 'in backup')")
    conn.commit()
    made = create_backup(config).path
    conn.execute("INSERT INTO audit_log (actor, action, target) VALUES ('t', 'x', 'after')")
    conn.commit()
    conn.close()

    running = _serve(config_file)
    stage_restore(config, made, "boss")  # as the page does while the app runs
    running.send_signal(signal.SIGTERM)
    output = running.stdout.read()
    assert running.wait(30) == RESTART_EXIT, output
    assert _rows(config) == ["in backup", "after"]  # nothing swapped under the running app

    restarted = _serve(config_file)
    try:
        assert pending_restore(config) is None
        assert _rows(config) == ["in backup"]
        reasons = [b.reason for b in store.list_backups(store.backup_dir(config))]
        assert "before-restore" in reasons
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.stdout.read()
        assert restarted.wait(30) == 0
