"""kill -9 of a real `appliance serve` mid-campaign, several times: nobody missed, few twice."""

from __future__ import annotations

import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import httpx
import pytest

from tests.support.engine import template_campaign
from tests.support.processes import ApplianceProcess, write_config
from tests.support.simulator import RunningSimulator
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

RECIPIENTS = 2500
KILLS = 4
MAX_IN_FLIGHT = 24
GRACE = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(tmp_path, sim_url: str, public: int, lan: int) -> str:
    return str(
        write_config(
            tmp_path,
            simulator_url=sim_url,
            server={"public_bind": f"127.0.0.1:{public}", "lan_bind": f"127.0.0.1:{lan}"},
            campaigns={"max_in_flight": MAX_IN_FLIGHT, "inflight_grace_seconds": GRACE},
        )
    )


def _seed(db_path, count: int) -> list[str]:
    wa_ids = [f"39333{n:07d}" for n in range(1, count + 1)]
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "INSERT INTO subscribers (wa_id, status, subscribed_at) VALUES (?, 'active', 'x')",
            [(w,) for w in wa_ids],
        )
    return wa_ids


@pytest.mark.timeout(400)
def test_kill_9_at_random_moments_loses_nobody_and_duplicates_at_most_in_flight(tmp_path):
    sim = RunningSimulator(tier=0).start()
    procs: list[ApplianceProcess] = []
    try:
        public, lan = _free_port(), _free_port()
        config = _config(tmp_path, sim.url, public, lan)
        sim.settings.webhook_url = f"http://127.0.0.1:{public}/webhook"

        def serve() -> ApplianceProcess:
            proc = ApplianceProcess("serve", "--config", config)
            procs.append(proc)
            proc.wait_ready(30)
            return proc

        proc = serve()
        people = _seed(tmp_path / "banditore.db", RECIPIENTS)
        token = subprocess.run(
            [
                sys.executable,
                "-m",
                "appliance",
                "token",
                "create",
                "crash",
                "--role",
                "operator",
                "--config",
                config,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{lan}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        created = api.post("/campaigns", json=template_campaign("Crash"))
        assert created.status_code == 201, created.text
        campaign = created.json()["id"]
        assert api.post(f"/campaigns/{campaign}/send").json()["status"] == "sending"

        rng = random.Random()
        moments = sorted(rng.sample(range(200, RECIPIENTS - 400), KILLS))
        for moment in moments:
            wait_until(lambda m=moment: len(sim.messages()) >= m, 120, interval=0.02)
            time.sleep(rng.uniform(0, 0.2))  # anywhere in a claim, a send or a commit
            os.kill(proc.proc.pid, signal.SIGKILL)
            proc.wait(10)
            proc = serve()

        done = wait_until(
            lambda: (d := api.get(f"/campaigns/{campaign}").json())["status"] == "done" and d,
            180,
            interval=0.5,
        )
        received = Counter(m["to"] for m in sim.messages())
        missing = [p for p in people if received[p] == 0]
        twice = sum(n - 1 for n in received.values() if n > 1)
        assert missing == []
        assert twice <= KILLS * MAX_IN_FLIGHT, f"{twice} duplicates"
        assert set(received) == set(people)
        assert done["counts"]["failed"] == 0 and done["counts"]["queued"] == 0
        print(f"kills at {moments}: {twice} duplicate(s)")  # noqa: T201 - the figure to report
    finally:
        for p in procs:
            if p.proc.poll() is None:
                p.proc.terminate()
                p.wait(15)
        sim.stop()
