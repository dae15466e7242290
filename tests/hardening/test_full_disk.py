"""A full disk during a webhook burst: nothing acknowledged is lost, every citizen answered once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.citizen import conversation_config, start_appliance
from tests.support.waiting import wait_until
from tests.support.webhooks import sign

pytestmark = pytest.mark.slow

SIZE = "12m"  # the filesystem of the data folder: small enough to fill in a moment
BURST = 16


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 12 MB tmpfs mounted for the test; skipped where this machine cannot mount one."""
    mount = tmp_path / "data"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Write a file until the filesystem has no byte left."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (65536, 512, 1):  # big blocks, then what is left of the last one
            with contextlib.suppress(OSError):
                while out.write(b"\0" * size):
                    pass
    return filler


def _message(wa_id: str, n: int) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390612345678", "phone_number_id": "200000000000002"},
        "contacts": [{"profile": {"name": f"Cittadino {n}"}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": f"wamid.FULL{n:04d}",
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": "MENU"},
            }
        ],
    }
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()


async def _burst(url: str, bodies: list[bytes]) -> list[int]:
    async with httpx.AsyncClient(timeout=60) as http:
        answers = await asyncio.gather(
            *(http.post(url, content=b, headers={"X-Hub-Signature-256": sign(b)}) for b in bodies)
        )
    return [a.status_code for a in answers]


def test_a_full_disk_during_a_burst_loses_nothing_acknowledged(tmp_path, small_disk, simulator):
    config = conversation_config(tmp_path, simulator, database={"path": str(small_disk / "b.db")})
    app = start_appliance(config, simulator)
    url = app.public_url + "/webhook"
    try:
        people = [f"3933300{n:05d}" for n in range(BURST)]
        for wa_id in [*people, "393330009999"]:
            simulator.simulator.state.set_window(wa_id, True)  # they wrote: replies may go
        # One citizen before the fault: how many messages one "MENU" is answered with.
        assert asyncio.run(_burst(url, [_message("393330009999", 9999)])) == [200]
        baseline = wait_until(lambda: len(simulator.messages("393330009999")), 15)
        bodies = [_message(p, n) for n, p in enumerate(people)]
        filler = _fill(small_disk)
        first = asyncio.run(_burst(url, bodies))
        assert set(first) <= {200, 503}, first
        assert 503 in first  # the disk really was full for some of them
        filler.unlink()
        # Meta delivers again what was not acknowledged; the rest must already be safe.
        retry = [b for b, status in zip(bodies, first, strict=True) if status != 200]
        again = asyncio.run(_burst(url, retry))
        assert set(again) == {200}, again
        for person in people:
            wait_until(lambda p=person: len(simulator.messages(p)) >= baseline, 60)
        # Once each: nobody is answered twice because a write was retried.
        app.call(asyncio.sleep(0))
        counts = {p: len(simulator.messages(p)) for p in people}
        assert set(counts.values()) == {baseline}, counts
    finally:
        app.stop()
