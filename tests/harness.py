"""Test harness: a real appliance on free ports in its own thread and event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from appliance.app import create_app
from appliance.cloudapi.client import CLOUDAPI
from appliance.core.config import Config, load_config
from appliance.core.context import Appliance
from appliance.server import async_serve

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


def make_config(tmp_path: Path, **sections: dict[str, Any]) -> Config:
    """A valid config on free loopback ports with a temporary SQLite file."""
    overrides: dict[str, dict[str, Any]] = {
        "whatsapp": {**TEST_CREDENTIALS, "api_base_url": "http://127.0.0.1:9"},
        "server": {"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0"},
        "database": {"path": str(tmp_path / "banditore.db")},
        "zeroconf": {"enabled": False},
        # No network here: tests that are not about feeds must not poll the real sources.
        "feeds": {"alerts_enabled": False},
        # A comune that has adopted its act: the first notice is published at start.
        "privacy": dict(PRIVACY_FACTS),
    }
    for section, values in sections.items():
        overrides.setdefault(section, {}).update(values)
    return load_config(None, environ={}, overrides=overrides)


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


def sign(body: bytes, secret: str = TEST_CREDENTIALS["app_secret"]) -> str:
    """The X-Hub-Signature-256 header Meta would send for ``body``."""
    from appliance.cloudapi.signature import sign as hmac_sign

    return hmac_sign(body, secret)


def post_webhook(
    public_url: str, payload: Any, *, secret: str = TEST_CREDENTIALS["app_secret"]
) -> Any:
    """POST a signed webhook (a dict is serialised like Meta does, escaped unicode) to /webhook."""
    import json

    import httpx

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(
        public_url + "/webhook",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
    )


class RunningSimulator:
    """The Cloud API simulator on a free loopback port, in its own thread and event loop."""

    def __init__(self, **settings: Any) -> None:
        from appliance.simulator import Settings, Simulator

        defaults = {
            "access_token": TEST_CREDENTIALS["access_token"],
            "app_secret": TEST_CREDENTIALS["app_secret"],
            "phone_number_id": TEST_CREDENTIALS["phone_number_id"],
            "business_account_id": TEST_CREDENTIALS["business_account_id"],
            "review_seconds": 0.2,
        }
        self.simulator = Simulator(Settings(**{**defaults, **settings}))
        self.url = self.simulator.bind("127.0.0.1", 0)
        self.loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="simulator-under-test")

    @property
    def settings(self) -> Any:
        """The live settings (plain attributes; safe to assign from the test thread)."""
        return self.simulator.settings

    def _main(self) -> None:
        async def serve() -> None:
            self._stop = asyncio.Event()
            await self.simulator.start()
            self._started.set()
            try:
                await self._stop.wait()
            finally:
                await self.simulator.stop()

        try:
            self.loop.run_until_complete(serve())
        except BaseException as err:  # noqa: BLE001 - reported to the test
            self.error = err
        finally:
            self._started.set()
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    def start(self, timeout: float = 10) -> RunningSimulator:
        """Start serving and wait until it listens."""
        self._thread.start()
        if not self._started.wait(timeout) or self.error:
            raise self.error or TimeoutError("simulator did not start")
        return self

    def call(self, coro: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run a coroutine in the simulator's loop (e.g. ``simulator.inbound({...})``)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def control(self, path: str, payload: Any = None, *, method: str = "POST") -> Any:
        """Call the control API (``/_sim/...``) and return its JSON."""
        import httpx

        response = httpx.request(method, f"{self.url}/_sim/{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def messages(self, to: str = "") -> list[dict[str, Any]]:
        """Messages the simulator accepted, oldest first (optionally for one recipient)."""
        return self.control(f"messages?to={to.lstrip('+')}", method="GET")["messages"]

    def stop(self, timeout: float = 10) -> None:
        """Stop serving and wait for the thread to end."""
        if self._thread.is_alive() and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError("simulator did not stop")
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


def wait_until(predicate: Any, timeout: float = 10, interval: float = 0.05) -> Any:
    """Poll ``predicate()`` until it returns something truthy; fail after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
