"""The daily messaging limit: unique template recipients outside the window in a moving 24 h."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.core.db import Database

log = logging.getLogger(__name__)

DAY = 86400.0
LOWEST_TIER = 250  # what a new portfolio gets; assumed until Meta tells us
_TIER = re.compile(r"TIER_(\d+)([KM]?)")


def parse_tier(value: Any) -> int | None:
    """``TIER_250`` → 250, ``TIER_10K`` → 10000, ``TIER_UNLIMITED`` → 0 (no limit)."""
    text = str(value or "").upper()
    if text == "TIER_UNLIMITED":
        return 0
    match = _TIER.fullmatch(text)
    if not match:
        return None
    return int(match.group(1)) * {"": 1, "K": 1000, "M": 1_000_000}[match.group(2)]


@dataclass(frozen=True)
class Preflight:
    """What a campaign would do to the messaging limit, shown before it starts."""

    recipients: int
    template_recipients: int  # new people this campaign would count against the limit
    limit: int  # 0 = unlimited
    used: int
    available: int | None
    exceeds: bool
    days: int  # days needed when spread over the limit

    def as_dict(self) -> dict[str, Any]:
        """JSON shape of the REST API."""
        return {
            "recipients": self.recipients,
            "template_recipients": self.template_recipients,
            "limit": self.limit,
            "used_24h": self.used,
            "available": self.available,
            "exceeds": self.exceeds,
            "days": self.days,
        }


class TierMeter:
    """Counts unique recipients in memory (loaded at start) and admits new ones under the limit."""

    def __init__(self, db: Database, configured: int) -> None:
        self._db = db
        self.configured = configured  # 0: ask Meta
        self.limit = configured or LOWEST_TIER
        self.known = bool(configured)  # True once the limit is configured or read from Meta
        self._seen: dict[str, float] = {}
        self.blocked_emergency: int | None = None  # an emergency waiting for quota

    async def load(self) -> None:
        """Read the last 24 hours of counted recipients."""
        rows = await self._db.fetchall(
            "SELECT recipient, last_at FROM tier_recipients WHERE last_at > ?",
            (time.time() - DAY,),
        )
        self._seen = {r["recipient"]: r["last_at"] for r in rows}

    def set_from_meta(self, value: Any) -> None:
        """Meta's ``whatsapp_business_manager_messaging_limit`` (ignored when configured)."""
        tier = parse_tier(value)
        if tier is not None and not self.configured:
            if tier != self.limit or not self.known:
                log.info("messaging limit from Meta: %s", value)
            self.limit, self.known = tier, True

    def used(self, now: float | None = None) -> int:
        """Unique recipients counted in the last 24 hours."""
        self._prune(now or time.time())
        return len(self._seen)

    def _prune(self, now: float) -> None:
        cutoff = now - DAY
        if self._seen and min(self._seen.values()) <= cutoff:
            self._seen = {k: t for k, t in self._seen.items() if t > cutoff}

    def admit(self, recipient: str, now: float) -> float:
        """0 when a template may go to ``recipient`` now (counted), else seconds to wait."""
        if recipient in self._seen and now - self._seen[recipient] < DAY:
            self._seen[recipient] = now
            return 0.0
        if self.limit and len(self._seen) >= self.limit:
            self._prune(now)
            if len(self._seen) >= self.limit:
                return max(1.0, min(self._seen.values()) + DAY - now)
        self._seen[recipient] = now
        return 0.0

    def counted(self, recipient: str, now: float) -> bool:
        """True when ``recipient`` already counts in the moving 24 hours."""
        return now - self._seen.get(recipient, -DAY) < DAY

    def preflight(self, recipients: int, candidates: list[str]) -> Preflight:
        """The check shown before sending: ``candidates`` are the people who would get a template."""
        now = time.time()
        new = sum(1 for r in candidates if not self.counted(r, now))
        used = self.used(now)
        if not self.limit:
            return Preflight(recipients, new, 0, used, None, False, 1)
        available = max(0, self.limit - used)
        exceeds = new > available
        days = 1 if not exceeds else 1 + -(-(new - available) // self.limit)
        return Preflight(recipients, new, self.limit, used, available, exceeds, days)
