"""Per-citizen flood protection: a token bucket per number; beyond it answers slow down."""

from __future__ import annotations

from dataclasses import dataclass

MAX_TRACKED = 20_000  # citizens remembered at once; full buckets are forgotten first


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGuard:
    """``allow(key, now)``: answer this message? ``warn`` says whether to say "slow down" once."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.per_second = per_minute / 60.0
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, key: str, now: float) -> tuple[bool, bool]:
        """(answer it, warn the citizen once) for one inbound message."""
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if bucket.tokens >= self.capacity / 2:
                bucket.warned = False
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    def _forget_full(self, now: float) -> None:
        for key in [
            k
            for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.per_second >= self.capacity
        ]:
            del self._buckets[key]
