"""The dispatcher: where every broadcast, emergency and reply is paced and sent.

One pump task takes claimed outbox rows lane by lane (emergency, then conversation replies,
then campaigns), waits for the number's one rate limiter (``limiter.RateLimiter``: the
configured throughput, inbound messages included, with campaigns held to their own share),
checks the row again at the last moment (campaign still sending, not expired, person not
suppressed, pair limit, daily tier) and starts the request, keeping about rate × round trip
requests in flight. Answers are classified by Graph error code (``cloudapi.codes``) and
written back in batches; statuses arrive by webhook and move rows forward only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from appliance.campaigns import outbox
from appliance.campaigns.limiter import CAMPAIGN, EMERGENCY, LANES, REPLY, PairLimiter, RateLimiter
from appliance.campaigns.model import (
    CANCELLED,
    EXPIRED,
    FAILED,
    FINAL,
    NEEDS_TEMPLATE,
    ROW_RANK,
    SENDING,
    SKIPPED,
    STATUS_STATE,
    TEMPLATE_PART,
)
from appliance.campaigns.outbox import Results, Row
from appliance.campaigns.tier import TierMeter
from appliance.cloudapi.client import GraphApiError
from appliance.cloudapi.codes import Action, retry_delay
from appliance.cloudapi.events import Event, StatusUpdate
from appliance.core.errors import BadRequest
from appliance.core.services import cancel_and_wait

if TYPE_CHECKING:
    from appliance.cloudapi.client import CloudApiClient, SendResult
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)

THROUGHPUT_CODES = frozenset({130429, 4, 80007})  # the number's rate: slow every lane down
AUTH_CODES = frozenset({0, 3, 10, 190, *range(200, 300)})  # token or permissions: stop all
FLUSH_SECONDS = 0.05  # results gathered this long share one commit
IDLE_POLL = 1.0  # lanes with work look for due rows (retries, deferrals) this often
SWEEP_SECONDS = 5.0
TOKEN_CHECK_FIRST, TOKEN_CHECK_MAX = 2.0, 60.0
MAX_OUTAGE_HOLD = 30.0
RTT_WINDOW_SECONDS = 10.0
# A transport error before the request left: it surely did not arrive, resend at once.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


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


@dataclass
class Alert:
    """An account problem that stopped sending (token, permissions, quality)."""

    code: int | None
    message: str
    at: float = field(default_factory=time.time)


def _jitter(seconds: float) -> float:
    return seconds * random.uniform(0.75, 1.25)


class Dispatcher:
    """Owns the pump, the in-flight requests and the batched result writes."""

    def __init__(self, appliance: Appliance) -> None:
        values = appliance.config.values
        self._appliance = appliance
        self._db = appliance.db
        self.limiter = RateLimiter(
            values["whatsapp"]["throughput_per_second"], values["campaigns"]["lane_per_second"]
        )
        self.pairs = PairLimiter()
        self.tier = TierMeter(appliance.db, values["campaigns"]["messaging_tier"])
        self.max_in_flight = int(values["campaigns"]["max_in_flight"])
        self.grace = float(values["campaigns"]["inflight_grace_seconds"])
        self.campaigns: dict[int, CampaignInfo] = {}
        self.auth_alert: Alert | None = None  # every lane waits while the token fails
        self.on_account_alert: Callable[[int, Alert], Awaitable[None]] | None = None
        self.suppressed: Callable[[str | None, str | None], Awaitable[bool]] | None = None
        self._ready: dict[int, deque[Row]] = {lane: deque() for lane in LANES}
        self._dirty: set[int] = set(LANES)
        self._last_claim = dict.fromkeys(LANES, 0.0)
        self._in_flight: dict[int, Row] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._results = Results.empty()
        self._waiters: list[asyncio.Future[None]] = []
        self._released: list[int] = []
        self._wake = asyncio.Event()
        self._flush_wake = asyncio.Event()
        self._go = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        # The unloaded round trip (a recent minimum): with the mean, a slow server would
        # raise the in-flight target, which only queues more and costs client CPU.
        self._rtt = 0.3
        self._rtt_window = (math.inf, 0.0)  # (minimum so far, window start)
        # Answers per second lately: the in-flight target follows what the API really does.
        self._answered: deque[float] = deque(maxlen=5)  # the last full seconds
        self._answer_count, self._answer_since = 0, time.monotonic()
        self._failures = 0
        self._outage_until = 0.0
        self.unknown_outcomes = 0  # timeouts: left to the status webhooks and the sweeper

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def client(self) -> CloudApiClient:
        """The Cloud API client (``parts["cloudapi"]``)."""
        return self._appliance.parts["cloudapi"]

    async def start(self) -> None:
        """Load tier memory; start the pump, the writer of results and the crash sweeper."""
        await self.tier.load()
        self._loops = [
            asyncio.create_task(self._pump(), name="dispatcher-pump"),
            asyncio.create_task(self._flusher(), name="dispatcher-results"),
            asyncio.create_task(self._sweeper(), name="dispatcher-sweeper"),
        ]

    async def stop(self) -> None:
        """Stop taking rows, let requests in flight finish briefly, write what is known."""
        await cancel_and_wait(self._loops[0] if self._loops else None)
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=3.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._released.extend(r.id for lane in LANES for r in self._ready[lane])
        for lane in LANES:
            self._ready[lane].clear()
        for task in self._loops[1:]:
            await cancel_and_wait(task)
        self._loops = []
        try:
            await self._flush()
        except Exception:  # noqa: BLE001 - rows stay claimed: the next start sweeps them
            log.exception("writing the last send results failed")

    def ready(self) -> None:
        """Every service is up (suppression list loaded, inbox running): start sending."""
        self._go.set()

    def notify(self, lane: int) -> None:
        """New rows for ``lane`` (a reply, an emergency, a resumed campaign): look now."""
        self._dirty.add(lane)
        self._wake.set()

    # -- campaigns as the pump sees them ------------------------------------------------------

    def campaign_changed(self, info: CampaignInfo) -> set[int]:
        """Lifecycle changes a campaign: keep the copy current; return the row ids in flight.

        Called before the change is written, so no new row of a stopped campaign leaves.
        """
        self.campaigns[info.id] = info
        if info.status == SENDING:
            self.notify(info.lane)
            return set()
        return self.drop_campaign(info.id)

    def drop_campaign(self, campaign_id: int) -> set[int]:
        """Forget the campaign's claimed rows (released later); return the ids in flight."""
        for lane in (EMERGENCY, CAMPAIGN):
            kept = deque(r for r in self._ready[lane] if r.campaign_id != campaign_id)
            self._released.extend(r.id for r in self._ready[lane] if r.campaign_id == campaign_id)
            self._ready[lane] = kept
        self._flush_wake.set()
        return {i for i, r in self._in_flight.items() if r.campaign_id == campaign_id}

    @property
    def in_flight(self) -> int:
        """Requests waiting for Meta's answer."""
        return len(self._in_flight)

    @property
    def in_flight_target(self) -> int:
        """About rate × round trip, never above the configured cap.

        The rate is the lower of what the limiter allows and (doubled, so it can grow) what
        the API answered lately: a saturated server gains nothing from more requests waiting.
        """
        allowed = self.limiter.throughput * self.limiter.factor
        now = time.monotonic()
        current = self._answer_count / max(0.25, now - self._answer_since)
        achieved = 2 * max([current, *self._answered])
        return max(2, min(self.max_in_flight, math.ceil(min(allowed, achieved) * self._rtt) + 2))

    def _answered_one(self) -> None:
        now = time.monotonic()
        if now - self._answer_since >= 1.0:
            self._answered.append(self._answer_count / (now - self._answer_since))
            self._answer_count, self._answer_since = 0, now
        self._answer_count += 1

    def ready_count(self) -> int:
        """Rows claimed and waiting for their turn."""
        return sum(len(q) for q in self._ready.values())

    # -- the pump ---------------------------------------------------------------------------

    async def _pump(self) -> None:
        await self._go.wait()
        while True:
            try:
                await self._step()
            except Exception:  # noqa: BLE001 - a database hiccup must not stop every send
                log.exception("dispatcher step failed; trying again")
                await asyncio.sleep(1.0)

    async def _step(self) -> None:
        """Take the next row of the highest lane that has one, when the limiter allows."""
        if self.auth_alert is not None:
            await self._wait_for_token()
            return
        await self._refill()
        lane = next((lane for lane in LANES if self._ready[lane]), None)
        if lane is None:
            await self._sleep(IDLE_POLL)
            return
        if len(self._in_flight) >= self.in_flight_target:
            await self._sleep(0.5)  # a finishing request wakes us
            return
        delay = self.limiter.wait(lane)
        if delay > 0:
            await self._sleep(delay)  # a higher lane arriving meanwhile wakes us
            return
        row = self._ready[lane].popleft()
        info = self.campaigns.get(row.campaign_id) if row.campaign_id is not None else None
        if not await self._vet(row, info):
            return
        self.limiter.take(lane)
        self._in_flight[row.id] = row
        task = asyncio.create_task(self._send(row, info))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _vet(self, row: Row, info: CampaignInfo | None) -> bool:
        """The last checks before a request: False when the row must not go now."""
        now = time.time()
        if row.lane == REPLY:
            return True
        if info is None or info.status != SENDING:
            self._released.append(row.id)
            return False
        if info.expires_at is not None and now >= info.expires_at:
            self._final(row, EXPIRED, None, "expired before sending", attempted=False)
            return False
        if self.suppressed is not None and (row.wa_id or row.user_id):
            if await self.suppressed(row.wa_id, row.user_id):
                self._final(row, SKIPPED, None, "unsubscribed or erased", attempted=False)
                return False
        if info.multipart:
            wait = self.pairs.wait(row.recipient)
            if wait > 0:
                self._retry(row, now + wait, 0, None, "pair limit: one message every 6 s")
                return False
        if row.part == TEMPLATE_PART and not row.in_window:
            wait = self.tier.admit(row.recipient, now)
            if wait > 0:
                if row.lane == EMERGENCY:
                    self.tier.blocked_emergency = row.campaign_id
                self._retry(row, now + wait, 0, None, "daily messaging limit reached")
                return False
        return True

    async def _refill(self) -> None:
        mono = time.monotonic()
        lanes = [
            lane
            for lane in LANES
            if len(self._ready[lane]) < self._batch(lane) // 2 + 1
            and (lane in self._dirty or mono - self._last_claim[lane] >= IDLE_POLL)
            and (lane == REPLY or any(self._sending(lane)))
        ]
        if not lanes:
            return
        for lane in lanes:
            self._dirty.discard(lane)
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
            self._ready[lane].extend(rows)
            if len(rows) >= plans[lane][0]:
                self._dirty.add(lane)  # probably more where these came from

    def _is_marketing(self, info: CampaignInfo) -> bool:
        """Marketing by the campaign's category or by its template's latest category."""
        if info.marketing or info.template_key is None:
            return info.marketing
        known = self._appliance.parts["templates"].get(*info.template_key)
        return bool(known and known["category"] == "MARKETING")

    def _sending(self, lane: int) -> list[CampaignInfo]:
        return sorted(
            (c for c in self.campaigns.values() if c.lane == lane and c.status == SENDING),
            key=lambda c: c.id,
        )

    def _batch(self, lane: int) -> int:
        if lane == REPLY:
            return 20
        rate = self.limiter.throughput if lane == EMERGENCY else self.limiter.campaign_rate
        return max(4, int(rate * 0.5))  # half a second of sending: pauses act fast

    # -- one request ------------------------------------------------------------------------

    async def _send(self, row: Row, info: CampaignInfo | None) -> None:
        if row.message is not None:
            message = row.message
        else:
            assert info is not None
            message = info.template if row.part == TEMPLATE_PART else info.parts[row.part]
            assert message is not None
        started = time.monotonic()
        try:
            result = await self.client.send(
                row.recipient, message, callback_data=str(row.id), reply_to=row.context_wamid
            )
        except GraphApiError as err:
            self._failed(row, info, err)
        except BadRequest as err:  # the documented limits refused it before it left
            self._final(row, FAILED, getattr(err, "graph_code", None), err.message)
        except Exception as err:  # noqa: BLE001 - a bug must not lose the row: retried later
            log.exception("sending outbox row %s failed unexpectedly", row.id)
            self._retry(row, time.time() + 60, 1, None, f"{type(err).__name__}: {err}")
        else:
            self._accepted(row, result, time.monotonic() - started)
        finally:
            self._in_flight.pop(row.id, None)
            self._answered_one()
            self._wake.set()

    def _accepted(self, row: Row, result: SendResult, rtt: float) -> None:
        now = time.time()
        self._note_rtt(rtt)
        self._failures = 0
        self._results.accepted.append((result.wamid, now, row.id))
        if row.part == TEMPLATE_PART and not row.in_window:
            self._results.tier.append((row.recipient, now))
        self._flush_wake.set()

    def _note_rtt(self, rtt: float) -> None:
        low, since = self._rtt_window
        now = time.monotonic()
        low = min(low, rtt)
        self._rtt = min(self._rtt, rtt)
        if now - since > RTT_WINDOW_SECONDS:
            self._rtt, low, since = low, math.inf, now
        self._rtt_window = (low, since)

    def _failed(self, row: Row, info: CampaignInfo | None, err: GraphApiError) -> None:
        now = time.time()
        rule, code = err.rule, err.graph_code
        detail = str(err.message)[:500]
        if code is None and err.http_status is None and not isinstance(err.__cause__, _NOT_SENT):
            # Timed out or cut mid-answer: Meta may have accepted it. Like a crash, the row
            # stays claimed and is resent only if no status arrives within the grace period.
            log.warning("outbox row %s: outcome unknown (%s)", row.id, detail)
            self.unknown_outcomes += 1
            self._outage()
            return
        if rule.action is Action.RETRY:
            if code in THROUGHPUT_CODES:
                self.limiter.slow_down(rule.first_delay)
                self._retry(row, now + _jitter(rule.first_delay), 0, code, detail)
                return
            self._outage()
            delay = retry_delay(rule, row.attempts + 1)
            if delay is None:
                self._final(row, FAILED, code, detail)
            else:
                self._retry(row, now + _jitter(delay), 1, code, detail)
        elif rule.action is Action.RETRY_RECIPIENT:
            delay = retry_delay(rule, row.attempts + 1)
            if delay is None:
                self._final(row, FAILED, code, detail)
            else:
                self._retry(row, now + _jitter(delay), 1, code, detail)
        elif rule.action is Action.NEEDS_TEMPLATE:
            self._final(row, NEEDS_TEMPLATE, code, detail, whole_person=True)
        elif rule.action is Action.PERMANENT:
            self._final(row, FAILED, code, detail, whole_person=rule.recipient)
            if code == 131050:
                self._results.marketing_stops.append(row.recipient)
        elif code in AUTH_CODES:
            if self.auth_alert is None:
                log.error("sending paused: Meta refuses the token (%s)", detail)
                self.auth_alert = Alert(code, detail)
            self._retry(row, now, 0, code, detail)
        elif row.lane == REPLY or info is None:
            self._final(row, FAILED, code, detail)
        else:
            self._retry(row, now, 0, code, detail)
            if self.on_account_alert is not None:
                task = asyncio.create_task(self.on_account_alert(info.id, Alert(code, detail)))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _outage(self) -> None:
        """Transport or server failures hold every lane a while, longer at each new failure.

        Requests that fail together (all those in flight) are one failure, not many.
        """
        now = time.monotonic()
        if now < self._outage_until:
            return
        self._failures += 1
        hold = _jitter(min(MAX_OUTAGE_HOLD, 0.2 * 2 ** min(self._failures - 1, 8)))
        self._outage_until = now + hold
        self.limiter.hold(hold)

    def _retry(
        self, row: Row, not_before: float, attempts: int, code: int | None, detail: str
    ) -> None:
        info = self.campaigns.get(row.campaign_id) if row.campaign_id is not None else None
        if row.campaign_id is not None and (info is None or info.status in FINAL):
            # Stopped while this row was out: it ends with its campaign.
            state = EXPIRED if info and info.status == EXPIRED else CANCELLED
            self._final(row, state, code, detail, attempted=attempts > 0)
            return
        self._results.retries.append((not_before, attempts, code, detail, time.time(), row.id))
        self._flush_wake.set()

    def _final(
        self,
        row: Row,
        state: str,
        code: int | None,
        detail: str,
        *,
        whole_person: bool = False,
        attempted: bool = True,
    ) -> None:
        now = time.time()
        self._results.finals.append((state, code, detail, int(attempted), now, row.id))
        if whole_person and row.campaign_id is not None:
            self._results.recipient_finals.append(
                (state, code, detail, now, row.campaign_id, row.recipient)
            )
            # Their parts already claimed are released unsent, so the update above ends them.
            for lane in (EMERGENCY, CAMPAIGN):
                same = [
                    r
                    for r in self._ready[lane]
                    if r.campaign_id == row.campaign_id and r.recipient == row.recipient
                ]
                if same:
                    self._released.extend(r.id for r in same)
                    self._ready[lane] = deque(r for r in self._ready[lane] if r not in same)
        self._flush_wake.set()

    # -- the token alarm --------------------------------------------------------------------

    async def _wait_for_token(self) -> None:
        """Every lane waits; ask Meta now and then whether the token works again."""
        delay = TOKEN_CHECK_FIRST
        while self.auth_alert is not None:
            await asyncio.sleep(delay)
            try:
                info = await self.client.phone_number_info()
            except GraphApiError as err:
                if err.action is Action.OPERATOR_ALERT:
                    delay = min(TOKEN_CHECK_MAX, delay * 2)
                continue
            self.tier.set_from_meta(info.get("whatsapp_business_manager_messaging_limit"))
            log.info("the token works again: sending resumes")
            self.auth_alert = None
            self._dirty.update(LANES)

    # -- statuses (inbox subscriber) ---------------------------------------------------------

    async def on_status(self, event: Event) -> None:
        """Move the row named by ``biz_opaque_callback_data`` forward; return once committed."""
        if not isinstance(event, StatusUpdate) or not (event.callback_data or "").isdigit():
            return
        update = _status_update(
            event.status,
            event.wamid,
            event.errors[0].code if event.errors else None,
            (event.errors[0].details or event.errors[0].message) if event.errors else "",
            int(event.callback_data or 0),
            event.timestamp,
        )
        if update is None:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._results.statuses.append(update)
        self._waiters.append(future)
        self._flush_wake.set()
        await future

    async def on_inbound(self, event: Event) -> None:
        """A citizen's message used one token of the number's throughput."""
        self.limiter.note_inbound()

    # -- writing results --------------------------------------------------------------------

    async def _flusher(self) -> None:
        while True:
            await self._flush_wake.wait()
            await asyncio.sleep(FLUSH_SECONDS)
            self._flush_wake.clear()
            try:
                await self._flush()
            except Exception:  # noqa: BLE001 - the rows stay claimed; the sweeper recovers them
                log.exception("writing send results failed")

    async def _flush(self) -> None:
        results, self._results = self._results, Results.empty()
        waiters, self._waiters = self._waiters, []
        released, self._released = self._released, []
        if not results and not released:
            return

        async def job(conn: Any) -> None:
            await outbox.write_results(conn, results)
            await outbox.release(conn, released)

        try:
            await self._db.write(job)
        except Exception as err:
            for future in waiters:
                if not future.done():
                    future.set_exception(err)
            raise
        for future in waiters:
            if not future.done():
                future.set_result(None)
        if results.retries or released:
            self._dirty.update((EMERGENCY, REPLY, CAMPAIGN))

    # -- crash recovery ---------------------------------------------------------------------

    async def _sweeper(self) -> None:
        """Rows in flight at a crash (or a timeout): reconcile from statuses, else resend."""
        while True:
            await asyncio.sleep(min(SWEEP_SECONDS, max(0.5, self.grace / 4)))
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - tried again at the next round
                log.exception("in-flight sweep failed")

    async def sweep(self) -> int:
        """One round; returns how many rows were made ready to resend."""
        active = set(self._in_flight) | {r.id for lane in LANES for r in self._ready[lane]}
        resend, seen = await outbox.stale_in_flight(self._db, time.time() - self.grace, active)
        for row in seen:
            update = _status_update(
                row["status"],
                row["wamid"],
                row["error_code"],
                row["error_details"] or "",
                row["id"],
                row["timestamp"],
            )
            if update is not None:
                self._results.statuses.append(update)
        if resend:
            log.warning(
                "resending %d message(s) with no status after the grace period", len(resend)
            )
            self._released.extend(resend)
        if seen or resend:
            await self._flush()
        return len(resend)


def _status_update(
    status: str, wamid: str, code: int | None, detail: str, row_id: int, at: float
) -> tuple[str, int, str, int | None, str, float, int, float] | None:
    """The forward-only outbox update a status implies (``at``: Meta's time), or None."""
    if status == "failed":
        state = NEEDS_TEMPLATE if code == 131047 else FAILED
    else:
        state = STATUS_STATE.get(status, "")
        if not state:
            return None
    return (state, ROW_RANK[state], wamid, code, detail[:500], time.time(), row_id, at)
