"""Webhook benchmark: signed POSTs at 500/s for 10 s against a real `appliance serve` process.

80% of the deliveries are status batches (what a broadcast brings back), 20% citizen
messages. The appliance runs as its own process (event processing on); this process is the
load generator, on raw keep-alive sockets so it steals as little CPU as possible. Latency is
measured from each request's *scheduled* time to its complete 200 (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.cloudapi.signature import sign  # noqa: E402
from tests.support.appliance import PRIVACY_TOML  # noqa: E402

RATE = 500
SECONDS = 10
STATUS_SHARE = 0.8
STATUSES_PER_BATCH = 5
CONNECTIONS = 16
SECRET = "bench-app-secret"
METADATA = {"display_phone_number": "390612345678", "phone_number_id": "200000000000002"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _payloads() -> tuple[list[bytes], int]:
    """Every request body, signed, and the number of distinct events they carry."""
    bodies, events = [], 0
    for i in range(RATE * SECONDS):
        if (i % 10) < STATUS_SHARE * 10:
            value = {
                "statuses": [
                    {
                        "id": f"wamid.BENCH{i:06d}",
                        "status": ("sent", "delivered", "read", "delivered", "read")[k],
                        "timestamp": str(1760000000 + i),
                        "recipient_id": f"39333{(i * 5 + k) % 100000:07d}",
                        "biz_opaque_callback_data": f"outbox:{i * 5 + k}",
                    }
                    if k < 3
                    else {
                        "id": f"wamid.BENCH{i:06d}_{k}",
                        "status": "delivered",
                        "timestamp": str(1760000000 + i),
                        "recipient_id": f"39334{(i * 5 + k) % 100000:07d}",
                    }
                    for k in range(STATUSES_PER_BATCH)
                ]
            }
            events += STATUSES_PER_BATCH
        else:
            wa_id = f"39335{i % 100000:07d}"
            value = {
                "contacts": [{"profile": {"name": "Citt\u00e0dino"}, "wa_id": wa_id}],
                "messages": [
                    {
                        "from": wa_id,
                        "id": f"wamid.IN{i:06d}",
                        "timestamp": str(1760000000 + i),
                        "type": "text",
                        "text": {"body": "Perch\u00e9 la scuola \u00e8 chiusa?"},
                    }
                ],
            }
            events += 1
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "100000000000001",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": METADATA,
                                **value,
                            },
                        }
                    ],
                }
            ],
        }
        bodies.append(json.dumps(payload, separators=(",", ":")).encode())
    return bodies, events


def _request(port: int, body: bytes) -> bytes:
    head = (
        f"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"X-Hub-Signature-256: {sign(body, SECRET)}\r\n\r\n"
    )
    return head.encode() + body


async def _load(port: int, requests: list[bytes]) -> tuple[list[float], int]:
    """Send each request at its scheduled time; return latencies (s) and non-200 count."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                scheduled, data = await queue.get()
                writer.write(data)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - scheduled)
                if b" 200 " not in status_line:
                    errors += 1
                queue.task_done()
        finally:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(CONNECTIONS)]
    start = time.perf_counter() + 0.2
    for index, data in enumerate(requests):
        due = start + index / RATE
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, data))
    await queue.join()
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    return latencies, errors


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# Deliveries not yet split, or events whose handlers have not all run.
_UNPROCESSED = (
    "SELECT (SELECT count(*) FROM webhook_deliveries WHERE split = 0)"
    " + (SELECT count(*) FROM webhook_events WHERE state = 'pending')"
)


def _query(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def run() -> list[dict]:
    """Start the appliance, offer the load, wait for processing, report the figures."""
    bodies, expected_events = _payloads()
    with tempfile.TemporaryDirectory() as tmp:
        port, lan = _free_port(), _free_port()
        db = Path(tmp) / "bench.db"
        config = Path(tmp) / "config.toml"
        config.write_text(
            f'[whatsapp]\nphone_number_id = "200000000000002"\naccess_token = "bench"\n'
            f'app_secret = "{SECRET}"\nverify_token = "bench"\napi_base_url = "http://127.0.0.1:9"\n'
            f'[server]\npublic_bind = "127.0.0.1:{port}"\nlan_bind = "127.0.0.1:{lan}"\n'
            f'[database]\npath = "{db}"\n[zeroconf]\nenabled = false\n'
            '[feeds]\nalerts_enabled = false\n[logging]\nlevel = "WARNING"\n' + PRIVACY_TOML
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve", "--config", str(config)],
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            proc.stderr.read().decode() if proc.stderr else ""
                        ) from None
                    time.sleep(0.1)
            requests = [_request(port, body) for body in bodies]
            cpu_before = _cpu_seconds(proc.pid)
            latencies, errors = asyncio.run(_load(port, requests))
            drain_start = time.monotonic()
            while _query(db, _UNPROCESSED):
                if time.monotonic() - drain_start > 60:
                    break
                time.sleep(0.1)
            drain = time.monotonic() - drain_start
            cpu = _cpu_seconds(proc.pid) - cpu_before
            peak_rss = _peak_rss_mib(proc.pid)
            stored = _query(db, "SELECT count(*) FROM webhook_events")
            distinct = _query(db, "SELECT count(DISTINCT dedupe_key) FROM webhook_events")
            deliveries = _query(db, "SELECT count(*) FROM webhook_deliveries")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    exact = stored == distinct == expected_events and deliveries == len(bodies) and not errors
    return [
        {
            "name": "webhook p50 time to 200 (500 POST/s, 10 s)",
            "value": round(p50, 2),
            "unit": "ms",
            "target": "<= 20",
        },
        {
            "name": "webhook p99 time to 200 (500 POST/s, 10 s)",
            "value": round(p99, 2),
            "unit": "ms",
            "target": "<= 100",
        },
        {"name": "webhook non-200 answers", "value": errors, "unit": "requests", "target": "0"},
        {
            "name": f"webhook events stored exactly once ({expected_events} expected)",
            "value": stored
            if exact
            else f"{stored} stored / {distinct} distinct / {deliveries} deliveries",
            "unit": "events",
            "target": f"== {expected_events}",
        },
        {
            "name": "webhook processing drain after the load (every handler done)",
            "value": round(drain, 2),
            "unit": "s",
            "target": "-",
        },
        {
            "name": "webhook CPU per event (appliance process)",
            "value": round(cpu * 1000 / expected_events, 3),
            "unit": "ms",
            "target": "-",
        },
        {
            "name": "webhook peak memory of the appliance process (RSS)",
            "value": round(peak_rss, 1),
            "unit": "MiB",
            "target": "-",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
