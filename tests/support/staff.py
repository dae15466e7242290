"""Staff on the real LAN listener: accounts, logged-in form clients, REST clients with a token."""

from __future__ import annotations

import httpx

from appliance.accounts.users import create_user
from appliance.lan.tokens import create_token
from tests.support.appliance import RunningAppliance

PASSWORD = "correct-horse-battery"


def add_user(running: RunningAppliance, username: str, role: str = "admin") -> None:
    """Create a staff account directly in the appliance's database."""
    running.call(create_user(running.appliance.db, username, PASSWORD, role))


def client(running: RunningAppliance, **kwargs) -> httpx.Client:
    """A client that behaves like a same-origin browser form (Origin header), no redirects."""
    return httpx.Client(
        base_url=running.lan_url, headers={"Origin": running.lan_url}, timeout=10, **kwargs
    )


def login(running: RunningAppliance, username: str, password: str = PASSWORD) -> httpx.Client:
    """A client holding a live session of ``username``."""
    http = client(running)
    response = http.post("/login", data={"username": username, "password": password})
    assert response.status_code == 303, response.text
    return http


def api(running: RunningAppliance, role: str = "viewer") -> httpx.Client:
    """A REST client holding a fresh token of ``role``."""
    token = running.call(create_token(running.appliance.db, f"t-{role}", role, "test"))
    return httpx.Client(
        base_url=running.lan_url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
    )
