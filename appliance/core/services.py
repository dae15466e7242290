"""Long-lived services started and stopped in a defined order by the app's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0


class ServiceStartError(Exception):
    """A service could not start; the message names it and says why."""


@dataclass
class Service:
    """A named pair of start/stop coroutines (database, client, dispatcher, GPIO…)."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]
    start_timeout: float = START_TIMEOUT


class ServiceManager:
    """Starts services in registration order and stops them in reverse."""

    def __init__(self) -> None:
        self._services: list[Service] = []
        self._started: list[Service] = []

    def add(self, service: Service) -> None:
        """Register a service; order of registration is the start order."""
        self._services.append(service)

    @property
    def names(self) -> list[str]:
        """Names in start order."""
        return [s.name for s in self._services]

    async def start_all(self) -> None:
        """Start every service; on a failure stop those already started and raise."""
        for service in self._services:
            log.debug("starting %s", service.name)
            try:
                async with asyncio.timeout(service.start_timeout):
                    await service.start()
            except TimeoutError as err:
                await self.stop_all()
                raise ServiceStartError(
                    f"service '{service.name}' did not start within {service.start_timeout:g} s"
                ) from err
            except Exception as err:  # noqa: BLE001 - re-raised with the service's name
                await self.stop_all()
                raise ServiceStartError(f"service '{service.name}' failed to start: {err}") from err
            self._started.append(service)

    async def stop_all(self) -> None:
        """Stop started services in reverse order; a failing stop does not block the others."""
        while self._started:
            service = self._started.pop()
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await service.stop()
            except Exception:  # noqa: BLE001 - shutdown must go on
                log.exception("service '%s' did not stop cleanly", service.name)


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a service's background task and wait until it has unwound."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
