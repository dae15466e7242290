"""The dispatcher: where every broadcast, emergency and reply is paced and sent.

One pump task takes claimed outbox rows lane by lane (emergency, then conversation replies,
then campaigns), waits for the number's one rate limiter (``limiter.RateLimiter``: the
configured throughput, inbound messages included, with campaigns held to their own share),
checks the row again at the last moment (campaign still sending, not expired, person not
suppressed, pair limit, daily tier) and starts the request, keeping about rate × round trip
requests in flight (``pacing``). What an error means is the decision table's word
(``policy``); outcomes and statuses are written in batches by ``results.ResultWriter``; rows a
crash left in flight are the ``sweeper``'s; claimed rows wait in ``ready.ReadyRows``; the
token hold and account stops are ``alarms.Alarms``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import httpx

from appliance.campaigns.alarms import Alarms
from appliance.campaigns.limiter import CAMPAIGN, EMERGENCY, LANES, REPLY, PairLimiter, RateLimiter
from appliance.campaigns.model import (
    CANCELLED,
    EXPIRED,
    FAILED,
    FINAL,
    SENDING,
    SKIPPED,
    TEMPLATE_PART,
)
from appliance.campaigns.outbox import Row
from appliance.campaigns.pacing import Pacing, jitter
from appliance.campaigns.policy import Failure, Verdict, decide
from appliance.campaigns.ready import IDLE_POLL, CampaignInfo, ReadyRows
from appliance.campaigns.results import (
    Accepted,
    AccountStop,
    Final,
    PersonFinal,
    ResultWriter,
    Retry,
    TierUse,
    ToNumber,
    status_change,
)
from appliance.campaigns.sweeper import Sweeper
from appliance.campaigns.tier import TierMeter
from appliance.cloudapi.client import CLOUDAPI, GraphApiError
from appliance.cloudapi.events import Event, StatusUpdate
from appliance.cloudapi.templates import TEMPLATES
from appliance.core.errors import BadRequest
from appliance.core.services import cancel_and_wait

if TYPE_CHECKING:
    from appliance.cloudapi.client import CloudApiClient, SendResult
    from appliance.core.context import Appliance

log = logging.getLogger(__name__)

# A transport error before the request left: it surely did not arrive, resend at once.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Dispatcher:
    """Owns the pump, the in-flight requests and the batched result writes."""

    def __init__(self, appliance: Appliance) -> None:
        config = appliance.config
        self._appliance = appliance
        self._db = appliance.db
        self.limiter = RateLimiter(
            config.whatsapp.throughput_per_second, config.campaigns.lane_per_second
        )
        self.pairs = PairLimiter()
        self.tier = TierMeter(appliance.db, config.campaigns.messaging_tier)
        self.grace = float(config.campaigns.inflight_grace_seconds)
        self.campaigns: dict[int, CampaignInfo] = {}
        self.alarms = Alarms(self._spawn)
        self.suppressed: Callable[[str | None, str | None], Awaitable[bool]] | None = None
        self.queue = ReadyRows(appliance.db, self.limiter, self.campaigns, self._marketing_template)
        self._in_flight: dict[int, Row] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._writer = ResultWriter(appliance.db, self._written)
        self.sweeper = Sweeper(appliance.db, self._writer, self.grace, self._active)
        self._wake = asyncio.Event()
        self._go = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self.pacing = Pacing(self.limiter, int(config.campaigns.max_in_flight))
        self.unknown_outcomes = 0  # timeouts: left to the status webhooks and the sweeper

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def client(self) -> CloudApiClient:
        """The Cloud API client (``parts[CLOUDAPI]``)."""
        return self._appliance.parts[CLOUDAPI]

    async def start(self) -> None:
        """Load tier memory; start the pump, the writer of results and the crash sweeper."""
        await self.tier.load()
        self._loops = [
            asyncio.create_task(self._pump(), name="dispatcher-pump"),
            asyncio.create_task(self._writer.run(), name="dispatcher-results"),
            asyncio.create_task(self.sweeper.run(), name="dispatcher-sweeper"),
        ]

    async def stop(self) -> None:
        """Stop taking rows, let requests in flight finish briefly, write what is known."""
        await cancel_and_wait(self._loops[0] if self._loops else None)
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=3.0)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self._writer.released.extend(self.queue.drop(lambda row: True))
        for task in self._loops[1:]:
            await cancel_and_wait(task)
        self._loops = []
        try:
            await self._writer.flush()
        except Exception:  # noqa: BLE001 - rows stay claimed: the next start sweeps them
            log.exception("writing the last send results failed")

    def ready(self) -> None:
        """Every service is up (suppression list loaded, inbox running): start sending."""
        self._go.set()

    def notify(self, lane: int) -> None:
        """New rows for ``lane`` (a reply, an emergency, a resumed campaign): look now."""
        self.queue.dirty.add(lane)
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
        self._writer.released.extend(
            self.queue.drop(lambda r: r.campaign_id == campaign_id, (EMERGENCY, CAMPAIGN))
        )
        self._writer.wake()
        return {i for i, r in self._in_flight.items() if r.campaign_id == campaign_id}

    @property
    def in_flight(self) -> int:
        """Requests waiting for Meta's answer."""
        return len(self._in_flight)

    @property
    def in_flight_target(self) -> int:
        """About rate × round trip requests waiting for Meta (see ``pacing.Pacing``)."""
        return self.pacing.target

    def ready_count(self) -> int:
        """Rows claimed and waiting for their turn."""
        return self.queue.count()

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
        if self.alarms.auth is not None:
            await self.alarms.wait_for_token(self.client, self.tier)
            self.queue.dirty.update(LANES)
            return
        await self.queue.refill()
        lane = self.queue.next_lane()
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
        row = self.queue.lanes[lane].popleft()
        if any(r.recipient == row.recipient for r in self._in_flight.values()):
            self.queue.hold(row)
            return
        info = self.campaigns.get(row.campaign_id) if row.campaign_id is not None else None
        if not await self._vet(row, info):
            self.queue.release_next(row.recipient)
            return
        self.limiter.take(lane)
        self._in_flight[row.id] = row
        self._spawn(self._send(row, info))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """A task that ``stop`` waits for briefly (a request in flight, an account alert)."""
        task = asyncio.create_task(work)
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
            self._writer.released.append(row.id)
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

    def _marketing_template(self, key: tuple[str, str]) -> bool:
        known = self._appliance.parts[TEMPLATES].get(*key)
        return bool(known and known["category"] == "MARKETING")

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
            self.queue.release_next(row.recipient)
            self.pacing.answered()
            self._wake.set()

    def _accepted(self, row: Row, result: SendResult, rtt: float) -> None:
        now = time.time()
        self.pacing.succeeded(rtt)
        self._writer.results.accepted.append(Accepted(row.id, result.wamid, now))
        if row.part == TEMPLATE_PART and not row.in_window:
            self._writer.results.tier.append(TierUse(row.recipient, now))
        self._writer.wake()

    def _failed(self, row: Row, info: CampaignInfo | None, err: GraphApiError) -> None:
        code, detail = err.graph_code, str(err.message)[:500]
        if code is None and err.http_status is None and not isinstance(err.__cause__, _NOT_SENT):
            # Timed out or cut mid-answer: Meta may have accepted it. Like a crash, the row
            # stays claimed and is resent only if no status arrives within the grace period.
            log.warning("outbox row %s: outcome unknown (%s)", row.id, detail)
            self.unknown_outcomes += 1
            self.pacing.outage()
            return
        now = time.time()
        decision = decide(
            Failure(
                code,
                err.http_status,
                attempts=row.attempts,
                reply=row.lane == REPLY or info is None,
                expires_at=info.expires_at if info else None,
                now=now,
                by_user_id=not row.recipient.isdigit(),
            )
        )
        if decision.slow_down:
            self.limiter.slow_down(decision.slow_down)
        if decision.outage:
            self.pacing.outage()
        if decision.to_number:  # the writer ends the row and queues the number's copy
            self._writer.results.to_number.append(ToNumber(row.id, code, now))
            self._writer.wake()
            return
        if decision.verdict is Verdict.FINAL:
            self._final(row, decision.state, code, detail, whole_person=decision.skip_person)
            if decision.marketing_opt_out:
                self._writer.results.marketing_stops.append(row.recipient)
            return
        assert decision.retry_at is not None
        later = now + jitter(decision.retry_at - now) if decision.retry_at > now else now
        self._retry(row, later, int(decision.counts_attempt), code, detail)
        self.alarms.raise_for(info.id if info else None, code, detail, decision.verdict)

    def _retry(
        self, row: Row, not_before: float, attempts: int, code: int | None, detail: str
    ) -> None:
        info = self.campaigns.get(row.campaign_id) if row.campaign_id is not None else None
        if row.campaign_id is not None and (info is None or info.status in FINAL):
            # Stopped while this row was out: it ends with its campaign.
            state = EXPIRED if info and info.status == EXPIRED else CANCELLED
            self._final(row, state, code, detail, attempted=attempts > 0)
            return
        self._writer.results.retries.append(
            Retry(row.id, not_before, attempts, code, detail, time.time())
        )
        self._writer.wake()

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
        self._writer.results.finals.append(Final(row.id, state, code, detail, attempted, now))
        if whole_person and row.campaign_id is not None:
            self._writer.results.person_finals.append(
                PersonFinal(row.campaign_id, row.recipient, state, code, detail, now)
            )
            self._drop_person(row.campaign_id, row.recipient)
        self._writer.wake()

    def _drop_person(self, campaign_id: int, recipient: str) -> None:
        """Their parts already claimed are released unsent, so the person's final ends them."""
        self._writer.released.extend(
            self.queue.drop(
                lambda r: r.campaign_id == campaign_id and r.recipient == recipient,
                (EMERGENCY, CAMPAIGN),
            )
        )

    # -- statuses (inbox subscriber) ---------------------------------------------------------

    async def on_status(self, event: Event) -> None:
        """Move the row named by ``biz_opaque_callback_data`` forward; return once committed."""
        if not isinstance(event, StatusUpdate) or not (event.callback_data or "").isdigit():
            return
        error = event.errors[0] if event.errors else None
        change = status_change(
            event.status,
            event.wamid,
            error.code if error else None,
            (error.details or error.message) if error else "",
            int(event.callback_data or 0),
            event.timestamp,
        )
        if change is not None:
            await self._writer.status(change)

    async def on_inbound(self, event: Event) -> None:
        """A citizen's message used one token of the number's throughput."""
        self.limiter.note_inbound()

    def _written(
        self, ready_again: bool, people: list[PersonFinal], stops: list[AccountStop]
    ) -> None:
        """After each commit: rows may be ready again, people ended, the account stopped."""
        for person in people:
            self._drop_person(person.campaign_id, person.recipient)
        if ready_again:
            self.queue.dirty.update((EMERGENCY, REPLY, CAMPAIGN))
        for stop in stops:
            self.alarms.raise_for(stop.campaign_id, stop.code, stop.detail, stop.verdict)

    def _active(self) -> set[int]:
        return set(self._in_flight) | self.queue.ids()

    async def sweep(self) -> int:
        """One sweeper round now (tests and the restore hook)."""
        return await self.sweeper.sweep()
