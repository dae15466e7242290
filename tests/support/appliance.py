"""A real appliance on free loopback ports in its own thread and event loop, and its config."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.app import create_app
from appliance.cloudapi.client import CLOUDAPI
from appliance.core.config import Config, load_config
from appliance.core.context import Appliance
from appliance.server import async_serve

if TYPE_CHECKING:
    from tests.support.simulator import RunningSimulator

TEST_CREDENTIALS = {
    "phone_number_id": "200000000000002",
    "business_account_id": "100000000000001",
    "access_token": "test-access-token",
    "app_secret": "test-app-secret-not-real",
    "verify_token": "test-verify-token",
}


PRIVACY_FACTS = {
    "legal_basis_act": "Deliberazione del Consiglio comunale n. 12 del 3 marzo 2026",
    "controller_name": "Comune di Rota d'Imagna",
    "controller_address": "Via Roma 1, 24037 Rota d'Imagna (BG)",
    "controller_pec": "protocollo@pec.comune.example.it",
    "dpo_contact": "rpd@comune.example.it",
}

# The same facts for tests and benchmarks that write a config file.
PRIVACY_TOML = "[privacy]\n" + "\n".join(f'{k} = "{v}"' for k, v in PRIVACY_FACTS.items()) + "\n"


def appliance_settings(folder: Path, **sections: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The settings every test appliance runs with, ``sections`` merged over them."""
    settings: dict[str, dict[str, Any]] = {
        "whatsapp": {**TEST_CREDENTIALS, "api_base_url": "http://127.0.0.1:9"},
        "server": {"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0"},
        "database": {"path": str(folder / "banditore.db")},
        "zeroconf": {"enabled": False},
        # No network here: tests that are not about feeds must not poll the real sources.
        "feeds": {"alerts_enabled": False},
        # A comune that has adopted its act: the first notice is published at start.
        "privacy": dict(PRIVACY_FACTS),
    }
    for section, values in sections.items():
        settings.setdefault(section, {}).update(values)
    return settings


def make_config(tmp_path: Path, **sections: dict[str, Any]) -> Config:
    """A valid config on free loopback ports with a temporary SQLite file."""
    return load_config(None, environ={}, overrides=appliance_settings(tmp_path, **sections))


class RunningAppliance:
    """Runs ``async_serve`` in a dedicated thread; ``call`` runs coroutines in its loop."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.appliance: Appliance = create_app(config)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="appliance-under-test")

    @property
    def public_url(self) -> str:
        """Base URL of the public listener."""
        return self.appliance.public_url

    @property
    def lan_url(self) -> str:
        """Base URL of the LAN listener."""
        return self.appliance.lan_url

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as err:  # noqa: BLE001 - reported to the test
            self.error = err
        finally:
            self._ready.set()
            leftover = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            if leftover and self.error is None:
                self.error = AssertionError(f"appliance left tasks running: {leftover}")
            for task in leftover:
                task.cancel()
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        await async_serve(self.appliance, self._stop, on_ready=self._ready.set)

    def start(self, timeout: float = 20) -> RunningAppliance:
        """Start and wait until both listeners accept."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("appliance did not become ready")
        if self.error:
            raise self.error
        return self

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run a coroutine in the appliance's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, timeout: float = 20) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread.is_alive() and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("appliance did not stop")
        if self.error is not None:
            raise self.error


def start_armed(
    config: Config, simulator: RunningSimulator, *, parameters: list[str], drill: bool, actor: str
) -> RunningAppliance:
    """An appliance on the simulator, templates synced, the `emergenza` template armed."""
    from appliance.box.armed import arm

    app = RunningAppliance(config).start()
    simulator.settings.webhook_url = app.public_url + "/webhook"
    try:
        app.call(app.appliance.parts[CLOUDAPI].list_templates())
        app.call(
            arm(
                app.appliance.db,
                template_name="emergenza",
                language="it",
                parameters=parameters,
                test_mode=drill,
                actor=actor,
            )
        )
    except BaseException:
        app.stop()
        raise
    return app
