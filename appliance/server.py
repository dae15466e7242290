"""Run the appliance: bind both listeners, start services, serve until asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Callable
from typing import Any

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.config import Sockets
from hypercorn.utils import wrap_app

from appliance.core.config import parse_bind
from appliance.core.context import Appliance
from appliance.core.sdnotify import SystemdNotifier

log = logging.getLogger(__name__)

READY_TIMEOUT = 15.0
# Connections the public listener serves at once; more are closed as soon as accepted.
# Each one may hold ~400 KB of buffers before the app reads it (asyncio's stream buffer,
# Hypercorn's read, h11 and queue copies), so the count is what bounds the memory. Meta
# opens a handful; a delivery refused this way is retried by Meta.
PUBLIC_MAX_CONNECTIONS = 64


class BindError(Exception):
    """A listener could not bind its address; the message says which and why."""


def _hypercorn_config(bind: str, *, certfile: str = "", keyfile: str = "") -> HypercornConfig:
    cfg = HypercornConfig()
    cfg.bind = [bind]
    cfg.accesslog = None
    cfg.errorlog = None  # hypercorn.error propagates to our root handler instead
    cfg.graceful_timeout = 2.0
    cfg.shutdown_timeout = 5.0
    cfg.keep_alive_timeout = 30.0
    if certfile:
        cfg.certfile, cfg.keyfile = certfile, keyfile
    return cfg


def _bind(cfg: HypercornConfig, name: str, key: str) -> Sockets:
    try:
        return cfg.create_sockets()
    except OSError as err:
        hint = (
            "another program already uses this port; stop it or choose another port"
            if err.errno == errno.EADDRINUSE
            else "the address does not belong to this machine"
            if err.errno == errno.EADDRNOTAVAIL
            else str(err.strerror or err)
        )
        raise BindError(
            f"{name} listener cannot bind {cfg.bind[0]} ([server] {key}): {hint}"
        ) from err


class _Places:
    """A listener's connection places: taken at accept, given back once the client is gone."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.taken = 0


class _Connection(socket.socket):
    """An accepted connection that gives its place back at end of stream, an error or close.

    The client is gone once reading ends; Hypercorn then keeps the connection open until its
    keep-alive timer fires, which must not count against the cap.
    """

    places: _Places | None = None

    def recv(self, *args: Any) -> bytes:  # noqa: D102 - socket.recv
        return self._read(super().recv, *args)

    def recv_into(self, *args: Any) -> int:  # noqa: D102 - socket.recv_into (TLS reads)
        return self._read(super().recv_into, *args)

    def _read(self, read: Callable[..., Any], *args: Any) -> Any:
        try:
            got = read(*args)
        except (BlockingIOError, InterruptedError):  # nothing to read yet
            raise
        except OSError:
            self._release()
            raise
        if not got:  # b"" or 0: end of stream
            self._release()
        return got

    def close(self) -> None:  # noqa: D102 - socket.close
        self._release()
        super().close()

    def _release(self) -> None:
        if self.places is not None:
            self.places.taken -= 1
            self.places = None


class _CappedListener(socket.socket):
    """A listening socket that closes a connection over its cap as soon as it is accepted."""

    places: _Places

    def accept(self) -> tuple[socket.socket, Any]:  # noqa: D102 - socket.accept
        while True:
            conn, address = super().accept()  # BlockingIOError once the backlog is empty
            if self.places.taken < self.places.cap:
                break
            conn.close()  # nothing read, nothing buffered: refused
        self.places.taken += 1
        counted = _Connection(conn.family, conn.type, conn.proto, fileno=conn.detach())
        counted.places = self.places
        return counted, address


def _capped(sockets: Sockets, cap: int) -> Sockets:
    """The same listening sockets, each closing connections over ``cap`` (all together) at once."""
    places = _Places(cap)

    def wrap(sock: socket.socket) -> socket.socket:
        capped = _CappedListener(sock.family, sock.type, sock.proto, fileno=sock.detach())
        capped.places = places
        return capped

    return Sockets(
        [wrap(s) for s in sockets.secure_sockets],
        [wrap(s) for s in sockets.insecure_sockets],
        sockets.quic_sockets,
    )


def _bounded_public(cfg: HypercornConfig) -> HypercornConfig:
    """The internet-facing listener keeps little per connection, whatever their number.

    Each connection buffers at most one read and ``max_app_queue_size`` body chunks of
    64 KB ahead of the app (10 by default); a stalled sender is dropped after a minute.
    The bodies themselves are bounded by the webhook's shared byte budget.
    """
    cfg.max_app_queue_size = 1
    cfg.read_timeout = 60
    cfg.h11_max_incomplete_size = 16 * 1024  # request line + headers; Meta's are ~1 KB
    cfg.backlog = 1024
    return cfg


def bind_listeners(appliance: Appliance) -> tuple[tuple[HypercornConfig, Sockets], ...]:
    """Create both listening sockets before anything starts, so a busy port fails fast."""
    server = appliance.config.server
    public_cfg = _bounded_public(_hypercorn_config(server.public_bind))
    # Hypercorn has no connection limit of its own: the public sockets carry it.
    public = _capped(_bind(public_cfg, "public", "public_bind"), PUBLIC_MAX_CONNECTIONS)
    lan_cfg = _hypercorn_config(
        server.lan_bind, certfile=server.tls_certfile, keyfile=server.tls_keyfile
    )
    try:
        lan = _bind(lan_cfg, "LAN", "lan_bind")
    except BindError as err:
        host, port = parse_bind(server.lan_bind)
        cause = err.__cause__
        if host == "::" and isinstance(cause, OSError) and cause.errno == errno.EAFNOSUPPORT:
            log.warning("IPv6 is off on this machine: LAN listener falls back to 0.0.0.0:%d", port)
            lan_cfg.bind = [f"0.0.0.0:{port}"]
            lan = _bind(lan_cfg, "LAN", "lan_bind")
        else:
            _close(public)
            raise
    return (public_cfg, public), (lan_cfg, lan)


def _close(sockets: Sockets) -> None:
    for sock in [*sockets.secure_sockets, *sockets.insecure_sockets]:
        sock.close()


def _url(sockets: Sockets) -> str:
    secure = bool(sockets.secure_sockets)
    sock = (sockets.secure_sockets or sockets.insecure_sockets)[0]
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if sock.family == socket.AF_INET6 else host
    return f"{'https' if secure else 'http'}://{shown}:{port}"


def _probe_address(sockets: Sockets) -> tuple[str, int]:
    sock = (sockets.secure_sockets or sockets.insecure_sockets)[0]
    host, port = sock.getsockname()[:2]
    if host in ("::", "0.0.0.0"):
        host = "::1" if sock.family == socket.AF_INET6 else "127.0.0.1"
    return host, port


async def _wait_accepting(address: tuple[str, int]) -> None:
    """Return once a TCP connection to the listener succeeds."""
    while True:
        try:
            _reader, writer = await asyncio.open_connection(*address)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return


async def async_serve(
    appliance: Appliance,
    stop: asyncio.Event,
    *,
    on_ready: Callable[[], None] | None = None,
    notifier: SystemdNotifier | None = None,
) -> None:
    """Serve both apps until ``stop`` is set; services start first and stop last."""
    notifier = notifier or SystemdNotifier()
    (public_cfg, public_sockets), (lan_cfg, lan_sockets) = bind_listeners(appliance)
    appliance.public_url, appliance.lan_url = _url(public_sockets), _url(lan_sockets)
    serving: list[asyncio.Task[None]] = []
    watchdog: asyncio.Task[None] | None = None
    try:
        await appliance.services.start_all()
        for app, cfg, sockets, name in (
            (appliance.public, public_cfg, public_sockets, "public"),
            (appliance.lan, lan_cfg, lan_sockets, "lan"),
        ):
            wrapped = wrap_app(app, cfg.wsgi_max_body_size, "asgi")
            serving.append(
                asyncio.create_task(
                    worker_serve(wrapped, cfg, sockets=sockets, shutdown_trigger=stop.wait),
                    name=f"listener-{name}",
                )
            )
        ready = asyncio.gather(
            _wait_accepting(_probe_address(public_sockets)),
            _wait_accepting(_probe_address(lan_sockets)),
        )
        done, _ = await asyncio.wait(
            [ready, *serving], timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            for task in done:
                task.result()  # re-raise a listener that died while starting
            if stop.is_set():
                return
            raise RuntimeError(f"listeners did not accept within {READY_TIMEOUT:g} s")
        log.info("Banditore ready: public %s, LAN %s", appliance.public_url, appliance.lan_url)
        notifier.notify("READY=1")
        watchdog = asyncio.create_task(notifier.async_watchdog(stop), name="systemd-watchdog")
        for callback in appliance.on_ready:
            callback()
        if on_ready:
            on_ready()
        await asyncio.gather(*serving)
    finally:
        stop.set()
        notifier.notify("STOPPING=1")
        if serving:
            await asyncio.gather(*serving, return_exceptions=True)
        if watchdog:
            await watchdog
        await appliance.services.stop_all()
        _close(public_sockets)
        _close(lan_sockets)
        log.info("Banditore stopped")
