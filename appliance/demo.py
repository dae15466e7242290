"""Demo mode: the built-in Cloud API simulator, fake credentials and a local data folder."""

from __future__ import annotations

import copy
from pathlib import Path

from appliance.config import Config, ConfigError

DEMO_CREDENTIALS = {
    "phone_number_id": "200000000000002",
    "business_account_id": "100000000000001",
    "access_token": "demo-access-token",
    "app_secret": "demo-app-secret",
    "verify_token": "demo-verify-token",
}


def prepare_demo_config(config: Config, data_dir: str) -> Config:
    """A copy of ``config`` set up for the demo; refuse when real credentials are configured."""
    if config.has_real_credentials:
        raise ConfigError(
            [
                "demo mode refuses to start with real WhatsApp credentials configured "
                "([whatsapp] access_token / app_secret): run `appliance serve` instead, "
                "or use a config file without them"
            ]
        )
    values = copy.deepcopy(config.values)
    data = Path(data_dir).expanduser().resolve()
    values["whatsapp"].update(DEMO_CREDENTIALS)
    if ("database", "path") not in config.origins:
        values["database"]["path"] = str(data / "banditore.db")
    if ("server", "lan_bind") not in config.origins:
        values["server"]["lan_bind"] = "127.0.0.1:8080"
    values["zeroconf"]["enabled"] = False
    demo = Config(values=values, source=config.source, origins=dict(config.origins), demo=True)
    return demo
