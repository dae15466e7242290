"""Demo mode: the built-in Cloud API simulator, fake credentials and a local data folder."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.core.capability import Capability
from appliance.core.config import Config, ConfigError
from appliance.demo.parts import DEMO_FEEDS, DEMO_HOLD, DEMO_PHONE, SIMULATOR
from appliance.demo.sample_town import PHONE_CITIZENS
from appliance.feeds.forecast import FORECAST

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


def prepare_demo_config(config: Config, data_dir: str, *, sample_town: bool = False) -> Config:
    """A copy of ``config`` set up for the demo; refuse when real credentials are configured.

    ``sample_town`` fills an empty demo with the invented town on first start (the command does
    unless ``--empty``; tests choose).
    """
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
    _demo_backups(values, config, data)
    # Drills reach the first demo phone, so pressing the button shows on the phone page.
    if ("emergency", "test_numbers") not in config.origins:
        values["emergency"]["test_numbers"] = [PHONE_CITIZENS[0][0]]
    return Config(
        values=values,
        source=config.source,
        origins=dict(config.origins),
        demo=True,
        sample_town=sample_town,
    )


def _demo_backups(values: dict[str, Any], config: Config, data: Path) -> None:
    """Backups work in the demo: its own folder and its own key, made on first start."""
    from appliance.backups.crypto import create_key_file

    if ("backup", "dir") not in config.origins:
        values["backup"]["dir"] = str(data / "backups")
    if ("backup", "key_file") not in config.origins:
        key = data / "backup.key"
        values["backup"]["key_file"] = str(key)
        if not key.exists():
            create_key_file(key)


def setup_simulator(appliance: Appliance) -> None:
    """In demo mode: the simulator binds now, the client is pointed at it, webhooks come back."""
    if not appliance.config.demo:
        return
    from appliance.core.services import Service
    from appliance.demo.phone_store import PhoneStore
    from appliance.simulator import Settings, Simulator

    wa = appliance.config.whatsapp
    simulator = Simulator(
        Settings(
            access_token=wa.access_token,
            app_secret=wa.app_secret,
            phone_number_id=wa.phone_number_id,
            business_account_id=wa.business_account_id,
        )
    )
    appliance.config.set("whatsapp", "api_base_url", simulator.bind("127.0.0.1", 0))
    _serve_sample_feeds(appliance, simulator)

    async def start() -> None:
        # The public listener is bound (its URL known) before services start.
        public = appliance.public_url.replace("[::]", "[::1]").replace("0.0.0.0", "127.0.0.1")
        simulator.settings.webhook_url = f"{public}/webhook"
        await simulator.start()

    appliance.services.add(Service("simulator", start, simulator.stop))
    appliance.parts.provide(SIMULATOR, simulator)
    phone = PhoneStore(appliance.db, simulator)
    appliance.parts.provide(DEMO_PHONE, phone)
    appliance.services.add(Service("demo-phone", phone.start, phone.stop))
    appliance.services.add(Service("demo-login", lambda: _ensure_demo_login(appliance), _nothing))
    _add_pages(appliance)
    if appliance.config.sample_town:
        town = SampleTownTask(appliance)
        appliance.on_ready.append(town.ready)
        appliance.services.add(Service("demo-sample-town", town.start, town.stop))


# Demo mode points the client at the simulator: set up before the Cloud API builds its client.
CAPABILITY = Capability("demo", setup_simulator, before=("cloudapi",))


class SampleTownTask:
    """Once both listeners accept (the bot must answer): the sample town if new, the forecast."""

    def __init__(self, appliance: Appliance) -> None:
        self.appliance = appliance
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def ready(self) -> None:
        """Called by the server once the listeners accept."""
        self._ready.set()

    async def start(self) -> None:
        """Wait for the listeners in the background."""
        self._task = asyncio.create_task(self._run(), name="demo-sample-town")

    async def _run(self) -> None:
        from appliance.demo.sample_town import create_sample_town

        await self._ready.wait()
        try:
            await create_sample_town(self.appliance)
            # The recorded forecast, read at every start: the Meteo line is fresh, not "unknown".
            await self.appliance.parts[FORECAST].current()
        except Exception:  # noqa: BLE001 - a demo without its sample data still runs
            log.exception("demo: the sample town could not be created")

    async def stop(self) -> None:
        """Cancel a creation still running (its transactions commit whole or not at all)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def _add_pages(appliance: Appliance) -> None:
    """The demo controls page, and the demo login on every page (the login page shows it)."""
    from appliance.core.services import Service
    from appliance.demo import controls, phone
    from appliance.lan.registry import NavItem, add_pages

    assert appliance.lan is not None
    hold = controls.HoldButton(appliance)
    appliance.parts.provide(DEMO_HOLD, hold)
    appliance.services.add(Service("demo-hold", _nothing, hold.stop))
    add_pages(appliance.lan, phone.bp, NavItem("phone.index", "Telefono demo", order=5))
    add_pages(appliance.lan, controls.bp, NavItem("demo_controls.index", "Controlli demo", order=6))

    @appliance.lan.context_processor
    async def demo_context() -> dict[str, Any]:
        return {"demo_login": DEMO_LOGIN}


def _serve_sample_feeds(appliance: Appliance, simulator: Any) -> None:
    """The forecast and the alert bulletin come from recordings on the simulator's listener."""
    from appliance.demo.sample_feeds import SampleFeeds

    config = appliance.config
    feeds = SampleFeeds()
    urls = feeds.install(simulator.app, simulator.url)
    for key, url in urls.items():
        if ("feeds", key) not in config.origins:
            config.set("feeds", key, url)
    if config.sample_town and ("feeds", "alert_sources") not in config.origins:
        config.set("feeds", "alert_sources", ["dpc"])
        if ("feeds", "alerts_enabled") not in config.origins:
            config.set("feeds", "alerts_enabled", True)
    appliance.parts.provide(DEMO_FEEDS, feeds)


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
