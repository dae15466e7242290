"""Demo mode: the built-in Cloud API simulator, fake credentials and a local data folder."""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.core.config import Config, ConfigError

if TYPE_CHECKING:
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)

# The demo's staff login, printed at start: the demo holds only invented data.
DEMO_LOGIN = ("demo", "banditore-demo")

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
    # The demo runs on laptops without internet: no background polling of the real alert hosts.
    if ("feeds", "alerts_enabled") not in config.origins:
        values["feeds"]["alerts_enabled"] = False
    demo = Config(values=values, source=config.source, origins=dict(config.origins), demo=True)
    return demo


def setup_simulator(appliance: Appliance) -> None:
    """In demo mode: the simulator binds now, the client is pointed at it, webhooks come back."""
    if not appliance.config.demo:
        return
    from appliance.core.services import Service
    from appliance.simulator import Settings, Simulator

    wa = appliance.config.values["whatsapp"]
    simulator = Simulator(
        Settings(
            access_token=wa["access_token"],
            app_secret=wa["app_secret"],
            phone_number_id=wa["phone_number_id"],
            business_account_id=wa["business_account_id"],
        )
    )
    wa["api_base_url"] = simulator.bind("127.0.0.1", 0)

    async def start() -> None:
        # The public listener is bound (its URL known) before services start.
        public = appliance.public_url.replace("[::]", "[::1]").replace("0.0.0.0", "127.0.0.1")
        simulator.settings.webhook_url = f"{public}/webhook"
        await simulator.start()

    appliance.services.add(Service("simulator", start, simulator.stop))
    appliance.parts["simulator"] = simulator
    appliance.services.add(Service("demo-login", lambda: _ensure_demo_login(appliance), _nothing))


async def _ensure_demo_login(appliance: Appliance) -> None:
    """Create the demo admin on first start, and say how to log in at every start."""
    from appliance.accounts.users import create_user

    username, password = DEMO_LOGIN
    if not await appliance.db.fetchval("SELECT 1 FROM users LIMIT 1"):
        await create_user(appliance.db, username, password, "admin")
    log.warning(
        "DEMO MODE with the built-in Cloud API simulator: open the admin UI and log in as "
        "%r with password %r (the demo's own account; it holds only invented data)",
        username,
        password,
    )


async def _nothing() -> None:
    """Nothing to stop."""
