"""Time from process start to both listeners accepting, and idle resident memory."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.appliance import PRIVACY_TOML

RUNS = 5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _one_run(folder: Path) -> tuple[float, float]:
    public, lan = _free_port(), _free_port()
    config = folder / "bench.toml"
    config.write_text(
        f"""
[whatsapp]
phone_number_id = "200000000000002"
access_token = "bench-token"
app_secret = "bench-secret"
verify_token = "bench-verify"
api_base_url = "http://127.0.0.1:9"
[server]
public_bind = "127.0.0.1:{public}"
lan_bind = "127.0.0.1:{lan}"
[database]
path = "{folder / "bench.db"}"
[zeroconf]
enabled = false
{PRIVACY_TOML}[feeds]
alerts_enabled = false
[logging]
level = "WARNING"
""",
        encoding="utf-8",
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "appliance", "serve", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    try:
        while not (_accepts(public) and _accepts(lan)):
            if proc.poll() is not None:
                raise RuntimeError("appliance exited during start")
            if time.perf_counter() - started > 30:
                raise RuntimeError("appliance did not start in 30 s")
            time.sleep(0.005)
        ready = time.perf_counter() - started
        time.sleep(5)  # let start-up work settle: this is the idle figure
        rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(15)
    return ready, rss


def run() -> list[dict]:
    """Median of several cold starts (the first one creates the database)."""
    with tempfile.TemporaryDirectory() as tmp:
        results = [_one_run(Path(tmp)) for _ in range(RUNS)]
    starts = [r[0] for r in results]
    rss = [r[1] for r in results]
    return [
        {
            "name": "start to both listeners accepting (median)",
            "value": f"{statistics.median(starts):.2f}",
            "unit": "s",
            "target": "≤ 2 s",
        },
        {
            "name": "start, slowest run",
            "value": f"{max(starts):.2f}",
            "unit": "s",
            "target": "≤ 2 s",
        },
        {
            "name": "idle resident memory (median)",
            "value": f"{statistics.median(rss):.0f}",
            "unit": "MB",
            "target": "≤ 80 MB",
        },
    ]
