"""Background polling of the alert sources: jittered intervals, exponential back-off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random

from appliance.feeds.alerts import AlertMonitor
from appliance.feeds.fetch import FeedError

log = logging.getLogger(__name__)

FIRST_POLL_DELAY = (1.0, 5.0)  # seconds: leave startup to the listeners
JITTER = 0.1  # ±10 % of the interval, so boxes do not poll in step
BACKOFF_START = 60.0
BACKOFF_MAX = 1800.0


def backoff_delay(failures: int, interval: float) -> float:
    """Doubling from a minute, never longer than the normal interval nor half an hour."""
    ceiling = min(BACKOFF_MAX, max(interval, BACKOFF_START))
    return min(ceiling, BACKOFF_START * 2 ** max(failures - 1, 0)) * random.uniform(0.5, 1.0)


class Poller:
    """One task per source; a failure only delays that source's next attempt."""

    def __init__(self, monitor: AlertMonitor) -> None:
        self.monitor = monitor
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Start polling each source unless ``[feeds] alerts_enabled`` is off."""
        if not self.monitor.enabled:
            return
        for name in self.monitor.sources:
            self._tasks.append(asyncio.create_task(self._run(name), name=f"feeds-poll-{name}"))

    async def stop(self) -> None:
        """Cancel and await every polling task."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def _run(self, name: str) -> None:
        source = self.monitor.sources[name]
        await asyncio.sleep(random.uniform(*FIRST_POLL_DELAY))
        while True:
            interval = source.interval(self.monitor.clock(), self.monitor.base_interval)
            try:
                await self.monitor.poll_now(name)
            except FeedError:  # recorded by the monitor (status, health, one log line)
                delay = backoff_delay(self.monitor.status[name].failures, interval)
            except Exception:  # noqa: BLE001 - e.g. the database is busy: try again later
                log.exception("polling %s failed", name)
                delay = backoff_delay(self.monitor.status[name].failures + 1, interval)
            else:
                delay = interval * random.uniform(1 - JITTER, 1 + JITTER)
            await asyncio.sleep(delay)
