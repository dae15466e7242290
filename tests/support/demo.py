"""The appliance configured in demo mode, with or without the sample town."""

from __future__ import annotations

from pathlib import Path

from appliance.core.config import Config, load_config
from appliance.demo import prepare_demo_config
from tests.support.appliance import RunningAppliance
from tests.support.browser import live_server
from tests.support.waiting import wait_until


def demo_config(data: Path, *, sample_town: bool = True, **sections) -> Config:
    """Demo mode on free loopback ports with its data in ``data``."""
    overrides = {
        "server": {"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0"},
        "database": {"path": str(data / "demo.db")},
        "zeroconf": {"enabled": False},
        **sections,
    }
    plain = load_config(None, environ={}, overrides=overrides)
    return prepare_demo_config(plain, str(data), sample_town=sample_town)


# Two of the demo phone's citizens.
GIULIA, MARCO = "390000019001", "390000019002"


def ready_demo(running: RunningAppliance):
    """The live demo once the phone's citizens have their answers and the bulletin was read."""
    ready = (
        "SELECT (SELECT count(*) FROM demo_phone_messages WHERE direction = 'out') >= 3"
        " AND (SELECT count(*) FROM alert_events) >= 1"
    )
    for live in live_server(running):
        wait_until(lambda live=live: live.rows(ready)[0][0], timeout=30)
        yield live
