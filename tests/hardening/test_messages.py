"""Bad files get one clear line: a damaged database, a directory as config, exposed secrets."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from appliance.core.config import ConfigError, load_config
from tests.support.processes import ApplianceProcess, write_config

pytestmark = pytest.mark.slow


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "appliance", "check", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ,
    )


def _damage(path) -> None:
    """Overwrite the middle of every third page, as a failing SD card does."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("y" * 500,) for _ in range(2000)])
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    for page in range(3, len(data) // 4096, 3):
        data[page * 4096 + 50 : page * 4096 + 400] = b"\xde\xad" * 175
    path.write_bytes(bytes(data))


def test_serve_on_a_damaged_database_says_so_in_one_line(tmp_path):
    config = write_config(tmp_path)
    first = ApplianceProcess("serve", "--config", str(config))
    first.wait_ready(60)
    first.proc.terminate()
    assert first.wait() == 0
    _damage(tmp_path / "banditore.db")
    proc = ApplianceProcess("serve", "--config", str(config))
    assert proc.wait(60) == 1
    assert "Traceback" not in proc.output
    errors = [line for line in proc.lines if " ERROR " in line]
    assert len(errors) == 1, proc.output
    assert "is damaged" in errors[0] and "appliance restore" in errors[0]


def test_check_on_a_directory_is_one_line(tmp_path):
    done = _check("--config", str(tmp_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [problem] = [x for x in done.stderr.splitlines() if x.startswith("  - ")]
    assert problem == f"  - config file {tmp_path} is a directory; give the path of the file itself"


def test_check_fails_secrets_in_a_world_readable_config(tmp_path):
    config = write_config(tmp_path)  # holds the access token and app secret
    config.chmod(0o644)
    done = _check("--config", str(config))
    assert done.returncode == 1
    [line] = [x for x in done.stdout.splitlines() if x.startswith("config:")]
    assert "holds secrets ([whatsapp] access_token, [whatsapp] app_secret" in line
    assert "readable by every user (mode 0644)" in line and "chmod 640" in line
    config.chmod(0o640)
    done = _check("--config", str(config))
    assert any(x.startswith("config: ok") for x in done.stdout.splitlines()), done.stdout


def test_a_group_readable_secrets_file_is_refused(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[whatsapp]\naccess_token = 'tok-123456'\n", encoding="utf-8")
    secrets.chmod(0o640)
    main = tmp_path / "c.toml"
    main.write_text("secrets_file = 'secrets.toml'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(main, environ={})
    assert info.value.problems == [
        f"secrets file {secrets} is readable by its group (mode 0640); run: chmod 600 {secrets}"
    ]
    secrets.chmod(0o600)
    assert load_config(main, environ={}).whatsapp.access_token == "tok-123456"
