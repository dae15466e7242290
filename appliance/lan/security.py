"""Request guards of the LAN app: client allow-list, same-origin check, response headers."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

import ifaddr
from quart import Response, request

from appliance.core.errors import BadRequest, Forbidden

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


class UnknownHost(BadRequest):
    """The Host header names neither this box nor a configured name (DNS rebinding)."""

    code = "unknown_host"


# The mDNS name discovery announces ("banditore-<host id>.local"); .local names resolve on
# the LAN only, so no web page elsewhere can point one at this box.
_MDNS_NAME = re.compile(r"banditore-[0-9a-f]{32}\.local")
ADDRESSES_FRESH_FOR = 30.0  # seconds; a DHCP lease change is seen within this


def _own_addresses() -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address of this machine's interfaces (reading them takes microseconds)."""
    found = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            text = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            found.add(ipaddress.ip_address(text.split("%")[0]))
    return found


class HostAllowList:
    """Host names the LAN app answers to: configured ones, this box's names and addresses."""

    def __init__(self, names: Iterable[str]) -> None:
        machine = socket.gethostname().lower()
        self._names = {n.lower().rstrip(".") for n in names} | {
            "localhost",
            machine,
            f"{machine}.local",
        }
        self._addresses: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
        self._read_at = float("-inf")

    def allows(self, host: str) -> bool:
        """True when ``host`` (a Host header, port included) names this box."""
        try:
            name = urlsplit(f"//{host}").hostname
        except ValueError:
            return False
        if not name:
            return False
        try:
            ip = ipaddress.ip_address(name)
        except ValueError:
            return name.rstrip(".") in self._names or bool(_MDNS_NAME.fullmatch(name))
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if ip.is_loopback or ip.is_unspecified or ip in self._addresses:
            return True
        if time.monotonic() - self._read_at > ADDRESSES_FRESH_FOR:
            self._addresses, self._read_at = _own_addresses(), time.monotonic()
        return ip in self._addresses


def check_host(hosts: HostAllowList) -> None:
    """Refuse a request whose Host names another site (a DNS-rebinding page)."""
    if not hosts.allows(request.host):
        raise UnknownHost(
            "this address is not a name of the appliance; add it to server.allowed_hosts"
        )


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
