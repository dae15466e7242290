"""systemd's notify protocol (READY, WATCHDOG, STOPPING) over $NOTIFY_SOCKET."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends state lines to systemd when run under a ``Type=notify`` unit; no-op otherwise."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        self.watchdog_interval = int(usec) / 1_000_000 / 2 if usec.isdigit() and int(usec) else None

    @property
    def enabled(self) -> bool:
        """True under systemd."""
        return bool(self._address)

    def notify(self, state: str) -> None:
        """Send one state string (e.g. ``READY=1``); failures are logged, never raised."""
        if not self._address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(state.encode())
        except OSError as err:
            log.warning("cannot notify systemd: %s", err)

    async def async_watchdog(self, stop: asyncio.Event) -> None:
        """Ping WATCHDOG=1 from the event loop, so a hung loop stops the pings."""
        if not self.watchdog_interval:
            return
        while not stop.is_set():
            self.notify("WATCHDOG=1")
            try:
                await asyncio.wait_for(stop.wait(), self.watchdog_interval)
            except TimeoutError:
                pass
