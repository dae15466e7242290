"""LAN discovery: advertise the admin UI over mDNS as ``_http._tcp`` with a readable name."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import ifaddr
from zeroconf import Error as ZeroconfError
from zeroconf import InterfaceChoice, InterfacesType
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from appliance import __version__
from appliance.core.config import is_loopback_host
from appliance.core.health import OK, UNKNOWN, WARN, Check
from appliance.core.parts import PartKey
from appliance.core.services import cancel_and_wait
from appliance.core.text import N_

if TYPE_CHECKING:
    from appliance.core.context import Appliance

ZEROCONF: PartKey[Discovery] = PartKey("zeroconf")

log = logging.getLogger(__name__)

SERVICE_TYPE = "_http._tcp.local."
REFRESH_SECONDS = 60.0
# An instance label holds 63 bytes; keep 3 for the "-2" zeroconf appends on a name clash.
_NAME_BYTES = 60
_HOST_ID_KEY = "zeroconf.host_id"
TITLE = N_("Nome sulla rete locale")


def instance_name(town: str) -> str:
    """The instance name "Banditore – Comune di <town>", cut to whole UTF-8 characters."""
    # A dot would split the DNS label in two, so "S. Omobono" is advertised as "S Omobono".
    name = f"Banditore – Comune di {town}".replace(".", "")
    return name.encode()[:_NAME_BYTES].decode("utf-8", "ignore").rstrip()


def interface_addresses(*, ipv6: bool) -> list[str]:
    """This machine's LAN addresses (no loopback, no link-local); blocking, run it in a thread."""
    found: set[str] = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            text = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            address = ipaddress.ip_address(text)
            if address.version == 6 and not ipv6:
                continue
            if not (address.is_loopback or address.is_link_local or address.is_multicast):
                found.add(str(address))
    return sorted(found)


class Discovery:
    """Registers once the LAN listener accepts, follows address changes, unregisters at stop."""

    def __init__(
        self,
        appliance: Appliance,
        *,
        addresses: Callable[[], Awaitable[list[str]]] | None = None,
        refresh_seconds: float = REFRESH_SECONDS,
    ) -> None:
        self._appliance = appliance
        self._addresses = addresses
        self._refresh_seconds = refresh_seconds
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._zeroconf: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None
        self._problem = ""
        self.name = instance_name(appliance.config.town.name)

    def ready(self) -> None:
        """The LAN listener accepts: registration may go ahead (an ``on_ready`` callback)."""
        self._ready.set()

    @property
    def advertised(self) -> str:
        """The registered instance name (with "-2" after a clash), or "" before registration."""
        return self._info.name.removesuffix("." + SERVICE_TYPE) if self._info else ""

    async def start(self) -> None:
        """Start the task that registers and then keeps the addresses current."""
        self._task = asyncio.create_task(self._run(), name="box-zeroconf")

    async def stop(self) -> None:
        """Stop refreshing, send the goodbye packets and close the sockets."""
        await cancel_and_wait(self._task)
        self._task = None
        await self._close()

    async def probe(self) -> Check:
        """The "zeroconf" line of the dashboard."""
        if self._problem:
            return Check(
                "zeroconf",
                WARN,
                TITLE,
                N_("non pubblicato"),
                N_(
                    "Il dispositivo non si annuncia sulla rete locale ({problem}): raggiungere "
                    "l'interfaccia con il suo indirizzo IP. Si riprova ogni minuto.",
                    problem=self._problem,
                ),
            )
        if not self.advertised:
            return Check("zeroconf", UNKNOWN, TITLE, N_("in attesa"))
        return Check("zeroconf", OK, TITLE, self.advertised)

    async def _run(self) -> None:
        await self._ready.wait()
        while True:
            try:
                await (self._refresh() if self._zeroconf else self._register())
                self._problem = ""
            except (OSError, ZeroconfError) as err:
                log.warning("zeroconf: cannot advertise the LAN UI: %s", err)
                self._problem = str(err) or type(err).__name__
                await self._close()
            await asyncio.sleep(self._refresh_seconds)

    def _target(self) -> tuple[str, int, InterfacesType]:
        """Host, port and the interfaces to announce on, from the LAN listener's address."""
        url = urlsplit(self._appliance.lan_url)
        host, port = url.hostname or "", url.port or (443 if url.scheme == "https" else 80)
        if ipaddress.ip_address(host).is_unspecified:
            return host, port, InterfaceChoice.All
        return host, port, [host]

    async def _current_addresses(self, host: str) -> list[str]:
        if self._addresses is not None:
            return await self._addresses()
        if not ipaddress.ip_address(host).is_unspecified:
            return [host]
        return await asyncio.to_thread(interface_addresses, ipv6=host == "::")

    async def _host_id(self) -> str:
        """A stable id for the mDNS host name, so it never claims the name avahi owns."""
        fresh = uuid.uuid4().hex
        await self._appliance.db.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (_HOST_ID_KEY, fresh)
        )
        return await self._appliance.db.fetchval(
            "SELECT value FROM settings WHERE key = ?", (_HOST_ID_KEY,)
        )

    def _service_info(self, name: str, port: int, server: str, addresses: list[str]):
        return AsyncServiceInfo(
            SERVICE_TYPE,
            name,
            port=port,
            properties={"path": "/", "version": __version__},
            server=server,
            parsed_addresses=addresses,
        )

    async def _register(self) -> None:
        host, port, interfaces = self._target()
        addresses = await self._current_addresses(host)
        server = f"banditore-{await self._host_id()}.local."
        zc = self._zeroconf = AsyncZeroconf(interfaces=interfaces)
        info = self._service_info(f"{self.name}.{SERVICE_TYPE}", port, server, addresses)
        announcing = await zc.async_register_service(info, allow_name_change=True)
        self._info = info  # probing is over: the name is final, announcements follow
        await announcing
        log.info(
            "zeroconf: LAN UI advertised as %r on %s%s",
            self.advertised,
            ", ".join(addresses),
            " (loopback only)" if is_loopback_host(host) else "",
        )

    async def _refresh(self) -> None:
        """Re-announce with the new addresses after a DHCP lease or cable change."""
        assert self._zeroconf is not None and self._info is not None
        host, port, _ = self._target()
        addresses = await self._current_addresses(host)
        if sorted(self._info.parsed_addresses()) == sorted(addresses):
            return
        log.info("zeroconf: addresses changed to %s", ", ".join(addresses))
        await self._zeroconf.async_update_interfaces()
        info = self._service_info(self._info.name, port, self._info.server, addresses)
        await (await self._zeroconf.async_update_service(info))
        self._info = info

    async def _close(self) -> None:
        zc, self._zeroconf, self._info = self._zeroconf, None, None
        if zc is not None:
            await zc.async_close()  # unregisters (goodbye packets), then closes the sockets
