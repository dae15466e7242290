"""Webhook events queued per lane for a fixed pool of workers: in order within a lane, fair across."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from appliance.cloudapi.events import (
    Event,
    GroupMessage,
    Message,
    MessageChange,
    StatusUpdate,
    SystemChange,
)

log = logging.getLogger(__name__)


@dataclass
class Pending:
    """A stored event still to be handled, with the subscribers that already succeeded."""

    id: int
    event: Event
    attempts: int = 0
    done_handlers: frozenset[str] = frozenset()


def lane_of(event: Event) -> str:
    """The lane whose events must be handled one after the other."""
    # A citizen's messages and notices (number changes, deletions) keep their order.
    if isinstance(event, Message | SystemChange | MessageChange | GroupMessage):
        return f"c:{event.sender.wa_id or event.sender.user_id or event.key}"
    if isinstance(event, StatusUpdate):
        return f"s:{event.wamid}"
    return f"k:{event.kind}"


class Lanes:
    """Per-lane queues worked by ``workers`` tasks; ``process`` raising calls ``crashed``."""

    def __init__(
        self,
        process: Callable[[Pending], Awaitable[None]],
        crashed: Callable[[Pending], None],
    ) -> None:
        self._process = process
        self._crashed = crashed
        # A task per event would put thousands of ready tasks in one loop turn under a burst,
        # stalling requests: a fixed pool takes the head of the next runnable lane instead.
        self._lanes: dict[str, deque[Pending]] = {}
        self._runnable: deque[str] = deque()
        self._has_work = asyncio.Event()
        self._workers: list[asyncio.Task[None]] = []

    def start(self, workers: int) -> None:
        """Start the pool."""
        self._workers = [
            asyncio.create_task(self._work(), name=f"webhook-handler-{n}") for n in range(workers)
        ]

    async def stop(self) -> None:
        """Cancel the pool and forget what waits: those events stay pending in the database."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        self._lanes.clear()
        self._runnable.clear()

    def launch(self, pending: Pending) -> None:
        """Queue an event behind the others of its lane."""
        lane = lane_of(pending.event)
        queue = self._lanes.get(lane)
        if queue is not None:  # the lane is waiting or being worked on: keep its order
            queue.append(pending)
            return
        self._lanes[lane] = deque([pending])
        self._runnable.append(lane)
        self._has_work.set()

    async def _work(self) -> None:
        """One of the pool: take the next lane's head event, process it, repeat."""
        while True:
            while not self._runnable:
                self._has_work.clear()
                await self._has_work.wait()
            lane = self._runnable.popleft()
            queue = self._lanes[lane]
            pending = queue[0]
            try:
                await self._process(pending)
            except Exception:  # noqa: BLE001 - the event stays pending in the database
                log.exception("webhook worker failed on %s", pending.event.key)
                self._crashed(pending)
            finally:
                queue.popleft()
                if queue:
                    self._runnable.append(lane)  # behind the other lanes: one citizen waits
                else:
                    del self._lanes[lane]
