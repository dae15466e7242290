"""Broadcast engine: pacing at 80/s, throughput unthrottled, and a 100,000-subscriber campaign.

The appliance and the simulator each run as their own process (as in production, where the
Cloud API is elsewhere), so the CPU and memory figures are the appliance's alone.
(a) takes about 10,000 / 70 ≈ 143 s by design; BENCH_BROADCAST_PACED sets a smaller audience.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.appliance import PRIVACY_TOML

TOKEN = "bench-access-token"
SECRET = "bench-app-secret"
TEMPLATE = {"name": "avviso_servizio", "language": "it", "parameters": ["Via Roma", "12/10"]}
PACED = int(os.environ.get("BENCH_BROADCAST_PACED", "10000"))
UNTHROTTLED = 6000
LARGE = 100_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    match = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else float("nan")


def _wait(predicate: Any, timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"not reached within {timeout} s")


class Rig:
    """A simulator process and an appliance process wired together, with a REST client."""

    def __init__(self, folder: Path, *, sim_rate: float, throughput: int, lane: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        public, lan, sim_port = _free_port(), _free_port(), _free_port()
        self.sim_url = f"http://127.0.0.1:{sim_port}"
        self.sim = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "appliance.simulator",
                "--port",
                str(sim_port),
                "--rate",
                str(sim_rate),
                "--tier",
                "0",
                "--access-token",
                TOKEN,
                "--app-secret",
                SECRET,
                "--webhook-url",
                f"http://127.0.0.1:{public}/webhook",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.db_path = folder / "bench.db"
        self.config = folder / "bench.toml"
        self.config.write_text(
            f"""
[whatsapp]
phone_number_id = "200000000000002"
business_account_id = "100000000000001"
access_token = "{TOKEN}"
app_secret = "{SECRET}"
verify_token = "bench-verify"
api_base_url = "{self.sim_url}"
throughput_per_second = {throughput}
[campaigns]
lane_per_second = {lane}
[server]
public_bind = "127.0.0.1:{public}"
lan_bind = "127.0.0.1:{lan}"
[database]
path = "{self.db_path}"
[zeroconf]
enabled = false
{PRIVACY_TOML}[feeds]
alerts_enabled = false
[logging]
level = "WARNING"
""",
            encoding="utf-8",
        )
        _wait(lambda: self._get(f"{self.sim_url}/_sim/state"), 20)
        self.app = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve", "--config", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.lan_url = f"http://127.0.0.1:{lan}/api/v1"
        _wait(lambda: self._get(f"http://127.0.0.1:{public}/healthz"), 30)
        token = subprocess.run(
            [
                sys.executable,
                "-m",
                "appliance",
                "token",
                "create",
                "bench",
                "--role",
                "operator",
                "--config",
                str(self.config),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        self.api = httpx.Client(
            base_url=self.lan_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    @staticmethod
    def _get(url: str) -> Any:
        try:
            response = httpx.get(url, timeout=2)
        except httpx.HTTPError:
            return None
        return (
            response.json()
            if response.status_code == 200 and "json" in response.headers.get("content-type", "")
            else response.status_code == 200
        )

    def seed(self, count: int) -> None:
        """Active subscribers straight in SQL."""
        with sqlite3.connect(self.db_path, timeout=30) as conn:
            conn.executemany(
                "INSERT INTO subscribers (wa_id, status, subscribed_at) VALUES (?, 'active', 'x')",
                ((f"39333{n:07d}",) for n in range(1, count + 1)),
            )

    def accepted(self) -> int:
        """Messages the simulator accepted so far."""
        return int(httpx.get(f"{self.sim_url}/_sim/state", timeout=10).json()["accepted"])

    def campaign(self) -> int:
        """A template campaign to every active subscriber (a draft)."""
        created = self.api.post("/campaigns", json={"name": "Bench", "template": TEMPLATE})
        created.raise_for_status()
        return int(created.json()["id"])

    def sql(self, query: str) -> Any:
        """One value from the database (read-only, WAL allows it beside the appliance)."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute(query).fetchone()[0]

    def close(self) -> None:
        """Stop both processes."""
        self.api.close()
        for proc in (self.app, self.sim):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _paced(folder: Path) -> list[dict[str, Any]]:
    rig = Rig(folder, sim_rate=80, throughput=80, lane=70)
    try:
        rig.seed(PACED)
        campaign = rig.campaign()
        started = time.monotonic()
        rig.api.post(f"/campaigns/{campaign}/send").raise_for_status()
        _wait(lambda: rig.accepted() >= PACED, PACED / 70 * 2 + 60, 0.2)
        elapsed = time.monotonic() - started
        throttled = rig.sql("SELECT count(*) FROM outbox WHERE error_code = 130429")
    finally:
        rig.close()
    return [
        {
            "name": f"broadcast: {PACED} recipients at 70/s on an 80/s number",
            "value": round(elapsed, 1),
            "unit": "s",
            "target": f"<= {1.05 * PACED / 70:.1f}",
        },
        {
            "name": "broadcast: 130429 answers while paced",
            "value": throttled,
            "unit": "messages",
            "target": "0",
        },
    ]


def _unthrottled(folder: Path) -> list[dict[str, Any]]:
    rig = Rig(folder, sim_rate=100000, throughput=1000, lane=1000)
    try:
        rig.seed(UNTHROTTLED)
        campaign = rig.campaign()
        cpu_before = _cpu_seconds(rig.app.pid)
        started = time.monotonic()
        rig.api.post(f"/campaigns/{campaign}/send").raise_for_status()
        _wait(lambda: rig.accepted() >= UNTHROTTLED, 300, 0.1)
        sent_in = time.monotonic() - started
        _wait(
            lambda: rig.sql("SELECT count(*) FROM outbox WHERE state = 'read'") >= UNTHROTTLED,
            300,
            0.25,
        )
        cpu = _cpu_seconds(rig.app.pid) - cpu_before
    finally:
        rig.close()
    return [
        {
            "name": "broadcast: sustained sends, simulator unthrottled (3 statuses each)",
            "value": round(UNTHROTTLED / sent_in, 1),
            "unit": "msg/s",
            "target": ">= 200",
        },
        {
            "name": "broadcast: appliance CPU per delivered message (send + 3 statuses)",
            "value": round(cpu * 1000 / UNTHROTTLED, 2),
            "unit": "ms",
            "target": "report",
        },
    ]


def _large(folder: Path) -> list[dict[str, Any]]:
    # The production pace (80/s number, campaigns at 70): memory is the outbox's, not that of
    # a status backlog an unthrottled run piles up in the inbox.
    rig = Rig(folder, sim_rate=80, throughput=80, lane=70)
    try:
        rig.seed(LARGE)
        campaign = rig.campaign()
        started = time.monotonic()
        rig.api.post(f"/campaigns/{campaign}/send").raise_for_status()
        enqueue = time.monotonic() - started
        peak = 0.0
        until = time.monotonic() + 20
        while time.monotonic() < until:
            peak = max(peak, _rss_mb(rig.app.pid))
            time.sleep(0.2)
        sent = rig.accepted()
    finally:
        rig.close()
    return [
        {
            "name": f"broadcast: POST /send for {LARGE} subscribers (pre-flight + enqueue)",
            "value": round(enqueue, 2),
            "unit": "s",
            "target": "<= 2",
        },
        {
            "name": f"broadcast: peak RSS while sending to {LARGE} ({sent} sent in 20 s)",
            "value": round(peak, 1),
            "unit": "MB",
            "target": "<= 120",
        },
    ]


def run() -> list[dict[str, Any]]:
    """The three broadcast figures of issue 6."""
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        folder = Path(tmp)
        return [
            *_unthrottled(folder / "b"),
            *_large(folder / "c"),
            *_paced(folder / "a"),
        ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']}: {row['value']} {row['unit']} (target {row['target']})")  # noqa: T201
