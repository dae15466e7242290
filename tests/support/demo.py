"""The appliance configured in demo mode, with or without the sample town."""

from __future__ import annotations

from pathlib import Path

from appliance.core.config import Config, load_config
from appliance.demo import prepare_demo_config


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
