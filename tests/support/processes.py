"""Helpers to run a real ``appliance`` process and read its log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.appliance import PRIVACY_TOML

READY = re.compile(r"Banditore ready: public (\S+), LAN (\S+)")


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A serveable config file on free ports with a temp database."""
    path = tmp_path / "banditore.toml"
    path.write_text(
        f"""
[whatsapp]
phone_number_id = "200000000000002"
access_token = "proc-access-token-123"
app_secret = "proc-app-secret-456"
verify_token = "proc-verify-token"
api_base_url = "http://127.0.0.1:9"
[server]
public_bind = "127.0.0.1:0"
lan_bind = "127.0.0.1:0"
[database]
path = "{tmp_path / "banditore.db"}"
[zeroconf]
enabled = false
{PRIVACY_TOML}[feeds]
alerts_enabled = false
{extra}
""",
        encoding="utf-8",
    )
    path.chmod(0o640)  # as install.sh leaves it: it holds secrets, others may not read it
    return path


class ApplianceProcess:
    """``python -m appliance ARGS`` with its output collected line by line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 20) -> tuple[str, str]:
        """Return (public URL, LAN URL) once the process says it is ready."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if match := READY.search(line):
                    return match.group(1), match.group(2)
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"not ready; output:\n{self.output}")

    def wait(self, timeout: float = 15) -> int:
        """Exit code; kills the process if it does not end in time."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(5)
        return code
