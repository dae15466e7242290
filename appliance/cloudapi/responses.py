"""What every answer of the public listener shares: plain text and the body cap."""

from __future__ import annotations

PLAIN_TEXT = "text/plain; charset=utf-8"

# Meta sends up to 3 MB; anything larger is refused with 413 before it is read.
MAX_BODY_BYTES = 4 * 1024 * 1024
