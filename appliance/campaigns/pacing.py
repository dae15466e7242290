"""Pacing: how many requests may wait for Meta at once, and the holds after server trouble."""

from __future__ import annotations

import math
import random
import time
from collections import deque

from appliance.campaigns.limiter import RateLimiter

MAX_OUTAGE_HOLD = 30.0
RTT_WINDOW_SECONDS = 10.0


def jitter(seconds: float) -> float:
    """``seconds`` ±25 %, so retries of many rows do not arrive together."""
    return seconds * random.uniform(0.75, 1.25)


class Pacing:
    """Keeps about rate × round trip requests in flight and holds every lane after failures."""

    def __init__(self, limiter: RateLimiter, max_in_flight: int) -> None:
        self.limiter = limiter
        self.max_in_flight = max_in_flight
        # The unloaded round trip (a recent minimum): with the mean, a slow server would
        # raise the in-flight target, which only queues more and costs client CPU.
        self.rtt = 0.3
        self._rtt_window = (math.inf, 0.0)  # (minimum so far, window start)
        # Answers per second lately: the in-flight target follows what the API really does.
        self._answered: deque[float] = deque(maxlen=5)  # the last full seconds
        self._answer_count, self._answer_since = 0, time.monotonic()
        self._failures = 0
        self._outage_until = 0.0

    @property
    def target(self) -> int:
        """About rate × round trip, never above the configured cap.

        The rate is the lower of what the limiter allows and (doubled, so it can grow) what
        the API answered lately: a saturated server gains nothing from more requests waiting.
        """
        allowed = self.limiter.throughput * self.limiter.factor
        now = time.monotonic()
        current = self._answer_count / max(0.25, now - self._answer_since)
        achieved = 2 * max([current, *self._answered])
        return max(2, min(self.max_in_flight, math.ceil(min(allowed, achieved) * self.rtt) + 2))

    def answered(self) -> None:
        """One request got its answer (any answer)."""
        now = time.monotonic()
        if now - self._answer_since >= 1.0:
            self._answered.append(self._answer_count / (now - self._answer_since))
            self._answer_count, self._answer_since = 0, now
        self._answer_count += 1

    def succeeded(self, rtt: float) -> None:
        """A request was accepted after ``rtt`` seconds: the outage count starts again."""
        self._failures = 0
        low, since = self._rtt_window
        now = time.monotonic()
        low = min(low, rtt)
        self.rtt = min(self.rtt, rtt)
        if now - since > RTT_WINDOW_SECONDS:
            self.rtt, low, since = low, math.inf, now
        self._rtt_window = (low, since)

    def outage(self) -> None:
        """Transport or server failures hold every lane a while, longer at each new failure.

        Requests that fail together (all those in flight) are one failure, not many.
        """
        now = time.monotonic()
        if now < self._outage_until:
            return
        self._failures += 1
        hold = jitter(min(MAX_OUTAGE_HOLD, 0.2 * 2 ** min(self._failures - 1, 8)))
        self._outage_until = now + hold
        self.limiter.hold(hold)
