"""The simulator as a service: its own listener, the app with both route sets, its tasks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.config import Sockets
from hypercorn.utils import wrap_app
from quart import Quart

from appliance.simulator.control import add_control_routes
from appliance.simulator.graph import add_graph_routes
from appliance.simulator.notices import Notices
from appliance.simulator.state import Settings, SimState
from appliance.simulator.webhooks import WebhookSender

log = logging.getLogger(__name__)


class Simulator(Notices):
    """A Graph API stand-in on its own port; ``bind`` first (the URL is then known), then ``start``."""

    def __init__(self, settings: Settings | None = None) -> None:
        state = SimState(settings or Settings())
        super().__init__(state, WebhookSender(state))
        self.app = create_simulator_app(self)
        self._config: HypercornConfig | None = None
        self._sockets: Sockets | None = None
        self._serving: asyncio.Task[None] | None = None
        self._listener_stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.url = ""

    # -- lifecycle --------------------------------------------------------------------------

    def bind(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Create the listening socket now, so the URL is known before anything starts."""
        cfg = HypercornConfig()
        cfg.bind = [f"{host}:{port}"]
        cfg.accesslog = None
        cfg.errorlog = None
        cfg.graceful_timeout = 0.2
        cfg.keep_alive_timeout = 30.0
        self._sockets = self._listen(cfg)
        bound_port = self._sockets.insecure_sockets[0].getsockname()[1]
        cfg.bind = [f"{host}:{bound_port}"]
        self._config = cfg
        self.url = f"http://{host}:{bound_port}"
        return self.url

    async def start(self) -> None:
        """Serve on the bound socket and start posting webhooks."""
        if self._sockets is None:
            self.bind()
        await self.webhooks.start()
        self._serve()

    async def stop(self) -> None:
        """Stop serving, cancel control actions in progress, stop the webhook sender."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._stop_listener()
        await self.webhooks.stop()

    def _serve(self) -> None:
        assert self._config is not None and self._sockets is not None
        self._listener_stop = asyncio.Event()
        wrapped = wrap_app(self.app, self._config.wsgi_max_body_size, "asgi")
        self._serving = asyncio.create_task(
            worker_serve(
                wrapped,
                self._config,
                sockets=self._sockets,
                shutdown_trigger=self._listener_stop.wait,
            ),
            name="simulator-listener",
        )

    async def _stop_listener(self) -> None:
        if self._serving is not None and self._listener_stop is not None:
            self._listener_stop.set()
            await asyncio.gather(self._serving, return_exceptions=True)
            self._serving = None
        if self._sockets is not None:
            for sock in self._sockets.insecure_sockets:
                sock.close()
            self._sockets = None

    async def refuse_connections(self, seconds: float, *, after: float = 0.0) -> None:
        """Close the listener for ``seconds`` (connection refused), then listen again."""
        await asyncio.sleep(after)  # lets the control answer that asked for it go out first
        await self._stop_listener()
        await asyncio.sleep(seconds)
        assert self._config is not None
        self._sockets = self._listen(self._config)
        self._serve()

    @staticmethod
    def _listen(cfg: HypercornConfig) -> Sockets:
        # Listen at once: clients that connect before the server task runs wait in the backlog.
        sockets = cfg.create_sockets()
        for sock in sockets.insecure_sockets:
            sock.listen(cfg.backlog)
        return sockets

    def spawn(self, coro: Any) -> None:
        """Run a control action after the answer went out; stop() cancels it."""
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def create_simulator_app(sim: Simulator) -> Quart:
    """The Quart app: Graph routes under /<version>/…, control routes under /_sim/…"""
    app = Quart("appliance.simulator", static_folder=None, template_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = 110 * 1024 * 1024
    add_graph_routes(app, sim)
    add_control_routes(app, sim)
    return app
