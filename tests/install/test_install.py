"""install.sh into a temporary root with stubbed host commands: what must stop before any change,
and the named tunnel (whose package is out of reach of the real-system test).

Install, upgrade, roll-back, watchdog, uninstall and the debug report run for real, on a booted
Debian: tests/install/test_real_system.py.
"""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

pytestmark = pytest.mark.slow


def install(host, source, tmp_path, **answers):
    answers_file = host.answers(tmp_path / "answers.env", **answers)
    return host.run(source, "--unattended", str(answers_file), "--wheels", str(source / "wheels"))


def verify_units(unit_dir):
    """systemd-analyze verify on the units as installed (their paths point into the root)."""
    units = sorted(str(p) for p in unit_dir.iterdir() if p.suffix in (".service", ".timer"))
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_no_terminal_and_missing_answers_stops_at_once(host, source):
    done = host.run(source, env=host.env(BANDITORE_TOWN_NAME="Rota d'Imagna"))
    assert done.returncode == 2
    for missing in ("PHONE_NUMBER_ID", "BUSINESS_ACCOUNT_ID", "ACCESS_TOKEN", "APP_SECRET"):
        assert f"BANDITORE_{missing}" in done.stderr
    assert "BANDITORE_TOWN_NAME" not in done.stderr
    assert host.commands() == []  # nothing was changed
    assert not (host.root / "etc").exists() and not (host.root / "opt").exists()


@pytest.mark.parametrize(
    "answers",
    [{"TUNNEL_TOKEN": "quick"}, {"PUBLIC_URL": "https://odd-words-here.trycloudflare.com"}],
    ids=["quick-token", "trycloudflare-url"],
)
def test_quick_tunnels_are_refused(host, source, tmp_path, answers):
    done = install(host, source, tmp_path, **answers)
    assert done.returncode == 1 and "quick tunnels are refused" in done.stderr
    assert host.commands() == []


def test_named_tunnel_from_cloudflares_repository(host, source, tmp_path):
    token = base64.b64encode(json.dumps({"a": "acc", "t": "tunnel-id", "s": "c2VjcmV0"}).encode())
    done = install(host, source, tmp_path, TUNNEL_TOKEN=token.decode())
    assert done.returncode == 0, done.stdout + done.stderr
    commands = host.commands()
    assert any("pkg.cloudflare.com/cloudflare-main.gpg" in c for c in commands)
    assert any(
        c.startswith("apt-get") and c.endswith("install -y -q cloudflared") for c in commands
    )
    sources = (host.root / "etc/apt/sources.list.d/cloudflared.list").read_text()
    assert "https://pkg.cloudflare.com/cloudflared any main" in sources
    token_file = host.root / "etc/banditore/tunnel.token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    unit = (host.root / "etc/systemd/system/banditore-tunnel.service").read_text()
    assert token.decode() not in unit and "LoadCredential=tunnel-token:" in unit
    ingress = (host.root / "etc/banditore/cloudflared.yml").read_text()
    assert f"http://127.0.0.1:{host.public_port}" in ingress and "http_status:404" in ingress
    assert "systemctl enable banditore-tunnel.service" in commands
    assert "systemctl restart banditore-tunnel.service" in commands
    verify_units(host.root / "etc/systemd/system")
    report = tmp_path / "report.txt"
    assert host.run(source, "--debug-report", str(report)).returncode == 0
    assert token.decode() not in report.read_text()


def test_bad_tunnel_token_is_refused_before_any_change(host, source, tmp_path):
    done = install(host, source, tmp_path, TUNNEL_TOKEN="not-a-token")
    assert done.returncode == 1 and "not a Cloudflare tunnel token" in done.stderr
    assert host.commands() == []


def test_busy_port_is_reported(host, source, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", host.lan_port))
        busy.listen()
        done = install(host, source, tmp_path)
    assert done.returncode == 1 and f"port {host.lan_port} is already used" in done.stderr
    assert not any(c.startswith("apt-get") for c in host.commands())
