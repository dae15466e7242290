"""Campaign life cycle: create, send (now or at send_at), pause, resume, cancel, expire, done."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from appliance.audience.segments import segment_snapshot
from appliance.campaigns import outbox
from appliance.campaigns.alarms import Alert
from appliance.campaigns.dispatcher import CampaignInfo, Dispatcher
from appliance.campaigns.emergency import emergency_in
from appliance.campaigns.figures import TIER_REFRESH_SECONDS, CampaignFigures
from appliance.campaigns.limiter import CAMPAIGN, EMERGENCY
from appliance.campaigns.model import (
    ACTIVE,
    CANCELLED,
    DRAFT,
    EXPIRED,
    FINAL,
    PAUSED,
    SCHEDULED,
    SENDING,
    TEMPLATE_PART,
    CampaignSpec,
    loads,
    part_message,
    template_message,
)
from appliance.cloudapi.client import GraphApiError
from appliance.core import audit
from appliance.core.db.writer import compare_and_set
from appliance.core.errors import ApplianceError, Conflict, NotFound
from appliance.core.parts import PartKey
from appliance.core.periodic import Periodic
from appliance.core.services import cancel_and_wait
from appliance.core.text import N_

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

CAMPAIGNS: PartKey[Campaigns] = PartKey("campaigns")

log = logging.getLogger(__name__)

TICK_SECONDS = 0.5


# A campaign is done when nothing is queued and no accepted message may still fail: Meta's
# failed status (131026, 131050, 131049…) arrives after the 200 and may queue a retry.
STATUS_SETTLE = 30.0
_UNFINISHED = "(o.state = 'queued' OR (o.state = 'accepted' AND o.updated_at > ?))"


def campaign_info(row: Any) -> CampaignInfo:
    """The dispatcher's view of a campaign row."""
    content = loads(row["content"], [])
    template = loads(row["template"], None)
    template_too = row["lane"] == EMERGENCY and template is not None and content
    return CampaignInfo(
        id=row["id"],
        lane=row["lane"],
        status=row["status"],
        marketing=row["category"] == "MARKETING",
        expires_at=row["expires_at"],
        parts=[part_message(p) for p in content],
        template=template_message(template) if template else None,
        multipart=len(content) > 1 or bool(template_too),
        paused_reason=row["paused_reason"],
        template_key=(template["name"], template.get("language") or "it") if template else None,
    )


class Campaigns(CampaignFigures):
    """The campaigns service (``parts[CAMPAIGNS]``): state changes and the scheduler tick."""

    def __init__(self, db: Database, dispatcher: Dispatcher) -> None:
        super().__init__(db, dispatcher)
        dispatcher.alarms.on_account = self._account_alert
        self._finished: dict[int, asyncio.Event] = {}
        self.ticker = Periodic("campaigns-tick", self.tick, interval=TICK_SECONDS)
        self._tier_task: asyncio.Task[None] | None = None
        # The feeds learn that staff sent an alert campaign (approval lane).
        self.on_alert_sent: Callable[[str, str, str], Awaitable[None]] | None = None
        # Checks a draft must pass before it starts (the studio's election period); raise to refuse.
        self.send_gates: list[Callable[[Any], Awaitable[None]]] = []
        # Work on a scheduled campaign just before it starts (the studio renews its media ids).
        self.before_start: list[Callable[[int], Awaitable[Any]]] = []

    async def start(self) -> None:
        """Give the dispatcher every active campaign, then start ticking."""
        for row in await self._db.fetchall(
            "SELECT * FROM campaigns WHERE status IN (?, ?, ?)", ACTIVE
        ):
            self.dispatcher.campaign_changed(campaign_info(row))
        await self.ticker.start()

    async def stop(self) -> None:
        """Stop ticking."""
        await self.ticker.stop()
        await cancel_and_wait(self._tier_task)
        self._tier_task = None

    # -- changes ----------------------------------------------------------------------------

    async def create(
        self,
        spec: CampaignSpec,
        actor: str,
        address: str = "",
        *,
        alert_key: str | None = None,
        within: Callable[[WriteConnection, int], Awaitable[None]] | None = None,
    ) -> int:
        """Store a draft; audited. ``within`` runs in the same transaction (it may refuse)."""

        async def job(conn: WriteConnection) -> int:
            audience: dict[str, Any] = {"topics": list(spec.topics)}
            if spec.segment_id is not None:
                audience |= await segment_snapshot(conn, spec.segment_id)
            cursor = await conn.execute(
                "INSERT INTO campaigns (name, lane, status, category, audience, content, template,"
                " send_at, expires_at, created_by, created_at, alert_key) VALUES (?, ?, ?, ?, ?, ?,"
                " ?, ?, ?, ?, ?, ?)",
                (
                    spec.name,
                    CAMPAIGN,
                    DRAFT,
                    spec.category,
                    json.dumps(audience, ensure_ascii=False),
                    json.dumps(spec.content, ensure_ascii=False),
                    json.dumps(spec.template, ensure_ascii=False) if spec.template else None,
                    spec.send_at,
                    spec.expires_at,
                    actor,
                    time.time(),
                    alert_key,
                ),
            )
            campaign_id = int(cursor.lastrowid or 0)
            await audit.record_in(
                conn, actor, "campaign.created", str(campaign_id), spec.name, address
            )
            if within is not None:
                await within(conn, campaign_id)
            return campaign_id

        return await self._db.write(job)

    async def send(
        self, campaign_id: int, actor: str, address: str = "", *, spread: bool = False
    ) -> str:
        """Start a draft now, or schedule it for its send_at; refuse what would break the tier."""
        row = await self.row(campaign_id)
        if row["status"] != DRAFT:
            raise Conflict(f"campaign {campaign_id} is {row['status']}, not a draft")
        now = time.time()
        if row["expires_at"] is not None and row["expires_at"] <= now:
            raise Conflict("the campaign's expires_at has already passed")
        for gate in self.send_gates:
            await gate(row)
        await self._learn_template(loads(row["template"], None))
        check = await self.preflight(campaign_id)
        if check.exceeds and not spread:
            raise Conflict(
                f"{check.template_recipients} people would receive a template but only "
                f"{check.available} of the daily messaging limit ({check.limit}) are left: "
                "send with spread=true to continue over the next days, or narrow the audience",
                detail=check.as_dict(),
            )
        scheduled = row["send_at"] is not None and row["send_at"] > now + 1

        async def job(conn: WriteConnection) -> Any:
            target = SCHEDULED if scheduled else SENDING
            updated = await compare_and_set(
                conn, "campaigns", campaign_id, "status", (DRAFT,), target, spread=spread
            )
            if updated is None:
                raise Conflict(f"campaign {campaign_id} is no longer a draft")
            if not scheduled:
                updated = await outbox.begin_in(conn, updated, now)
            action = "campaign.scheduled" if scheduled else "campaign.sent"
            await audit.record_in(conn, actor, action, str(campaign_id), row["name"], address)
            return updated

        updated = await self._db.write(job)
        self.dispatcher.campaign_changed(campaign_info(updated))
        if updated["alert_key"] and self.on_alert_sent is not None:
            await self.on_alert_sent(updated["alert_key"], actor, address)
        return str(updated["status"])

    async def _learn_template(self, template: dict[str, Any] | None) -> None:
        """Know the template's latest category before sending ("stop promotions" needs it)."""
        client = self.dispatcher.client
        if template is None or client.templates.get(template["name"], template["language"]):
            return
        try:
            await client.list_templates()
        except GraphApiError as err:
            log.warning("could not read the templates before sending: %s", err)

    async def pause(self, campaign_id: int, actor: str, address: str = "", reason: str = "") -> str:
        """Stop taking the campaign's rows at once; requests already out finish."""
        return await self._change(
            campaign_id, PAUSED, (SENDING, SCHEDULED), actor, address, reason=reason
        )

    async def resume(self, campaign_id: int, actor: str, address: str = "") -> str:
        """Continue a paused campaign where it stopped."""
        row = await self.row(campaign_id)
        target = SENDING if row["started_at"] is not None else SCHEDULED
        return await self._change(campaign_id, target, (PAUSED,), actor, address)

    async def cancel(self, campaign_id: int, actor: str, address: str = "") -> str:
        """Drop everything not yet sent; final."""
        return await self._change(
            campaign_id, CANCELLED, (DRAFT, SCHEDULED, SENDING, PAUSED), actor, address
        )

    async def _change(
        self,
        campaign_id: int,
        target: str,
        allowed: tuple[str, ...],
        actor: str,
        address: str,
        *,
        reason: str = "",
    ) -> str:
        row = await self.row(campaign_id)
        if row["status"] not in allowed:
            raise Conflict(f"campaign {campaign_id} is {row['status']}: cannot make it {target}")
        info = campaign_info(row)
        info.status = target
        in_flight = self.dispatcher.campaign_changed(info) if target != SENDING else set()
        now = time.time()

        async def job(conn: WriteConnection) -> Any:
            finished = {"finished_at": now} if target in FINAL else {}
            updated = await compare_and_set(
                conn,
                "campaigns",
                campaign_id,
                "status",
                allowed,
                target,
                paused_reason=reason,
                **finished,
            )
            if updated is None:
                raise Conflict(f"campaign {campaign_id} changed meanwhile; try again")
            if target in FINAL:
                await _end_rows(conn, campaign_id, target, in_flight, now)
            action = {PAUSED: "campaign.paused", CANCELLED: "campaign.cancelled"}.get(
                target, "campaign.resumed"
            )
            await audit.record_in(conn, actor, action, str(campaign_id), reason, address)
            return updated

        try:
            updated = await self._db.write(job)
        except Exception:
            self.dispatcher.campaign_changed(campaign_info(await self.row(campaign_id)))
            raise
        self.dispatcher.campaign_changed(campaign_info(updated))
        if target in FINAL:
            self._closed(campaign_id)
        return target

    def _closed(self, campaign_id: int) -> None:
        if self.dispatcher.tier.blocked_emergency == campaign_id:
            self.dispatcher.tier.blocked_emergency = None
        self._finished.setdefault(campaign_id, asyncio.Event()).set()

    async def _account_alert(self, campaign_id: int, alert: Alert) -> None:
        """Meta stopped the account (quality, payment…): pause the campaign and say why."""
        reason = f"{alert.code}: {alert.message}"
        with contextlib.suppress(Conflict, NotFound):
            await self.pause(campaign_id, "system", reason=reason)
            log.error("campaign %s paused by an account alert: %s", campaign_id, reason)

    # -- emergencies ------------------------------------------------------------------------

    async def launch(self, **emergency: Any) -> tuple[int, int]:
        """Create and enqueue an emergency on the emergency lane in one commit."""
        test_numbers = emergency.get("test_numbers")
        row = await self._db.write(lambda conn: emergency_in(conn, now=time.time(), **emergency))
        self.dispatcher.campaign_changed(campaign_info(row))
        check = await self.preflight(row["id"]) if not test_numbers else None
        if check is not None and check.exceeds:
            self.dispatcher.tier.blocked_emergency = row["id"]
        return row["id"], row["recipients"]

    async def wait_finished(self, campaign_id: int) -> dict[str, Any]:
        """Once the emergency is done, cancelled or expired: its template's counts (one a person)."""
        event = self._finished.setdefault(campaign_id, asyncio.Event())
        while (await self.row(campaign_id))["status"] not in FINAL:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await event.wait()
        return await self.counts(campaign_id, TEMPLATE_PART)

    # -- the scheduler tick -----------------------------------------------------------------

    async def tick(self) -> None:
        """Start due schedules, expire what is past its expiry, close finished campaigns."""
        now = time.time()
        busy = any(c.status in ACTIVE for c in self.dispatcher.campaigns.values())
        if busy and now - self._tier_checked > TIER_REFRESH_SECONDS:
            # Only while something may send: an idle appliance makes no Graph calls.
            self._tier_checked = now
            self._tier_task = asyncio.create_task(self._refresh_tier(), name="campaigns-tier")
        for row in await self._db.fetchall(
            "SELECT id FROM campaigns WHERE status IN (?, ?, ?) AND expires_at <= ?",
            (*ACTIVE, now),
        ):
            with contextlib.suppress(Conflict, NotFound):
                await self._expire(row["id"])
        for row in await self._db.fetchall(
            "SELECT * FROM campaigns WHERE status = ? AND send_at <= ?", (SCHEDULED, now)
        ):
            for prepare in self.before_start:
                try:
                    await prepare(row["id"])
                except (ApplianceError, OSError) as err:  # still valid a while: start anyway
                    log.warning("campaign %s: not prepared before starting: %s", row["id"], err)
            await self._start_scheduled(row["id"], now)
        settled = now - min(STATUS_SETTLE, self.dispatcher.grace)
        for row in await self._db.fetchall(
            "SELECT c.id FROM campaigns c WHERE c.status = ? AND NOT EXISTS"
            f" (SELECT 1 FROM outbox o WHERE o.campaign_id = c.id AND {_UNFINISHED})",
            (SENDING, settled),
        ):
            await self._done(row["id"], now)

    def content_changed(self, row: Any) -> None:
        """The campaign's content was rewritten (renewed media ids): rows not yet sent use it."""
        known = self.dispatcher.campaigns.get(row["id"])
        if known is not None:
            now = campaign_info(row)
            self.dispatcher.campaigns[row["id"]] = replace(
                known, parts=now.parts, template=now.template
            )

    async def _expire(self, campaign_id: int) -> None:
        await self._change(
            campaign_id, EXPIRED, ACTIVE, "system", "", reason=N_("l'ora di scadenza è passata")
        )

    async def _start_scheduled(self, campaign_id: int, now: float) -> None:
        async def job(conn: WriteConnection) -> Any:
            async with conn.execute(
                "SELECT * FROM campaigns WHERE id = ? AND status = ?", (campaign_id, SCHEDULED)
            ) as cursor:
                row = await cursor.fetchone()
            return await outbox.begin_in(conn, row, now) if row is not None else None

        row = await self._db.write(job)
        if row is not None:
            self.dispatcher.campaign_changed(campaign_info(row))

    async def _done(self, campaign_id: int, now: float) -> None:
        async def job(conn: WriteConnection) -> Any:
            async with conn.execute(
                "UPDATE campaigns SET status = 'done', finished_at = ? WHERE id = ? AND status = ?"
                f" AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = ? AND {_UNFINISHED})"
                " RETURNING *",
                (
                    now,
                    campaign_id,
                    SENDING,
                    campaign_id,
                    now - min(STATUS_SETTLE, self.dispatcher.grace),
                ),
            ) as cursor:
                return await cursor.fetchone()

        row = await self._db.write(job)
        if row is not None:
            log.info("campaign %s done", campaign_id)
            self.dispatcher.campaign_changed(campaign_info(row))
            self._closed(campaign_id)


async def _end_rows(
    conn: WriteConnection, campaign_id: int, state: str, in_flight: set[int], now: float
) -> None:
    """Queued rows of a cancelled or expired campaign end unsent (requests already out finish)."""
    keep = ",".join(str(int(i)) for i in in_flight)
    await conn.execute(
        "UPDATE outbox SET state = ?, rank = 9, updated_at = ? WHERE campaign_id = ?"
        " AND state = 'queued'" + (f" AND id NOT IN ({keep})" if keep else ""),
        (state, now, campaign_id),
    )
