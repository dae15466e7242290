"""A pretend host for install.sh: a temporary root and mock commands on PATH.

Every command that would change this machine (apt-get, useradd, usermod, groupadd, userdel,
chown, runuser, curl, systemctl, journalctl) is a mock that records its arguments. The
systemctl mock really runs the ExecStart= line of the unit installed in the root, so the
installed Banditore answers /healthz and its log is what journalctl shows.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LOGGING_STUB = """#!/usr/bin/env bash
printf '%s\\n' "$(basename "$0") $*" >>"${STUB_LOG}"
"""

STUBS = {
    "apt-get": LOGGING_STUB
    + """
# Installing cloudflared puts a (mock) binary on PATH, as the real package would.
if [[ " $* " == *" install "* && " $* " == *" cloudflared "* ]]; then
  printf '#!/usr/bin/env bash\\nexit 0\\n' >"${STUB_BIN}/cloudflared"
  chmod +x "${STUB_BIN}/cloudflared"
fi
""",
    "useradd": LOGGING_STUB,
    "usermod": LOGGING_STUB,
    "groupadd": LOGGING_STUB,
    "userdel": LOGGING_STUB,
    "chown": LOGGING_STUB,
    "curl": LOGGING_STUB
    + """
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --output ]]; then printf 'mock key\\n' >"$2"; fi
  shift
done
""",
    "runuser": LOGGING_STUB
    + """
while [[ $# -gt 0 && "$1" != -- ]]; do shift; done
shift
exec "$@"
""",
    "journalctl": LOGGING_STUB
    + """
cat "${STUB_STATE}/journal.log" 2>/dev/null || true
""",
    "systemctl": LOGGING_STUB
    + r"""
units=() verb="" now=false quiet=false
for arg in "$@"; do
  case "${arg}" in
    --quiet | -q) quiet=true ;;
    --now) now=true ;;
    -*) ;;
    *) if [[ -z "${verb}" ]]; then verb="${arg}"; else units+=("${arg}"); fi ;;
  esac
done
pidfile() { printf '%s/%s.pid' "${STUB_STATE}" "$1"; }
running() { [[ -f "$(pidfile "$1")" ]] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }
start_unit() {
  local unit="$1" exec_line workdir
  [[ "${unit}" == banditore.service ]] || return 0
  running "${unit}" && return 0
  exec_line="$(sed -n 's/^ExecStart=//p' "${STUB_ROOT}/etc/systemd/system/${unit}")"
  workdir="$(sed -n 's/^WorkingDirectory=//p' "${STUB_ROOT}/etc/systemd/system/${unit}")"
  # shellcheck disable=SC2086
  (cd "${workdir}" && exec setsid ${exec_line} </dev/null >>"${STUB_STATE}/journal.log" 2>&1) &
  printf '%s' "$!" >"$(pidfile "${unit}")"
}
stop_unit() {
  local unit="$1" pid
  running "${unit}" || { rm -f "$(pidfile "${unit}")"; return 0; }
  pid="$(cat "$(pidfile "${unit}")")"
  kill -TERM "${pid}"
  for _ in $(seq 100); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  rm -f "$(pidfile "${unit}")"
}
case "${verb}" in
  start) for u in "${units[@]}"; do start_unit "${u}"; done ;;
  stop) for u in "${units[@]}"; do stop_unit "${u}"; done ;;
  restart) for u in "${units[@]}"; do stop_unit "${u}"; start_unit "${u}"; done ;;
  enable) if ${now}; then for u in "${units[@]}"; do start_unit "${u}"; done; fi ;;
  disable) if ${now}; then for u in "${units[@]}"; do stop_unit "${u}"; done; fi ;;
  is-failed) exit 1 ;;
  is-active)
    if running "${units[0]}"; then ${quiet} || echo active; exit 0; fi
    ${quiet} || echo inactive
    exit 3
    ;;
esac
exit 0
""",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Host:
    """A temporary root with mock host commands; ``run`` calls install.sh against it."""

    def __init__(self, base: Path) -> None:
        self.root = base / "root"
        self.bin = base / "bin"
        self.state = base / "state"
        self.log = base / "commands.log"
        for folder in (self.root, self.bin, self.state):
            folder.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        for name, text in STUBS.items():
            path = self.bin / name
            path.write_text(text)
            path.chmod(0o755)
        self.lan_port, self.public_port = free_port(), free_port()

    def env(self, **extra: str) -> dict[str, str]:
        """Environment of an install.sh run: mocks first on PATH, nothing reaching the internet."""
        env = {
            k: v
            for k, v in os.environ.items()
            # PYTHONPATH too: the release must run what pip installed, not this checkout.
            if not k.startswith(("BANDITORE_", "APPLIANCE_", "PYTEST_")) and k != "PYTHONPATH"
        }
        env.update(
            PATH=f"{self.bin}:{env['PATH']}",
            STUB_LOG=str(self.log),
            STUB_BIN=str(self.bin),
            STUB_ROOT=str(self.root),
            STUB_STATE=str(self.state),
            BANDITORE_PYTHON=getattr(sys, "_base_executable", sys.executable),
            BANDITORE_HEALTH_TIMEOUT="60",  # a loaded CI machine starts slowly
            # The installed app must not reach the internet from a test: feeds and Meta on loopback.
            APPLIANCE_FEEDS_WEATHER_URL="http://127.0.0.1:9/forecast",
            APPLIANCE_FEEDS_ALERTS_ENABLED="false",
            APPLIANCE_WHATSAPP_API_BASE_URL="http://127.0.0.1:9",
        )
        env.update(extra)
        return env

    def answers(self, path: Path, **extra: str) -> Path:
        """An answers file for an unattended install on free loopback ports."""
        values = {
            "TOWN_NAME": "Rota d'Imagna",
            "PHONE_NUMBER_ID": "200000000000002",
            "BUSINESS_ACCOUNT_ID": "100000000000001",
            "ACCESS_TOKEN": "EAAG-secret-access-token-value",
            "APP_SECRET": "app-secret-value-0123456789",
            "VERIFY_TOKEN": "verify-token-value-abcdef",
            "PUBLIC_URL": "https://banditore.comune.example.it",
            "GPIO": "no",
            "ZEROCONF": "no",
            "LAN_BIND": f"127.0.0.1:{self.lan_port}",
            "PUBLIC_BIND": f"127.0.0.1:{self.public_port}",
            **extra,
        }
        path.write_text(
            "# answers for a test install\n"
            + "".join(f'BANDITORE_{k}="{v}"\n' for k, v in values.items() if v is not None)
        )
        return path

    def run(
        self, source: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 240
    ) -> subprocess.CompletedProcess[str]:
        """Run ``source``/install.sh --root ROOT ARGS with the mocks; never on a terminal."""
        return subprocess.run(
            ["bash", str(source / "install.sh"), "--root", str(self.root), *args],
            env=env or self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def commands(self) -> list[str]:
        """Mock commands called so far."""
        return self.log.read_text().splitlines()

    def journal(self) -> str:
        """What the installed service logged."""
        path = self.state / "journal.log"
        return path.read_text() if path.exists() else ""

    def stop_app(self) -> None:
        """Stop whatever the systemctl mock started."""
        for pidfile in self.state.glob("*.pid"):
            pid = int(pidfile.read_text())
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
            pidfile.unlink()


def make_source(target: Path, deps: Path, version: str) -> Path:
    """A copy of the repository at ``version`` with its wheels."""
    for name in ("install.sh", "pyproject.toml", ".shellcheckrc"):
        shutil.copy2(REPO / name, target / name)
    for folder in ("appliance", "systemd", "web"):
        if (REPO / folder).exists():
            shutil.copytree(
                REPO / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    pyproject = target / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"', 1)
    )
    init = target / "appliance" / "__init__.py"
    init.write_text(init.read_text().replace('"0.1.0"', f'"{version}"'))
    from tests.support.wheelhouse import build_banditore

    wheels = target / "wheels"
    wheels.mkdir()
    for wheel in deps.iterdir():
        (wheels / wheel.name).symlink_to(wheel)
    build_banditore(target, wheels)
    return target
