"""Helpers to run a real ``appliance`` process and read its log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.support.appliance import appliance_settings

READY = re.compile(r"Banditore ready: public (\S+), LAN (\S+)")


# Credentials of their own, so a test can check they never reach the process's log.
PROCESS_CREDENTIALS = {
    "phone_number_id": "200000000000002",
    "access_token": "proc-access-token-123",
    "app_secret": "proc-app-secret-456",
    "verify_token": "proc-verify-token",
}


def write_config(
    folder: Path, *, simulator_url: str = "", name: str = "banditore", **sections: dict[str, Any]
) -> Path:
    """A serveable config file: the tests' settings (free ports, a database beside it) with
    ``sections`` merged over them; talking to the simulator at ``simulator_url`` (with its
    credentials), else to nobody with credentials of its own."""
    settings = appliance_settings(folder, database={"path": str(folder / f"{name}.db")})
    if simulator_url:
        settings["whatsapp"]["api_base_url"] = simulator_url
    else:
        settings["whatsapp"] = {**PROCESS_CREDENTIALS, "api_base_url": "http://127.0.0.1:9"}
    settings["feeds"]["weather_url"] = "http://127.0.0.1:9/forecast"  # no network here
    for section, values in sections.items():
        settings.setdefault(section, {}).update(values)
    path = folder / f"{name}.toml"
    path.write_text(
        "\n".join(
            f"[{section}]\n" + "".join(f"{key} = {_toml(v)}\n" for key, v in values.items())
            for section, values in settings.items()
        ),
        encoding="utf-8",
    )
    path.chmod(0o640)  # as install.sh leaves it: it holds secrets, others may not read it
    return path


def _toml(value: Any) -> str:
    """One TOML value (JSON's strings, numbers and lists are TOML's too)."""
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value)


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
