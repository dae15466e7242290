"""Periodic background jobs: a first delay, then the job again after each interval, until stopped."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from appliance.core.services import cancel_and_wait

log = logging.getLogger(__name__)

# The job may return the delay before its next run (a back-off, say); None means the interval.
Job = Callable[[], Awaitable[float | None]]
Sleep = Callable[[float], Awaitable[None]]


class Periodic:
    """Runs ``job`` in a task of its own; a failure is logged with the job's name and the loop goes on.

    ``first_delay`` is seconds, or a ``(low, high)`` range picked at random (so restarts do not
    hit a service in step); ``interval`` is seconds or a callable read before each wait, and
    ``jitter`` spreads it by ± that fraction. Tests call ``run_once`` or ``wait_for_run``.
    """

    def __init__(
        self,
        name: str,
        job: Job,
        *,
        interval: float | Callable[[], float],
        first_delay: float | tuple[float, float] = 0.0,
        jitter: float = 0.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self._job = job
        self._interval = interval
        self._first_delay = first_delay
        self._jitter = jitter
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._ran = asyncio.Condition()
        self.runs = 0  # finished runs, failed ones included

    async def start(self) -> None:
        """Start the loop in the background."""
        self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the loop and wait until it has unwound (a run in progress is cancelled)."""
        await cancel_and_wait(self._task)
        self._task = None

    async def run(self) -> None:
        """The loop itself, for a caller that runs it in a task of its own."""
        await self._sleep(self._first())
        while True:
            try:
                delay = await self._job()
            except Exception:  # noqa: BLE001 - the next run tries again; the log says why
                log.exception("%s failed", self.name)
                delay = None
            async with self._ran:
                self.runs += 1
                self._ran.notify_all()
            await self._sleep(self._next() if delay is None else delay)

    async def run_once(self) -> float | None:
        """Run the job now, outside the loop; its errors reach the caller."""
        return await self._job()

    async def wait_for_run(self, count: int | None = None) -> None:
        """Return once the loop has finished ``count`` runs (default: one more than so far)."""
        target = self.runs + 1 if count is None else count
        async with self._ran:
            await self._ran.wait_for(lambda: self.runs >= target)

    def _first(self) -> float:
        if isinstance(self._first_delay, tuple):
            return random.uniform(*self._first_delay)
        return self._first_delay

    def _next(self) -> float:
        interval = self._interval() if callable(self._interval) else self._interval
        if self._jitter:
            interval *= random.uniform(1 - self._jitter, 1 + self._jitter)
        return interval
