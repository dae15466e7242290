"""Claimed rows waiting their turn, lane by lane, refilled from the outbox in small batches."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.campaigns import outbox
from appliance.campaigns.limiter import EMERGENCY, LANES, REPLY, RateLimiter
from appliance.campaigns.model import SENDING
from appliance.campaigns.outbox import Row

if TYPE_CHECKING:
    from appliance.core.db import Database

IDLE_POLL = 1.0  # lanes with work look for due rows (retries, deferrals) this often


@dataclass
class CampaignInfo:
    """What the pump needs of a campaign, parsed once."""

    id: int
    lane: int
    status: str
    marketing: bool
    expires_at: float | None
    parts: list[tuple[str, Any]]
    template: tuple[str, Any] | None
    multipart: bool
    paused_reason: str = ""
    template_key: tuple[str, str] | None = None  # (name, language)


class ReadyRows:
    """Per-lane queues of claimed rows; ``dirty`` lanes are claimed from at the next refill."""

    def __init__(
        self,
        db: Database,
        limiter: RateLimiter,
        campaigns: dict[int, CampaignInfo],
        marketing_template: Callable[[tuple[str, str]], bool],
    ) -> None:
        self._db = db
        self._limiter = limiter
        self._campaigns = campaigns
        self._marketing_template = marketing_template  # the template's latest category
        self.lanes: dict[int, deque[Row]] = {lane: deque() for lane in LANES}
        # Rows whose person has a request in flight: sent in order, one after the other.
        self._held: dict[str, deque[Row]] = {}
        self.dirty: set[int] = set(LANES)
        self._last_claim = dict.fromkeys(LANES, 0.0)

    def next_lane(self) -> int | None:
        """The highest lane with a row waiting."""
        return next((lane for lane in LANES if self.lanes[lane]), None)

    def ids(self) -> set[int]:
        """Every row waiting here (the sweeper must leave them alone)."""
        held = {r.id for rows in self._held.values() for r in rows}
        return held | {r.id for lane in LANES for r in self.lanes[lane]}

    def count(self) -> int:
        """Rows claimed and waiting for their turn."""
        held = sum(len(rows) for rows in self._held.values())
        return held + sum(len(q) for q in self.lanes.values())

    def hold(self, row: Row) -> None:
        """Keep ``row`` until the request before it to the same person is answered.

        Meta keeps the order in which it accepts messages, not the order of requests sent
        at once: a second part sent alongside the first may reach the phone before it.
        """
        self._held.setdefault(row.recipient, deque()).append(row)

    def release_next(self, recipient: str) -> None:
        """Nothing is on its way to this person any more: their next held row goes first."""
        rows = self._held.get(recipient)
        if not rows:
            return
        row = rows.popleft()
        if not rows:
            del self._held[recipient]
        self.lanes[row.lane].appendleft(row)

    def drop(self, leaving: Callable[[Row], bool], lanes: tuple[int, ...] = LANES) -> list[int]:
        """Take the rows ``leaving`` names out of ``lanes``; their ids, to release."""
        gone: list[int] = []
        for lane in lanes:
            kept: deque[Row] = deque()
            for row in self.lanes[lane]:
                (gone.append(row.id) if leaving(row) else kept.append(row))
            self.lanes[lane] = kept
        for recipient, rows in list(self._held.items()):
            kept = deque()
            for row in rows:
                (gone.append(row.id) if row.lane in lanes and leaving(row) else kept.append(row))
            if kept:
                self._held[recipient] = kept
            else:
                del self._held[recipient]
        return gone

    async def refill(self) -> None:
        """Claim a batch for each lane that runs low and has work (or was told it has)."""
        mono = time.monotonic()
        lanes = [
            lane
            for lane in LANES
            if len(self.lanes[lane]) < self._batch(lane) // 2 + 1
            and (lane in self.dirty or mono - self._last_claim[lane] >= IDLE_POLL)
            and (lane == REPLY or any(self._sending(lane)))
        ]
        if not lanes:
            return
        for lane in lanes:
            self.dirty.discard(lane)
            self._last_claim[lane] = mono
        now = time.time()
        plans = {lane: (self._batch(lane), list(self._sending(lane))) for lane in lanes}
        marketing = {c.id: self._is_marketing(c) for _, cs in plans.values() for c in cs}

        async def job(conn: Any) -> dict[int, list[Row]]:
            claimed: dict[int, list[Row]] = {}
            for lane, (size, campaigns) in plans.items():
                if lane == REPLY:
                    claimed[lane] = await outbox.claim_replies(conn, size, now)
                    continue
                rows: list[Row] = []
                for info in campaigns:
                    rows += await outbox.claim_campaign_rows(
                        conn, lane, info.id, marketing[info.id], size - len(rows), now
                    )
                    if len(rows) >= size:
                        break
                claimed[lane] = rows
            return claimed

        for lane, rows in (await self._db.write(job)).items():
            self.lanes[lane].extend(rows)
            if len(rows) >= plans[lane][0]:
                self.dirty.add(lane)  # probably more where these came from

    def _is_marketing(self, info: CampaignInfo) -> bool:
        """Marketing by the campaign's category or by its template's latest category."""
        if info.marketing or info.template_key is None:
            return info.marketing
        return self._marketing_template(info.template_key)

    def _sending(self, lane: int) -> list[CampaignInfo]:
        return sorted(
            (c for c in self._campaigns.values() if c.lane == lane and c.status == SENDING),
            key=lambda c: c.id,
        )

    def _batch(self, lane: int) -> int:
        if lane == REPLY:
            return 20
        rate = self._limiter.throughput if lane == EMERGENCY else self._limiter.campaign_rate
        return max(4, int(rate * 0.5))  # half a second of sending: pauses act fast
