"""Request guards of the LAN app: client allow-list, same-origin check, response headers."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from quart import Response, request

from appliance.core.errors import Forbidden

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Everything comes from this box: no inline script, no third-party origin, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class CrossOrigin(Forbidden):
    """The request comes from another site: refused to protect against CSRF."""

    code = "cross_origin"


def parse_networks(values: Iterable[str]) -> list[Network]:
    """The configured allow-list; empty means every client is allowed."""
    return [ipaddress.ip_network(value, strict=False) for value in values]


def client_allowed(address: str, networks: list[Network]) -> bool:
    """True when ``address`` is inside one of ``networks`` (or the list is empty)."""
    if not networks:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    # On a dual-stack [::] listener IPv4 clients arrive as ::ffff:a.b.c.d.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def own_origin() -> str:
    """This request's own scheme://host[:port], as a browser would write it in Origin."""
    return f"{request.scheme}://{request.host}".lower()


def check_same_origin() -> None:
    """Refuse an unsafe request a browser made from another origin (CSRF)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CrossOrigin(f"cross-site request refused (Sec-Fetch-Site: {fetch_site})")
    origin = request.headers.get("Origin")
    if origin is None:
        # Old browsers send no Origin on same-origin posts; the Referer then tells.
        referer = request.headers.get("Referer", "")
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else None
    if origin is None:
        if fetch_site is None:
            raise CrossOrigin("request without Origin refused; browsers always send one")
        return
    if origin.lower() != own_origin():
        raise CrossOrigin("request from another origin refused")


def add_security_headers(response: Response) -> Response:
    """Headers on every LAN response; pages behind login are never cached."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if "Cache-Control" not in response.headers and request.path != "/favicon.ico":
        response.headers["Cache-Control"] = (
            "no-store" if not request.path.startswith("/static/") else "max-age=3600"
        )
    return response
