"""The broadcast engine under test: a simulator, an appliance pointed at it, campaign helpers."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from appliance.campaigns import DISPATCHER
from appliance.campaigns.engine import CAMPAIGNS
from appliance.lan.tokens import create_token
from tests.support.appliance import RunningAppliance, make_config
from tests.support.db import Row, rows
from tests.support.simulator import RunningSimulator
from tests.support.waiting import wait_until


class Engine:
    """A running appliance wired to a simulator, with helpers the campaign tests share."""

    def __init__(self, app: RunningAppliance, sim: RunningSimulator) -> None:
        self.app, self.sim = app, sim
        self.db = app.appliance.db
        self.dispatcher = app.appliance.parts[DISPATCHER]
        self.campaigns = app.appliance.parts[CAMPAIGNS]
        self._tokens: dict[str, str] = {}

    def sql(self, sql: str, params: Any = ()) -> list[Row]:
        """Rows of a query."""
        return rows(self.app, sql, params)

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
        values = [(w, last_inbound, int(marketing_opt_out)) for w in wa_ids]

        async def job(conn: Any) -> None:
            await conn.executemany(
                "INSERT INTO subscribers (wa_id, status, subscribed_at, last_inbound_at,"
                " marketing_opt_out) VALUES (?, 'active', '2026-01-01', ?, ?)",
                values,
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
        return wait_until(
            lambda: (d := self.show(campaign_id))["status"] == status and d,
            timeout,
            what=f"campaign {campaign_id} to be {status}",
        )

    def answered(self) -> bool:
        """No request of the dispatcher is waiting for Meta's answer (what is out has landed)."""
        return self.dispatcher.in_flight == 0

    def accepted(self, to: str = "") -> list[dict[str, Any]]:
        """What the simulator accepted (optionally for one recipient)."""
        return self.sim.messages(to)

    def health(self, key: str) -> Any:
        """One health check."""
        checks = self.app.call(self.app.appliance.health.snapshot())
        return next(c for c in checks if c.key == key)

    def stop(self) -> None:
        """Stop the appliance, then the simulator."""
        try:
            self.app.stop()
        finally:
            self.sim.stop()


def start_engine(tmp_path: Path, sim: dict[str, Any] | None = None, **sections: Any) -> Engine:
    """Simulator (settings as ``sim``) and an appliance on it (config sections as keywords)."""
    simulator = RunningSimulator(**{"tier": 0, **(sim or {})}).start()
    sections.setdefault("whatsapp", {})["api_base_url"] = simulator.url
    sections.setdefault("campaigns", {}).setdefault("inflight_grace_seconds", 5)
    try:
        app = RunningAppliance(make_config(tmp_path, **sections)).start()
    except BaseException:
        simulator.stop()
        raise
    simulator.settings.webhook_url = app.public_url + "/webhook"
    return Engine(app, simulator)


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
