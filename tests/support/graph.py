"""Talking to the simulator's Graph API as a client would: the token, the base path, posts."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.appliance import TEST_CREDENTIALS
from tests.support.meta import FIXTURES

AUTH = {"Authorization": f"Bearer {TEST_CREDENTIALS['access_token']}"}
BASE = "/v25.0/200000000000002"

# One pool for the whole run: a new client per request costs ~50 ms of connection setup.
_HTTP = httpx.Client()


def post(sim: Any, body: Any, endpoint: str = "messages", headers: Any = AUTH, **kwargs: Any):
    """POST ``body`` to the simulator's ``endpoint`` under the phone number's path."""
    return _HTTP.post(f"{sim.url}{BASE}/{endpoint}", json=body, headers=headers, **kwargs)


def code(response: httpx.Response) -> int:
    """The Graph error code of a refusal."""
    return response.json()["error"]["code"]


def open_window(sim: Any, wa_id: str = "393331234567") -> None:
    """Open the 24-hour window for ``wa_id``, as if the citizen had written."""
    sim.control("windows", {"wa_id": wa_id, "open": True})


def approve_buttons_template(sim: Any) -> None:
    """The case files' template with a quick reply, a URL with a variable and a fixed URL."""
    case = json.loads((FIXTURES / "templates" / "ok_buttons.json").read_text())
    sim.control("templates", {**case["template"], "status": "APPROVED"})
