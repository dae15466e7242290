"""The Cloud API simulator on a free loopback port, in its own thread and event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

import httpx

from appliance.simulator import Settings, Simulator
from tests.support.appliance import TEST_CREDENTIALS


class RunningSimulator:
    """The Cloud API simulator on a free loopback port, in its own thread and event loop."""

    def __init__(self, **settings: Any) -> None:
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
        response = httpx.request(method, f"{self.url}/_sim/{path}", json=payload, timeout=10)
        response.raise_for_status()
        return response.json()

    def listening(self) -> bool:
        """Whether it accepts connections now (a ``refuse_seconds`` fault closes the listener)."""
        try:
            httpx.get(f"{self.url}/_sim/state", timeout=2)
        except httpx.TransportError:
            return False
        return True

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
