"""The real ``appliance`` process: start, stop on signals, fail clearly, speak systemd notify."""

import signal
import socket
import sys
import time

import httpx
import pytest

from tests.support.processes import ApplianceProcess, write_config

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_within_ten_seconds(tmp_path, sig):
    proc = ApplianceProcess("serve", "--config", str(write_config(tmp_path)))
    public, lan = proc.wait_ready()
    assert httpx.get(public + "/healthz").text == "ok"
    # An open keep-alive connection must not hold the shutdown up.
    with httpx.Client() as client:
        client.get(lan + "/")
        started = time.monotonic()
        proc.proc.send_signal(sig)
        assert proc.wait(12) == 0
    assert time.monotonic() - started < 10
    assert "Banditore stopped" in proc.output
    # Secrets never reach the log.
    assert "proc-access-token-123" not in proc.output
    assert "proc-app-secret-456" not in proc.output


def test_failing_service_exits_non_zero_with_reason(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    config = (
        write_config(tmp_path)
        .read_text()
        .replace(str(tmp_path / "banditore.db"), str(blocker / "banditore.db"))
    )
    path = tmp_path / "bad.toml"
    path.write_text(config)
    proc = ApplianceProcess("serve", "--config", str(path))
    assert proc.wait(15) == 1
    assert "service 'database' failed to start" in proc.output


def test_busy_port_is_named(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        path = write_config(tmp_path)
        path.write_text(
            path.read_text().replace(
                'public_bind = "127.0.0.1:0"', f'public_bind = "127.0.0.1:{port}"'
            )
        )
        proc = ApplianceProcess("serve", "--config", str(path))
        assert proc.wait(15) == 1
    assert f"public listener cannot bind 127.0.0.1:{port} ([server] public_bind)" in proc.output
    assert "another program already uses this port" in proc.output


def test_config_error_exits_2_with_advice(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[whatsapp]\nthroughput_per_second = 'many'\n")
    proc = ApplianceProcess("serve", "--config", str(path))
    assert proc.wait(15) == 2
    assert "throughput_per_second: expected a whole number" in proc.output


def test_serve_without_credentials_lists_them(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[town]\nname = "Rota d\'Imagna"\n')
    proc = ApplianceProcess("serve", "--config", str(path))
    assert proc.wait(15) == 2
    assert "[whatsapp] access_token is required" in proc.output


def test_demo_refuses_real_credentials(tmp_path):
    proc = ApplianceProcess("demo", "--config", str(write_config(tmp_path)))
    assert proc.wait(15) == 2
    assert "demo mode refuses to start with real WhatsApp credentials" in proc.output


def test_systemd_notify_ready_watchdog_stopping(tmp_path):
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(10)
        proc = ApplianceProcess(
            "serve",
            "--config",
            str(write_config(tmp_path)),
            env={"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "200000"},
        )
        seen = []
        while "WATCHDOG=1" not in seen or seen.count("WATCHDOG=1") < 2:
            seen.append(sock.recv(256).decode())
        assert seen[0] == "READY=1"
        proc.proc.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in seen:
            seen.append(sock.recv(256).decode())
        assert proc.wait() == 0


def test_user_add_reads_password_from_stdin_not_argv(tmp_path):
    import subprocess

    path = write_config(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "appliance",
            "user",
            "add",
            "sindaco",
            "--config",
            str(path),
            "--password-stdin",
        ],
        input="una-password-lunga\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "user 'sindaco' created with role admin" in done.stdout
    short = subprocess.run(
        [
            sys.executable,
            "-m",
            "appliance",
            "user",
            "add",
            "vice",
            "--config",
            str(path),
            "--password-stdin",
        ],
        input="corta\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert short.returncode == 1
    assert "at least 10 characters" in short.stdout


def test_check_reports_unreachable_graph_api(tmp_path):
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "appliance", "check", "--config", str(write_config(tmp_path))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert "config: ok" in done.stdout
    assert "database:" in done.stdout
    assert "graph api: cannot reach" in done.stdout


def test_demo_runs_with_the_simulator_and_prints_its_login(tmp_path):
    import sqlite3

    path = tmp_path / "demo.toml"
    path.write_text(
        '[server]\npublic_bind = "127.0.0.1:0"\nlan_bind = "127.0.0.1:0"\n[zeroconf]\nenabled = false\n'
    )
    proc = ApplianceProcess("demo", "--config", str(path), "--data", str(tmp_path / "demo"))
    try:
        public, lan = proc.wait_ready()
        assert "log in as 'demo' with password 'banditore-demo'" in proc.output
        assert httpx.get(public + "/healthz").text == "ok"
        assert httpx.get(lan + "/login").status_code == 200
    finally:
        proc.proc.send_signal(signal.SIGTERM)
        assert proc.wait() == 0
    db = sqlite3.connect(tmp_path / "demo" / "banditore.db")
    assert db.execute("SELECT role FROM users WHERE username = 'demo'").fetchone() == ("admin",)
    db.close()
