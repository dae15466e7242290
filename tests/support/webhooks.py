"""Signed webhooks as Meta posts them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from appliance.cloudapi.signature import sign as hmac_sign
from tests.support.appliance import TEST_CREDENTIALS


def sign(body: bytes, secret: str = TEST_CREDENTIALS["app_secret"]) -> str:
    """The X-Hub-Signature-256 header Meta would send for ``body``."""
    return hmac_sign(body, secret)


def post_webhook(
    public_url: str, payload: Any, *, secret: str = TEST_CREDENTIALS["app_secret"]
) -> Any:
    """POST a signed webhook (a dict is serialised like Meta does, escaped unicode) to /webhook."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return httpx.post(
        public_url + "/webhook",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
    )
