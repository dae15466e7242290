"""Pacing: one token bucket for the number (inbound counted), the campaign share, pair limits."""

from __future__ import annotations

import random
import time

EMERGENCY, REPLY, CAMPAIGN = 0, 1, 2
LANES = (EMERGENCY, REPLY, CAMPAIGN)

# Our bucket's burst in seconds of rate: small, so the API's own bucket (burst = rate) never
# sees more than it allows even when our requests arrive bunched.
BURST_SECONDS = 0.1
SLOWDOWN = 0.7  # rate factor applied at each 130429 answer
RECOVERY_PER_SECOND = 0.05  # the factor climbs back by this much per quiet second
MIN_FACTOR = 0.2

# Pair limit (reference §9): one message per 6 s to a person, with a small burst.
PAIR_BURST = 3
PAIR_SECONDS = 6.0


class TokenBucket:
    """``rate`` tokens per second up to ``burst``; tokens may go negative (inbound debt)."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self, now: float, rate: float | None = None) -> float:
        """Seconds until one token is available (0 when one is)."""
        if rate is not None:
            self.rate = rate
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (the caller waited for it, or it is inbound traffic)."""
        self._refill(now)
        self.tokens -= 1


class RateLimiter:
    """The number's one limiter, shared by every sender; campaigns also pass their own share."""

    def __init__(self, throughput: float, campaign_rate: float) -> None:
        self.throughput = float(throughput)
        self.campaign_rate = float(min(campaign_rate, throughput))
        self._global = TokenBucket(self.throughput, max(1.0, self.throughput * BURST_SECONDS))
        self._campaign = TokenBucket(
            self.campaign_rate, max(1.0, self.campaign_rate * BURST_SECONDS)
        )
        self._low = 1.0  # the factor right after the last slowdown
        self._hold_until = 0.0
        self._last_slowdown = 0.0
        self.inbound = 0
        self.throttled = 0  # 130429-class answers seen

    def note_inbound(self) -> None:
        """A citizen's message reached the number: it used one of the number's tokens."""
        self.inbound += 1
        self._global.take(time.monotonic())

    def slow_down(self, hold_seconds: float) -> None:
        """Meta said the rate is too high: lower it and hold every lane a moment (jittered)."""
        now = time.monotonic()
        self.throttled += 1
        if now - self._last_slowdown > 0.5:  # answers of one burst are one slowdown
            self._low = max(MIN_FACTOR, self._factor(now) * SLOWDOWN)
            self._last_slowdown = now
        self._hold_until = max(self._hold_until, now + hold_seconds * random.uniform(0.5, 1.0))

    def hold(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (the API is unavailable)."""
        self._hold_until = max(self._hold_until, time.monotonic() + seconds)

    def _factor(self, now: float) -> float:
        quiet = max(0.0, now - max(self._last_slowdown, self._hold_until))
        return min(1.0, self._low + quiet * RECOVERY_PER_SECOND)

    @property
    def factor(self) -> float:
        """1.0 at full rate; lower for a while after Meta said 130429."""
        return self._factor(time.monotonic())

    def wait(self, lane: int) -> float:
        """Seconds before ``lane`` may send its next message (0: now)."""
        now = time.monotonic()
        factor = self._factor(now)
        wait = max(0.0, self._hold_until - now)
        wait = max(wait, self._global.wait(now, self.throughput * factor))
        if lane == CAMPAIGN:
            wait = max(wait, self._campaign.wait(now, self.campaign_rate * factor))
        return wait

    def take(self, lane: int) -> None:
        """Spend the tokens for one message of ``lane`` (after ``wait`` said 0)."""
        now = time.monotonic()
        self._global.take(now)
        if lane == CAMPAIGN:
            self._campaign.take(now)

    @property
    def current_rate(self) -> float:
        """What campaigns may send now, in messages per second."""
        return self.campaign_rate * self.factor


class PairLimiter:
    """Per person: a small burst, then one message every 6 s (multi-part campaign content)."""

    def __init__(self, burst: int = PAIR_BURST, seconds: float = PAIR_SECONDS) -> None:
        self._burst, self._rate = float(burst), 1 / seconds
        self._buckets: dict[str, TokenBucket] = {}

    def wait(self, recipient: str) -> float:
        """Seconds before ``recipient`` may get another part; 0 spends the token now."""
        now = time.monotonic()
        bucket = self._buckets.get(recipient)
        if bucket is None:
            if len(self._buckets) > 50_000:
                self._prune(now)
            bucket = self._buckets[recipient] = TokenBucket(self._rate, self._burst)
        delay = bucket.wait(now)
        if delay == 0:
            bucket.take(now)
        return delay

    def _prune(self, now: float) -> None:
        # A full bucket remembers nothing worth keeping.
        self._buckets = {
            k: b for k, b in self._buckets.items() if b.wait(now) > 0 or b.tokens < b.burst
        }
