"""The LAN app answers only to its own names and addresses (no DNS rebinding)."""

from __future__ import annotations

import socket

import httpx
import pytest

from appliance.lan.security import HostAllowList
from tests.support.appliance import RunningAppliance, make_config
from tests.support.staff import PASSWORD, add_user

pytestmark = pytest.mark.fast

REBIND = "rebind.attacker.example"


def _as(running, host: str) -> httpx.Client:
    """A browser whose page was loaded from ``host`` (Host and Origin both say so)."""
    port = running.lan_url.rsplit(":", 1)[1]
    return httpx.Client(
        base_url=running.lan_url,
        headers={"Host": f"{host}:{port}", "Origin": f"http://{host}:{port}"},
        timeout=10,
    )


def test_a_rebinding_page_can_neither_log_in_nor_create_an_admin(running):
    add_user(running, "boss")
    http = _as(running, REBIND)
    response = http.post("/login", data={"username": "boss", "password": PASSWORD})
    assert response.status_code == 400
    assert "allowed_hosts" in response.text
    assert http.get("/login").status_code == 400
    assert http.get("/api/v1/health").status_code == 400
    assert http.post("/setup", data={"username": "evil", "password": PASSWORD}).status_code == 400
    assert running.call(running.appliance.db.fetchval("SELECT count(*) FROM users")) == 1
    # Its own address and names still work, the public listener is not concerned.
    assert _as(running, "127.0.0.1").get("/login").status_code == 200
    assert _as(running, "localhost").get("/login").status_code == 200
    assert httpx.get(running.public_url + "/healthz", headers={"Host": REBIND}).status_code == 200


def test_configured_names_are_answered(tmp_path):
    config = make_config(tmp_path, server={"allowed_hosts": ["banditore.comune.lan"]})
    running = RunningAppliance(config).start()
    try:
        add_user(running, "boss")
        assert _as(running, "banditore.comune.lan").get("/login").status_code == 200
        assert _as(running, "Banditore.Comune.LAN.").get("/login").status_code == 200
        assert _as(running, "comune.lan").get("/login").status_code == 400
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8080", True),
        ("[::1]:8080", True),
        ("localhost", True),
        (f"{socket.gethostname()}.local", True),
        ("banditore-0123456789abcdef0123456789abcdef.local:80", True),
        ("banditore-evil.local", False),
        ("192.0.2.55", False),  # a documentation address no machine here has
        (REBIND, False),
        ("", False),
        ("[::1", False),
        ("127.0.0.1.attacker.example", False),
    ],
)
def test_host_allow_list(host, allowed):
    assert HostAllowList([]).allows(host) is allowed
