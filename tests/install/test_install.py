"""install.sh into a temporary root: install, upgrade, roll-back, fail-fast, uninstall, report."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess

import pytest

from tests.install.host import make_source

pytestmark = pytest.mark.slow

SECRETS = (
    "EAAG-secret-access-token-value",
    "app-secret-value-0123456789",
    "verify-token-value-abcdef",
)


def install(host, source, tmp_path, **answers):
    answers_file = host.answers(tmp_path / "answers.env", **answers)
    return host.run(source, "--unattended", str(answers_file), "--wheels", str(source / "wheels"))


def db_rows(host) -> list[str]:
    conn = sqlite3.connect(host.root / "var/lib/banditore/banditore.db")
    try:
        return [r[0] for r in conn.execute("SELECT target FROM audit_log WHERE actor = 'test'")]
    finally:
        conn.close()


def add_row(host, text: str) -> None:
    conn = sqlite3.connect(host.root / "var/lib/banditore/banditore.db", timeout=10)
    conn.execute("INSERT INTO audit_log (actor, action, target) VALUES ('test', 'row', ?)", (text,))
    conn.commit()
    conn.close()


@pytest.mark.timeout(600)
def test_unattended_install_upgrade_and_roll_back(host, source, tmp_path, deps_wheels):
    done = install(host, source, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    root = host.root
    # Layout, modes and the final screen.
    config = root / "etc/banditore/banditore.toml"
    secrets = root / "etc/banditore/secrets.toml"
    key = root / "etc/banditore/backup.key"
    assert secrets.stat().st_mode & 0o777 == 0o600 and key.stat().st_mode & 0o777 == 0o600
    assert config.stat().st_mode & 0o777 == 0o640
    assert not any(s in config.read_text() for s in SECRETS)
    assert "Rota d'Imagna" in config.read_text()
    assert f"Admin page:   http://127.0.0.1:{host.lan_port}" in out
    assert key.read_text().strip() in out  # the backup key is shown once
    assert "https://banditore.comune.example.it/webhook" in out
    install_log = root / "var/log/banditore-install.log"
    assert install_log.stat().st_mode & 0o077 == 0
    for secret in (*SECRETS, key.read_text().strip()):
        assert secret not in install_log.read_text()
    code_line = [line for line in host.journal().splitlines() if "one-time setup code" in line]
    if code_line:  # the admin shell logs a setup code at the first start
        code = code_line[-1].split("one-time setup code ")[1].split()[0]
        assert code in out and code not in install_log.read_text()
    commands = host.commands()
    assert any(c.startswith("apt-get") and "install" in c for c in commands)
    assert any(c.startswith("useradd") and "gpio" in c and "banditore" in c for c in commands)
    assert any(f"chown banditore:banditore {secrets}" == c for c in commands)
    assert any(c.startswith("systemctl enable --now banditore.service") for c in commands)
    for unit in ("banditore.service", "banditore-backup.service", "banditore-backup.timer"):
        assert str(root) in (root / "etc/systemd/system" / unit).read_text()
    verify_units(root / "etc/systemd/system")
    login_page = subprocess.run(
        ["curl", "-fsSL", f"http://127.0.0.1:{host.lan_port}/login"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert login_page.returncode == 0 and "<form" in login_page.stdout  # templates were found
    first = (root / "opt/banditore/current").resolve()

    # Upgrade to 0.1.1: backup first, config and data kept, new release running.
    add_row(host, "kept across upgrades")
    config_before, secrets_before = config.read_text(), secrets.read_text()
    newer = make_source(_folder(tmp_path, "src-0.1.1"), deps_wheels, "0.1.1")
    done = host.run(newer, "--wheels", str(newer / "wheels"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Banditore 0.1.1 is running" in done.stdout
    assert config.read_text() == config_before and secrets.read_text() == secrets_before
    assert db_rows(host) == ["kept across upgrades"]
    backups = sorted((root / "var/lib/banditore/backups").glob("*-upgrade.backup"))
    assert len(backups) == 1
    assert (root / "opt/banditore/previous").resolve() == first
    second = (root / "opt/banditore/current").resolve()
    assert second.name.startswith("0.1.1-")
    assert key.read_text().strip() not in done.stdout  # shown once, at install only

    # A broken 0.1.2: the previous release and the pre-upgrade database come back.
    add_row(host, "written by 0.1.1")
    broken = make_source(_folder(tmp_path, "src-0.1.2"), deps_wheels, "0.1.2", broken=True)
    done = host.run(broken, "--wheels", str(broken / "wheels"))
    assert done.returncode == 1
    assert "rolled back" in done.stderr
    assert (root / "opt/banditore/current").resolve() == second
    assert not list((root / "opt/banditore/releases").glob("0.1.2-*"))
    assert db_rows(host) == ["kept across upgrades", "written by 0.1.1"]
    health = subprocess.run(
        ["curl", "-fsS", f"http://127.0.0.1:{host.public_port}/healthz"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert health.stdout == "ok"

    # The debug report: useful, and without a single secret or the setup code.
    report = tmp_path / "report.txt"
    done = host.run(source, "--debug-report", str(report))
    assert done.returncode == 0, done.stderr
    text = report.read_text()
    assert "Rota d'Imagna" in text and "healthz: ok" in text and "banditore 0.1.1" in text
    for secret in (*SECRETS, key.read_text().strip()):
        assert secret not in text
    if code_line:
        assert code not in text

    # Uninstall keeps data and config; purge removes them.
    done = host.run(source, "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not (root / "opt/banditore").exists()
    assert config.exists() and (root / "var/lib/banditore/banditore.db").exists()
    assert not (root / "etc/systemd/system/banditore.service").exists()
    done = host.run(source, "--uninstall", "--purge")
    assert done.returncode == 0 and not config.exists()
    assert not (root / "var/lib/banditore").exists()


def _folder(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir()
    return folder


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
    assert any(c == "systemctl enable --now banditore-tunnel.service" for c in commands)
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
