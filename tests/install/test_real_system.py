"""install.sh on a real Debian 12 booted with systemd (systemd-nspawn), no command stubbed.

One box lives through the tests in file order, as a real one would: install, crash and hang,
backup, upgrade (adding a tunnel that fails), a broken upgrade rolled back, a full disk during
the build, debug report, uninstall and purge, then a first install that does not start.
Each test needs only an installed box, so any one of them can also run alone.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import shutil
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.support.machine import Machine, cached_root

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

SECRETS = {
    "ACCESS_TOKEN": "EAAG-real-system-access-token",
    "APP_SECRET": "real-system-app-secret-0123456789",
    "VERIFY_TOKEN": "real-system-verify-token-abcdef",
}
TUNNEL_TOKEN = base64.b64encode(
    json.dumps({"a": "account", "t": "tunnel-id", "s": "dHVubmVsLXNlY3JldA=="}).encode()
).decode()
CODE = re.compile(r"^ +([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}) ", re.M)
PASSWORD = "una-password-lunga"
DB = "/var/lib/banditore/banditore.db"
# The installed app must not reach the internet: feeds and Meta point at a closed loopback port.
LOOPBACK_DROP_IN = """[Service]
Environment=APPLIANCE_FEEDS_WEATHER_URL=http://127.0.0.1:9/forecast
Environment=APPLIANCE_FEEDS_ALERTS_ENABLED=false
Environment=APPLIANCE_WHATSAPP_API_BASE_URL=http://127.0.0.1:9
"""


def requirements() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root: debootstrap, overlay mounts and systemd-nspawn")
    missing = [t for t in ("debootstrap", "systemd-nspawn", "nsenter") if not shutil.which(t)]
    if missing:
        pytest.fail(f"missing {missing}: scripts/test installs debootstrap and systemd-container")


class Box:
    """The booted machine, the ports its Banditore listens on, and what install.sh printed."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.lan_port, self.public_port = quiet_port(), quiet_port()
        self.lan = f"http://127.0.0.1:{self.lan_port}"
        self.public = f"http://127.0.0.1:{self.public_port}"
        self.first_output = ""

    def answers(self, **extra: str) -> str:
        values = {
            "TOWN_NAME": "Rota d'Imagna",
            "PHONE_NUMBER_ID": "200000000000002",
            "BUSINESS_ACCOUNT_ID": "100000000000001",
            **SECRETS,
            "GPIO": "no",
            "ZEROCONF": "no",
            "LAN_BIND": f"127.0.0.1:{self.lan_port}",
            "PUBLIC_BIND": f"127.0.0.1:{self.public_port}",
            **extra,
        }
        path = self.machine.root / "root/answers.env"
        path.write_text("".join(f'BANDITORE_{k}="{v}"\n' for k, v in values.items()))
        return "/root/answers.env"

    def install_sh(self, source: str, *args: str):
        return self.machine.run(f"cd {source} && ./install.sh {' '.join(args)}", timeout=900)

    def service(self, *props: str) -> dict[str, str]:
        out = self.machine.out(f"systemctl show banditore.service -p {','.join(props)}")
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.public}/healthz", timeout=3).text == "ok"
        except httpx.HTTPError:
            return False

    def wait_for(self, what, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if what():
                return
            time.sleep(0.5)
        raise AssertionError(f"not reached in {timeout} s: {what.__doc__ or what}")

    def sql(self, query: str) -> str:
        return self.machine.out(f"runuser -u banditore -- sqlite3 {DB} {quote(query)}").strip()

    def current(self) -> str:
        return self.machine.out("readlink -f /opt/banditore/current").strip()

    def variant(self, name: str, version: str, *, migration: bool = False, broken: bool = False):
        """The checkout copied in as another release: newer, with a migration, or broken."""
        folder = self.machine.copy_checkout(f"/root/{name}")
        for path, pattern in (
            (folder / "pyproject.toml", r'^version = ".*"$'),
            (folder / "appliance/__init__.py", r'^__version__ = ".*"$'),
        ):
            key = pattern.split(" ")[0].lstrip("^")
            text = re.sub(pattern, f'{key} = "{version}"', path.read_text(), count=1, flags=re.M)
            path.write_text(text)
        if migration:
            [migrations] = [p for p in (folder / "appliance").rglob("migrations") if p.is_dir()]
            number = max(int(p.name[:4]) for p in migrations.glob("[0-9]*.sql")) + 1
            (migrations / f"{number:04d}_upgrade_test.sql").write_text(
                "CREATE TABLE upgrade_test_marker (id INTEGER PRIMARY KEY);\n"
            )
        if broken:
            break_create_app(folder)
        return f"/root/{name}"


def quiet_port() -> int:
    """A free port below the ephemeral range, which other tests' sockets and connections use."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(100):
        port = random.randrange(max(1024, low - 12000), low)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def break_create_app(folder) -> None:
    """create_app changes the database, then raises: a release that can never start."""
    [source] = [
        p for p in (folder / "appliance").rglob("*.py") if "def create_app(" in p.read_text()
    ]
    text = source.read_text()
    head, rest = text.split("def create_app(", 1)
    signature, body = rest.split("\n", 1)
    docstring, after = body.split("\n", 1)
    sabotage = (
        "    import sqlite3 as _sqlite3\n"
        '    _conn = _sqlite3.connect(config.values["database"]["path"])\n'
        '    _conn.execute("CREATE TABLE IF NOT EXISTS broken_release_was_here (x)")\n'
        "    _conn.commit()\n"
        "    _conn.close()\n"
        '    raise RuntimeError("this release is broken on purpose (roll-back test)")\n'
    )
    source.write_text(f"{head}def create_app({signature}\n{docstring}\n{sabotage}{after}")


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    requirements()
    started = time.monotonic()
    lower = cached_root()
    print(f"\ncached Debian root ready in {time.monotonic() - started:.0f} s: {lower}")
    machine = Machine(lower, tmp_path_factory.mktemp("machine"), f"bt-{os.getpid()}")
    try:
        booted = time.monotonic()
        machine.boot()
        print(f"booted with systemd in {time.monotonic() - booted:.0f} s")
        the_box = Box(machine)
        # /opt on its own small filesystem, as on a card with a separate partition: the
        # full-disk test fills it. The loopback drop-in is what `systemctl edit` would write.
        machine.out("mount -t tmpfs -o size=1200m tmpfs /opt")
        drop_in = machine.root / "etc/systemd/system/banditore.service.d"
        drop_in.mkdir(parents=True)
        (drop_in / "loopback.conf").write_text(LOOPBACK_DROP_IN)
        machine.copy_checkout("/root/banditore")
        installed = time.monotonic()
        done = the_box.install_sh("/root/banditore", "--unattended", the_box.answers())
        print(f"install.sh in {time.monotonic() - installed:.0f} s")
        assert done.returncode == 0, done.stdout + done.stderr
        the_box.first_output = done.stdout
        yield the_box
    finally:
        machine.stop()


def test_unattended_install_is_live_under_systemd(box):
    out = box.first_output
    assert "Banditore 0.1.0 is running" in out and f"Admin page:   {box.lan}" in out
    state = box.service("Type", "ActiveState", "SubState", "WatchdogUSec", "DropInPaths")
    # Type=notify is "active" only once the app sent READY=1.
    assert state["Type"] == "notify" and state["ActiveState"] == "active", state
    assert state["SubState"] == "running" and state["WatchdogUSec"] == "30s"
    assert "loopback.conf" in state["DropInPaths"]
    assert box.healthy()
    assert box.machine.out(
        "systemctl is-enabled banditore.service banditore-backup.timer"
    ).split() == [
        "enabled",
        "enabled",
    ]
    # The admin UI's files come from the wheel: no link to the checkout anywhere.
    release = box.current()
    assert (
        box.machine.run(
            f"test -d {release}/venv/lib/python3.11/site-packages/appliance/web"
        ).returncode
        == 0
    )
    assert box.machine.out(f"find {release} -type l -lname '*web*'").strip() == ""
    assert "text/css" in httpx.get(f"{box.lan}/static/app.css").headers["content-type"]

    # The first admin, with the code printed by the installer (and nowhere else).
    [code] = CODE.findall(out)
    http = httpx.Client(base_url=box.lan, headers={"Origin": box.lan}, timeout=10)
    assert http.get("/").headers["location"].startswith("/login")
    assert http.get("/setup").status_code == 200
    form = {"username": "sindaco", "password": PASSWORD, "password2": PASSWORD, "code": code}
    assert http.post("/setup", data=form).status_code == 303
    assert http.get("/").status_code == 200
    journal = box.machine.out("journalctl -u banditore.service -o cat --no-pager")
    assert "sudo appliance setup-code" in journal  # the hint is logged, the code is not
    assert code not in journal and code.replace("-", "") not in journal
    assert code not in box.machine.out("cat /var/log/banditore-install.log")
    again = box.machine.run(
        "/opt/banditore/current/venv/bin/appliance setup-code --config /etc/banditore/banditore.toml"
    )
    assert again.returncode == 1 and "an admin account exists already" in again.stdout


def test_a_killed_process_and_a_hung_one_are_restarted(box):
    pid = box.service("MainPID")["MainPID"]
    box.machine.out(f"kill -9 {pid}")
    box.wait_for(lambda: box.service("MainPID")["MainPID"] not in (pid, "0") and box.healthy(), 60)

    hung = box.service("MainPID")["MainPID"]
    box.machine.out(f"kill -STOP {hung}")
    # WatchdogSec=30: no ping for 30 s and systemd kills and restarts it.
    box.wait_for(
        lambda: box.service("MainPID")["MainPID"] not in (hung, "0") and box.healthy(), 120
    )
    journal = box.machine.out("journalctl -u banditore.service -o cat --no-pager")
    assert "Watchdog timeout" in journal


def test_the_backup_service_writes_an_encrypted_backup(box):
    before = box.machine.out("ls /var/lib/banditore/backups 2>/dev/null || true").split()
    box.machine.out("systemctl start banditore-backup.service", timeout=300)
    after = box.machine.out("ls /var/lib/banditore/backups").split()
    new = [name for name in after if name not in before and name.endswith(".backup")]
    assert new, after
    data = box.machine.out(f"head -c 64 /var/lib/banditore/backups/{new[0]} | od -c")
    assert "SQLite format" not in data  # encrypted, not a plain copy of the database


def test_rerun_is_an_upgrade_keeping_config_and_data_with_migrations_applied(box):
    config = box.machine.out("sha256sum /etc/banditore/banditore.toml /etc/banditore/secrets.toml")
    version = int(box.sql("PRAGMA user_version"))
    first = box.current()
    # The upgrade also adds a tunnel; cloudflared comes from Cloudflare's repository, out of
    # reach here, so a stand-in that cannot connect is put where the package installs it.
    box.machine.out(
        "printf '#!/bin/sh\\necho \"fake cloudflared: no route to Cloudflare\" >&2\\nexit 1\\n'"
        " >/usr/bin/cloudflared && chmod +x /usr/bin/cloudflared"
    )
    source = box.variant("upgrade", "0.1.1", migration=True)
    done = box.install_sh(source, "--unattended", box.answers(TUNNEL_TOKEN=TUNNEL_TOKEN))
    assert done.returncode == 3, done.stdout + done.stderr  # 3: running, but no tunnel
    assert "Banditore 0.1.1 is running" in done.stdout
    assert "WARNING: the tunnel (banditore-tunnel.service) did not start" in done.stderr
    tunnel_log = box.machine.out("journalctl -u banditore-tunnel.service -o cat --no-pager")
    assert "fake cloudflared: no route to Cloudflare" in tunnel_log
    assert (
        box.machine.out("sha256sum /etc/banditore/banditore.toml /etc/banditore/secrets.toml")
        == config
    )
    assert int(box.sql("PRAGMA user_version")) == version + 1
    assert box.sql("SELECT username FROM users") == "sindaco"
    assert box.current().split("/")[-1].startswith("0.1.1-")
    assert box.machine.out("readlink -f /opt/banditore/previous").strip() == first
    assert box.machine.out("ls /var/lib/banditore/backups").count("-upgrade.backup") >= 1
    assert box.healthy()
    http = httpx.Client(base_url=box.lan, headers={"Origin": box.lan}, timeout=10)
    login = http.post("/login", data={"username": "sindaco", "password": PASSWORD})
    assert login.status_code == 303 and http.get("/").status_code == 200


def test_a_broken_release_is_rolled_back_to_the_previous_one_and_its_data(box):
    good, version = box.current(), box.sql("PRAGMA user_version")
    source = box.variant("broken", "0.1.2", broken=True)
    started = time.monotonic()
    done = box.install_sh(source)
    print(f"broken upgrade and roll-back in {time.monotonic() - started:.0f} s")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "failed and was rolled back" in done.stderr
    assert "this release is broken on purpose" in done.stdout + done.stderr  # the log is shown
    assert box.current() == good
    assert "0.1.2-" not in box.machine.out("ls /opt/banditore/releases")
    assert box.service("ActiveState")["ActiveState"] == "active" and box.healthy()
    # The database is the backup taken before the upgrade, not what the broken one left.
    assert box.sql("PRAGMA user_version") == version
    assert box.sql("SELECT name FROM sqlite_master WHERE name = 'broken_release_was_here'") == ""
    assert box.sql("SELECT username FROM users") == "sindaco"


def test_a_full_disk_during_the_build_changes_nothing(box):
    good = box.current()
    releases = box.machine.out("ls /opt/banditore/releases")
    free_kb = int(box.machine.out("df -Pk /opt | awk 'NR == 2 {print $4}'"))
    box.machine.out(f"fallocate -l {(free_kb - 4096) * 1024} /opt/ballast")
    try:
        done = box.install_sh(box.variant("upgrade", "0.1.3"))
    finally:
        box.machine.out("rm -f /opt/ballast")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "could not be built" in done.stderr and "keeps running" in done.stderr
    assert box.machine.out("ls /opt/banditore/releases") == releases
    assert box.current() == good and box.healthy()


def test_the_debug_report_masks_every_secret(box):
    done = box.install_sh("/root/banditore", "--debug-report", "/root/report.txt")
    assert done.returncode == 0, done.stderr
    report = box.machine.out("cat /root/report.txt")
    assert "healthz: ok" in report and re.search(r"banditore 0\.1\.\d", report)
    assert "===== tunnel log =====" in report
    secrets = [*SECRETS.values(), *secret_values(box)]
    for secret in secrets:
        assert secret not in report, secret


def secret_values(box) -> list[str]:
    """Every secret the box holds: secrets.toml's values, the backup key, a tunnel token."""
    out = box.machine.out(
        "sed -n 's/^[a-z_]* *= *\"\\(.*\\)\"$/\\1/p' /etc/banditore/secrets.toml; "
        "cat /etc/banditore/backup.key; cat /etc/banditore/tunnel.token 2>/dev/null || true"
    )
    return [line.strip() for line in out.splitlines() if len(line.strip()) >= 8]


def test_uninstall_keeps_the_data_and_purge_removes_it(box):
    done = box.install_sh("/root/banditore", "--uninstall")
    assert done.returncode == 0, done.stderr
    assert box.machine.run("test -e /opt/banditore").returncode != 0
    assert box.machine.run("test -e /etc/systemd/system/banditore.service").returncode != 0
    assert not box.healthy()
    assert box.machine.run(f"test -f /etc/banditore/banditore.toml -a -f {DB}").returncode == 0
    done = box.install_sh("/root/banditore", "--uninstall", "--purge")
    assert done.returncode == 0, done.stderr
    assert box.machine.run("test -e /etc/banditore -o -e /var/lib/banditore").returncode != 0
    assert box.machine.run("id banditore").returncode != 0


def test_a_first_install_that_does_not_start_leaves_nothing_running(box):
    box.install_sh("/root/banditore", "--uninstall", "--purge")
    done = box.install_sh(
        box.variant("broken", "0.1.2", broken=True), "--unattended", box.answers()
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "did not come up healthy" in done.stderr and "run install.sh again" in done.stderr
    assert box.machine.run("systemctl is-enabled banditore.service").stdout.strip() != "enabled"
    assert box.machine.run("systemctl is-active banditore.service").stdout.strip() != "active"
    assert box.machine.run("test -e /opt/banditore/current").returncode != 0
    assert box.machine.out("ls /opt/banditore/releases").strip() == ""
