"""Background polling of the alert sources: jittered intervals, exponential back-off."""

from __future__ import annotations

import logging
import random
from functools import partial

from appliance.core.periodic import Periodic
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
    """One periodic job per source; a failure only delays that source's next attempt."""

    def __init__(self, monitor: AlertMonitor) -> None:
        self.monitor = monitor
        self.jobs = {
            name: Periodic(
                f"feeds-poll-{name}",
                partial(self._poll, name),
                interval=monitor.base_interval,  # unused: every poll returns its own delay
                first_delay=FIRST_POLL_DELAY,
            )
            for name in monitor.sources
        }

    async def start(self) -> None:
        """Start polling each source unless ``[feeds] alerts_enabled`` is off."""
        if not self.monitor.enabled:
            return
        for job in self.jobs.values():
            await job.start()

    async def stop(self) -> None:
        """Cancel and await every polling job."""
        for job in self.jobs.values():
            await job.stop()

    async def _poll(self, name: str) -> float:
        """Poll one source; the delay before its next poll: jittered, or backing off."""
        interval = self.monitor.sources[name].interval(
            self.monitor.clock(), self.monitor.base_interval
        )
        try:
            await self.monitor.poll_now(name)
        except FeedError:  # recorded by the monitor (status, health, one log line)
            return backoff_delay(self.monitor.status[name].failures, interval)
        except Exception:  # noqa: BLE001 - e.g. the database is busy: try again later
            log.exception("polling %s failed", name)
            return backoff_delay(self.monitor.status[name].failures + 1, interval)
        return interval * random.uniform(1 - JITTER, 1 + JITTER)
