"""`appliance setup-code`: the first admin's one-time code, printed to root and never logged."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.host import REPO

pytestmark = pytest.mark.slow  # each call starts a Python process

CODE = re.compile(r"^  ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})$", re.M)


def appliance(config, *args, stdin=""):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "appliance", *args, "--config", str(config)],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.fixture
def config(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    path = tmp_path / "banditore.toml"
    path.write_text(f'[database]\npath = "{data / "banditore.db"}"\n')
    return path


def test_prints_a_new_code_each_time_until_an_admin_exists(config):
    first = appliance(config, "setup-code")
    assert first.returncode == 0, first.stderr
    [code] = CODE.findall(first.stdout)
    assert "/setup" in first.stdout and code not in first.stderr
    again = appliance(config, "setup-code")
    assert CODE.findall(again.stdout) != [code]  # a new one; the earlier one stops working
    added = appliance(config, "user", "add", "sindaco", "--password-stdin", stdin="x" * 12 + "\n")
    assert added.returncode == 0, added.stdout + added.stderr
    done = appliance(config, "setup-code")
    assert done.returncode == 1 and "an admin account exists already" in done.stdout
    assert not CODE.findall(done.stdout)


def test_without_a_data_folder_it_says_to_start_first(tmp_path):
    config = tmp_path / "banditore.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "nowhere" / "banditore.db"}"\n')
    done = appliance(config, "setup-code")
    assert done.returncode == 1 and "start Banditore once first" in done.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to own files as another user")
def test_root_runs_it_as_the_data_owner_so_the_service_can_still_write():
    # Outside pytest's private temporary folder: the data owner must be able to reach it.
    base = Path(tempfile.mkdtemp(dir="/var/tmp"))
    try:
        base.chmod(0o755)
        data = base / "data"
        data.mkdir()
        os.chown(data, 65534, 65534)
        config = base / "banditore.toml"
        config.write_text(f'[database]\npath = "{data / "banditore.db"}"\n')
        done = appliance(config, "setup-code")
        assert done.returncode == 0, done.stdout + done.stderr
        owners = {p.name: p.stat().st_uid for p in data.iterdir()}
        assert "banditore.db" in owners and set(owners.values()) == {65534}, owners
    finally:
        shutil.rmtree(base)
