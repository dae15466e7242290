"""TLS for the feeds: the system's roots, with chains completed from shipped intermediates.

Some public servers send only their own certificate and leave out the intermediate (allertaLOM
is reported to omit Actalis's). The intermediates shipped in ``feeds/certs`` let OpenSSL build
the chain; it must still end at a root of the system store. Verification is never switched off.
"""

from __future__ import annotations

import ssl
from pathlib import Path

INTERMEDIATES = Path(__file__).with_name("certs")


def feed_context(roots: Path | None = None, intermediates: Path = INTERMEDIATES) -> ssl.SSLContext:
    """A verifying client context: ``roots`` (default: the system store) plus intermediates."""
    context = ssl.create_default_context(cafile=str(roots) if roots else None)
    for pem in sorted(intermediates.glob("*.pem")):
        context.load_verify_locations(cafile=str(pem))
    # An intermediate completes a chain; it is not a trust anchor on its own.
    context.verify_flags &= ~ssl.VERIFY_X509_PARTIAL_CHAIN
    return context
