"""What a campaign looks like from outside: its row, counts, description, recipients, preflight."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from appliance.audience.recipients import ADDRESS, of_campaign
from appliance.campaigns import outbox
from appliance.campaigns.limiter import EMERGENCY
from appliance.campaigns.model import loads
from appliance.campaigns.tier import Preflight
from appliance.cloudapi.client import GraphApiError
from appliance.core.errors import NotFound
from appliance.lan.api import fetch_page

if TYPE_CHECKING:
    from appliance.campaigns.dispatcher import Dispatcher
    from appliance.core.db import Database

log = logging.getLogger(__name__)

TIER_REFRESH_SECONDS = 3600.0


class CampaignFigures:
    """The reading half of ``parts[CAMPAIGNS]`` (``engine.Campaigns`` adds the changes)."""

    def __init__(self, db: Database, dispatcher: Dispatcher) -> None:
        self._db = db
        self.dispatcher = dispatcher
        self._tier_checked = 0.0

    async def row(self, campaign_id: int) -> Any:
        """The campaign row; NotFound when there is none."""
        if not 0 < campaign_id < 2**63:  # SQLite integers are 64-bit
            raise NotFound(f"no campaign {campaign_id}")
        row = await self._db.fetchone("SELECT * FROM campaigns WHERE id = ?", (campaign_id,))
        if row is None:
            raise NotFound(f"no campaign {campaign_id}")
        return row

    async def by_alert(self, key: str) -> Any:
        """The campaign announcing the feeds' alert change ``key``, if any."""
        return await self._db.fetchone("SELECT * FROM campaigns WHERE alert_key = ?", (key,))

    async def counts(self, campaign_id: int, part: int | None = None) -> dict[str, Any]:
        """Rows by outcome (of one part, if given); sent/delivered/read are cumulative."""
        rows = await self._db.fetchall(
            "SELECT state, error_code, count(*) AS n FROM outbox WHERE campaign_id = ?"
            + (" AND part = ?" if part is not None else "")
            + " GROUP BY state, error_code",
            (campaign_id,) if part is None else (campaign_id, part),
        )
        by_state: dict[str, int] = {}
        by_code: dict[str, int] = {}
        for r in rows:
            by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
            if r["state"] in ("failed", "needs_template"):
                key = str(r["error_code"]) if r["error_code"] is not None else "unknown"
                by_code[key] = by_code.get(key, 0) + r["n"]
        read = by_state.get("read", 0)
        delivered = read + by_state.get("delivered", 0)
        sent = delivered + by_state.get("sent", 0) + by_state.get("accepted", 0)
        return {
            "queued": by_state.get("queued", 0),
            "sent": sent,
            "delivered": delivered,
            "read": read,
            "failed": by_state.get("failed", 0) + by_state.get("needs_template", 0),
            "failed_by_code": by_code,
            "needs_template": by_state.get("needs_template", 0),
            "skipped": by_state.get("skipped", 0),
            "expired": by_state.get("expired", 0),
            "cancelled": by_state.get("cancelled", 0),
        }

    async def describe(self, campaign_id: int) -> dict[str, Any]:
        """The REST shape of one campaign with its counts."""
        row = await self.row(campaign_id)
        return {
            "id": row["id"],
            "name": row["name"],
            "status": row["status"],
            "kind": "emergency" if row["lane"] == EMERGENCY else "campaign",
            "category": row["category"],
            "audience": loads(row["audience"], {}),
            "content": loads(row["content"], []),
            "template": loads(row["template"], None),
            "send_at": _iso(row["send_at"]),
            "expires_at": _iso(row["expires_at"]),
            "recipients": row["recipients"],
            "paused_reason": row["paused_reason"],
            "created_at": _iso(row["created_at"]),
            "started_at": _iso(row["started_at"]),
            "finished_at": _iso(row["finished_at"]),
            "counts": await self.counts(campaign_id),
        }

    async def recipients(
        self, campaign_id: int, page: int, per_page: int, status: str | None
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of per-recipient, per-part outcomes, in queue order."""
        await self.row(campaign_id)
        where, params = "o.campaign_id = ?", [campaign_id]
        if status:
            where += " AND o.state = ?"
            params.append(status)
        rows, more = await fetch_page(
            self._db,
            "SELECT o.subscriber_id, o.recipient, o.part, o.state, o.error_code, o.error_detail,"
            " o.wamid, o.updated_at, s.wa_id, s.user_id FROM outbox o"
            f" LEFT JOIN subscribers s ON s.id = o.subscriber_id WHERE {where} ORDER BY o.id",
            params,
            page,
            per_page,
        )
        entries = [
            {
                "subscriber_id": r["subscriber_id"],
                "wa_id": r["wa_id"] if r["subscriber_id"] is not None else r["recipient"],
                "user_id": r["user_id"],
                "part": "template" if r["part"] < 0 else r["part"],
                "status": r["state"],
                "error_code": r["error_code"],
                "error_detail": r["error_detail"],
                "wamid": r["wamid"],
                "updated_at": _iso(r["updated_at"]),
            }
            for r in rows
        ]
        return entries, more

    async def preflight(self, campaign_id: int) -> Preflight:
        """Recipients now, and what the campaign would do to the daily messaging limit."""
        row = await self.row(campaign_id)
        if not self.dispatcher.tier.known:
            self._tier_checked = time.time()
            await self._refresh_tier()
        audience = loads(row["audience"], {})
        rule = of_campaign(audience, row["category"])
        base, params = " FROM subscribers s WHERE " + rule.sql, rule.params
        total = await self._db.fetchval("SELECT count(*)" + base, params)
        candidates: list[str] = []
        if row["template"] is not None:
            where, extra = "", []
            if loads(row["content"], []) and row["lane"] != EMERGENCY:
                where = " AND coalesce(s.last_inbound_at, 0) <= ?"
                extra = [time.time() - outbox.DAY + outbox.WINDOW_MARGIN]
            candidates = [
                r[0]
                for r in await self._db.fetchall(
                    f"SELECT {ADDRESS}" + base + where, [*params, *extra]
                )
            ]
        return self.dispatcher.tier.preflight(int(total or 0), candidates)

    async def _refresh_tier(self) -> None:
        """Read the messaging limit from Meta (hourly; the token check also refreshes it)."""
        try:
            info = await self.dispatcher.client.phone_number_info()
        except GraphApiError as err:
            log.warning("could not read the messaging limit: %s", err)
            self._tier_checked = time.time() - TIER_REFRESH_SECONDS + 60  # try again soon
            return
        self.dispatcher.tier.set_from_meta(info.get("whatsapp_business_manager_messaging_limit"))


def _iso(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
