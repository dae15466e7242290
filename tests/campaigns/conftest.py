"""Fixtures for the broadcast engine: the simulator, an appliance pointed at it, subscribers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from appliance.campaigns import DISPATCHER
from appliance.campaigns.engine import CAMPAIGNS
from appliance.lan.tokens import create_token
from tests.harness import RunningAppliance, RunningSimulator, make_config


class Engine:
    """A running appliance wired to a simulator, with helpers the campaign tests share."""

    def __init__(self, app: RunningAppliance, sim: RunningSimulator) -> None:
        self.app, self.sim = app, sim
        self.db = app.appliance.db
        self.dispatcher = app.appliance.parts[DISPATCHER]
        self.campaigns = app.appliance.parts[CAMPAIGNS]
        self._tokens: dict[str, str] = {}

    def sql(self, sql: str, params: Any = ()) -> list[Any]:
        """Rows of a query (tuples)."""
        return [tuple(r) for r in self.app.call(self.db.fetchall(sql, params))]

    def write(self, sql: str, params: Any = ()) -> None:
        """One durable write."""
        self.app.call(self.db.execute(sql, params))

    def seed(
        self,
        count: int,
        *,
        topics: tuple[str, ...] = (),
        window: bool = False,
        first: int = 1,
        marketing_opt_out: bool = False,
    ) -> list[str]:
        """Active subscribers straight in SQL (fast); ``window`` opens their 24-hour window."""
        wa_ids = [f"39333{n:07d}" for n in range(first, first + count)]
        last_inbound = time.time() if window else None
        rows = [(w, last_inbound, int(marketing_opt_out)) for w in wa_ids]

        async def job(conn: Any) -> None:
            await conn.executemany(
                "INSERT INTO subscribers (wa_id, status, subscribed_at, last_inbound_at,"
                " marketing_opt_out) VALUES (?, 'active', '2026-01-01', ?, ?)",
                rows,
            )
            for key in topics:
                await conn.execute(
                    "INSERT INTO subscriber_topics (subscriber_id, topic_id) SELECT s.id, t.id"
                    f" FROM subscribers s, topics t WHERE t.key = ? AND s.wa_id IN"
                    f" ({','.join('?' * len(wa_ids))})",
                    [key, *wa_ids],
                )

        self.app.call(self.db.write(job))
        if window:
            for wa_id in wa_ids:
                self.sim.simulator.state.set_window(wa_id, True)
        return wa_ids

    def api(self, role: str = "operator") -> httpx.Client:
        """A REST client with a token of ``role``."""
        if role not in self._tokens:
            self._tokens[role] = self.app.call(create_token(self.db, f"test-{role}", role, "test"))
        return httpx.Client(
            base_url=self.app.lan_url + "/api/v1",
            headers={"Authorization": f"Bearer {self._tokens[role]}"},
            timeout=30,
        )

    def create(self, body: dict[str, Any]) -> int:
        """POST a campaign as an editor; return its id."""
        with self.api("editor") as client:
            response = client.post("/campaigns", json=body)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "draft"
        return int(response.json()["id"])

    def act(self, campaign_id: int, action: str, body: Any = None) -> httpx.Response:
        """POST /campaigns/{id}/{action} as an operator."""
        with self.api("operator") as client:
            return client.post(f"/campaigns/{campaign_id}/{action}", json=body)

    def show(self, campaign_id: int) -> dict[str, Any]:
        """GET /campaigns/{id}."""
        with self.api("viewer") as client:
            response = client.get(f"/campaigns/{campaign_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_status(self, campaign_id: int, status: str, timeout: float = 60) -> dict[str, Any]:
        """Poll until the campaign reaches ``status``; its description."""
        return wait_for(lambda: (d := self.show(campaign_id))["status"] == status and d, timeout)

    def accepted(self, to: str = "") -> list[dict[str, Any]]:
        """What the simulator accepted (optionally for one recipient)."""
        return self.sim.messages(to)

    def health(self, key: str) -> Any:
        """One health check."""
        checks = self.app.call(self.app.appliance.health.snapshot())
        return next(c for c in checks if c.key == key)


def wait_for(predicate: Callable[[], Any], timeout: float = 30, interval: float = 0.1) -> Any:
    """Poll ``predicate()`` until truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def template_campaign(name: str = "Avviso", **extra: Any) -> dict[str, Any]:
    """A body sending the simulator's approved utility template with its two parameters."""
    return {
        "name": name,
        "template": {
            "name": "avviso_servizio",
            "language": "it",
            "parameters": ["Via Roma", "12/10"],
        },
        **extra,
    }


@pytest.fixture
def make_engine(tmp_path) -> Iterator[Callable[..., Engine]]:
    """Build an engine: simulator settings and appliance config sections as keyword arguments."""
    started: list[tuple[RunningAppliance, RunningSimulator]] = []

    def build(sim: dict[str, Any] | None = None, **sections: dict[str, Any]) -> Engine:
        simulator = RunningSimulator(**{"tier": 0, **(sim or {})}).start()
        sections.setdefault("whatsapp", {})["api_base_url"] = simulator.url
        sections.setdefault("campaigns", {}).setdefault("inflight_grace_seconds", 5)
        try:
            app = RunningAppliance(make_config(tmp_path, **sections)).start()
        except BaseException:
            simulator.stop()
            raise
        simulator.settings.webhook_url = app.public_url + "/webhook"
        started.append((app, simulator))
        return Engine(app, simulator)

    yield build
    for app, simulator in started:
        try:
            app.stop()
        finally:
            simulator.stop()


@pytest.fixture
def engine(make_engine) -> Engine:
    """The default engine: 80 msg/s number, campaigns at 70, an unlimited tier."""
    return make_engine()
