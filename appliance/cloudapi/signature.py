"""Webhook signatures: HMAC-SHA256 over the raw body bytes, keyed with the app secret."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value Meta would send for ``body``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, header: str, secret: str) -> bool:
    """True when ``header`` is the signature of the exact ``body`` bytes (constant-time)."""
    if not header.startswith(PREFIX) or not secret:
        return False
    return hmac.compare_digest(
        sign(body, secret).encode(), header.strip().encode("ascii", "replace")
    )
