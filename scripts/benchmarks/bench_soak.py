"""Soak: steady citizen traffic and a broadcast at once, then a flood of held connections.

The appliance and the simulator run as their own processes. For SOAK_SECONDS (10 minutes;
``--quick``: 90 s) citizens write at CITIZEN_RATE (menu, subscribe, STOP in turn) while a
campaign goes to SUBSCRIBERS people and their statuses come back as webhooks. RSS, open
files and the database size are sampled every SAMPLE_SECONDS: they should stay flat. At the
end 500 stalled /webhook connections are held at once and the peak RSS is measured.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scripts.benchmarks.bench_broadcast import Rig, _wait  # noqa: E402
from scripts.benchmarks.flood import flood, open_files, rss_mb  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
SOAK_SECONDS = 90 if QUICK else 600
SAMPLE_SECONDS = 5 if QUICK else 20
CITIZEN_RATE = 4.0  # citizen messages per second
CITIZENS = 300  # distinct numbers writing
SUBSCRIBERS = 3000 if QUICK else 20_000
HELD = 500
WORDS = ("MENU", "ISCRIVIMI", "STOP")
# Filled by run(): the over-time table the report shows under the figures.
SECTIONS: list[str] = []


def _db_mb(rig: Rig) -> float:
    files = [rig.db_path, rig.db_path.with_name(rig.db_path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 1024 / 1024


def _citizens(rig: Rig, stop: threading.Event, sent: list[str]) -> None:
    """Citizens writing at a steady rate through the simulator (which opens their window)."""
    with httpx.Client(base_url=f"{rig.sim_url}/_sim", timeout=30) as sim:
        n = 0
        started = time.monotonic()
        while not stop.is_set():
            wa_id = f"39340{n % CITIZENS:07d}"
            word = WORDS[(n // CITIZENS) % len(WORDS)]
            sim.post("/inbound", json={"from": wa_id, "type": "text", "text": word})
            sent.append(wa_id)
            n += 1
            stop.wait(max(0.0, started + n / CITIZEN_RATE - time.monotonic()))


def _received(rig: Rig) -> int:
    """Citizen messages the conversation has recorded."""
    return int(rig.sql("SELECT count(*) FROM chat_messages WHERE direction = 'in'"))


def _answered(rig: Rig) -> int:
    """Citizen messages followed by an answer to the same citizen."""
    return int(
        rig.sql(
            "SELECT count(*) FROM chat_messages i WHERE i.direction = 'in' AND EXISTS"
            " (SELECT 1 FROM chat_messages o WHERE o.subscriber_id = i.subscriber_id"
            " AND o.direction = 'out' AND o.id > i.id)"
        )
    )


def _public_port(rig: Rig) -> int:
    match = re.search(r'public_bind = "127\.0\.0\.1:(\d+)"', rig.config.read_text())
    assert match is not None
    return int(match.group(1))


def run() -> list[dict[str, Any]]:
    """Run the soak and return its figures."""
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    rig = Rig(folder, sim_rate=80, throughput=80, lane=70)
    samples: list[tuple[float, float, int, float]] = []
    sent: list[str] = []
    stop = threading.Event()
    try:
        rig.seed(SUBSCRIBERS)
        pid = rig.app.pid
        campaign = rig.campaign()
        traffic = threading.Thread(target=_citizens, args=(rig, stop, sent), daemon=True)
        started = time.monotonic()
        traffic.start()
        rig.api.post(f"/campaigns/{campaign}/send").raise_for_status()
        while (elapsed := time.monotonic() - started) < SOAK_SECONDS:
            samples.append((elapsed, rss_mb(pid), open_files(pid), _db_mb(rig)))
            time.sleep(SAMPLE_SECONDS)
        stop.set()
        traffic.join(30)
        samples.append((time.monotonic() - started, rss_mb(pid), open_files(pid), _db_mb(rig)))
        statuses = int(rig.sql("SELECT count(*) FROM message_statuses"))
        delivered = int(rig.sql(f"SELECT count(*) FROM outbox WHERE campaign_id = {campaign}"))
        with contextlib.suppress(RuntimeError):  # reported below as a share, not raised
            _wait(lambda: _answered(rig) >= _received(rig) * 0.95, 120, 1.0)
        received, answered = _received(rig), _answered(rig)
        held = flood(pid, "127.0.0.1", _public_port(rig), HELD)
    finally:
        stop.set()
        rig.close()
    # The first minute warms caches up; "flat" is judged from then on.
    warm = [s for s in samples if s[0] >= 60] or samples
    rss = [s[1] for s in warm]
    files = [s[2] for s in warm]
    SECTIONS[:] = [
        "### Soak over time\n\n| s | RSS MB | open files | database MB |\n|---|---|---|---|\n"
        + "\n".join(f"| {t:.0f} | {r:.1f} | {f} | {d:.1f} |" for t, r, f, d in samples)
    ]
    return [
        {"name": "soak length", "value": round(samples[-1][0]), "unit": "s", "target": "-"},
        {
            "name": "citizen messages (menu, subscribe, STOP)",
            "value": len(sent),
            "unit": "msgs",
            "target": f"{CITIZEN_RATE:g}/s steady",
        },
        {
            "name": "citizen messages answered",
            "value": f"{answered} of {received} recorded",
            "unit": "",
            "target": "all, within 2 min of the end",
        },
        {
            "name": "broadcast rows / statuses back",
            "value": f"{delivered} / {statuses}",
            "unit": "",
            "target": f"{SUBSCRIBERS} recipients",
        },
        {
            "name": "RSS after warm-up, first → last (max)",
            "value": f"{rss[0]:.0f} → {rss[-1]:.0f} ({max(rss):.0f})",
            "unit": "MB",
            "target": "flat: last ≤ first + 20 MB",
        },
        {
            "name": "open files after warm-up, first → last (max)",
            "value": f"{files[0]} → {files[-1]} ({max(files)})",
            "unit": "",
            "target": "flat: last ≤ first + 5",
        },
        {
            "name": "database size, start → end",
            "value": f"{samples[0][3]:.1f} → {samples[-1][3]:.1f}",
            "unit": "MB",
            "target": "grows with the rows kept, no runaway WAL",
        },
        {
            "name": f"peak RSS with {HELD} held /webhook connections",
            "value": round(held["peak"], 1),
            "unit": "MB",
            "target": "≤ 150 MB",
        },
        {
            "name": "RSS before → after the flood",
            "value": f"{held['before']:.0f} → {held['after']:.0f}",
            "unit": "MB",
            "target": "no growth with repeated floods",
        },
    ]
