"""Retention: a daily job purges raw webhooks, chat texts, delivery logs and idle contacts."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience.erasure import erase_in, leftover_steps
from appliance.audience.suppression import ERASED, SuppressionList
from appliance.core.db.settings import put_settings_in
from appliance.core.parts import PartKey
from appliance.core.periodic import Periodic

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database, WriteConnection

RETENTION: PartKey[Retention] = PartKey("retention")

log = logging.getLogger(__name__)

DAY = 86400
FIRST_RUN_DELAY = 60.0  # seconds after start, so a restart loop does not purge in a loop
LAST_RUN_KEY = "retention.last_run"


@dataclass(frozen=True)
class Period:
    """One line of the policy: what is purged after how many days (Italian, for staff)."""

    key: str
    what: str
    days: int


def policy(config: Config) -> list[Period]:
    """The periods in force, as shown to admins and viewers."""
    r = config.retention
    return [
        Period(
            "webhook_days", "Dati grezzi dei messaggi ricevuti da Meta (webhook)", r.webhook_days
        ),
        Period("inbox_days", "Testi della conversazione e della posta in arrivo", r.inbox_days),
        Period(
            "recipient_log_days",
            "Registri di consegna per destinatario e risposte inviate",
            r.recipient_log_days,
        ),
        Period(
            "contact_days",
            "Profilo di chi non si è mai iscritto o ha annullato l'iscrizione",
            r.contact_days,
        ),
    ]


class Retention:
    """The daily purge, run as a service; ``run_once`` is what the job (and tests) call."""

    def __init__(self, db: Database, config: Config, suppression: SuppressionList) -> None:
        self.db = db
        self.config = config
        self.suppression = suppression
        self.clock: Callable[[], float] = time.time
        # A purge in progress is one transaction: stopping mid-run keeps all or nothing.
        self.job = Periodic("retention", self._run, interval=DAY, first_delay=FIRST_RUN_DELAY)

    async def _run(self) -> None:
        await self.run_once()

    async def run_once(self) -> dict[str, int]:
        """Purge everything past its period; return counts per kind, also kept as the last run."""
        r = self.config.retention
        now = self.clock()
        webhook_cut = now - r.webhook_days * DAY
        inbox_cut = now - r.inbox_days * DAY
        log_cut = now - r.recipient_log_days * DAY
        contact_cut = now - r.contact_days * DAY
        idle = await self.db.fetchall(
            "SELECT id, wa_id, user_id, parent_user_id FROM subscribers WHERE status = 'unsubscribed'"
            " AND coalesce(unsubscribed_at, '') < ? AND coalesce(last_inbound_at, 0) < ?",
            (_iso(contact_cut), contact_cut),
        )
        for row in idle:  # on the suppression list first, as for any erasure
            await self.suppression.record(
                ERASED, row["wa_id"], row["user_id"], row["parent_user_id"]
            )
        leftovers = await self._erased_leftovers()

        async def job(conn: WriteConnection) -> dict[str, int]:
            counts: dict[str, int] = {}

            async def run(name: str, sql: str, params: tuple[Any, ...]) -> None:
                cursor = await conn.execute(sql, params)
                counts[name] = counts.get(name, 0) + max(cursor.rowcount, 0)

            await run(
                "webhooks",
                # The newest row stays: its id must not be handed out again (events point to it).
                "DELETE FROM webhook_deliveries WHERE split = 1 AND received_at < ?"
                " AND id < (SELECT max(id) FROM webhook_deliveries)",
                (webhook_cut,),
            )
            # Events keep their dedupe key (Meta redelivers for days); their content goes.
            await run(
                "webhook_events",
                "UPDATE webhook_events SET record = '{\"purged\": true}' WHERE state = 'done'"
                " AND created_at < ? AND record != '{\"purged\": true}'",
                (webhook_cut,),
            )
            await run("chat", "DELETE FROM chat_messages WHERE at < ?", (inbox_cut,))
            await run("statuses", "DELETE FROM message_statuses WHERE updated_at < ?", (log_cut,))
            # Before the replies below: the history of a reply purged now goes with it.
            await run(
                "history",
                "DELETE FROM outbox_history WHERE at < ? OR outbox_id IN (SELECT id FROM outbox"
                " WHERE lane = 1 AND state != 'queued' AND created_at < ?)",
                (log_cut, log_cut),
            )
            await run(
                "replies",
                "DELETE FROM outbox WHERE lane = 1 AND state != 'queued' AND created_at < ?",
                (log_cut,),
            )
            await run(
                "contacts",
                "DELETE FROM subscribers WHERE status = 'pending'"
                " AND coalesce(last_inbound_at, 0) < ? AND created_at < ?",
                (contact_cut, _iso(contact_cut)),
            )
            for row in idle:
                await erase_in(conn, row["id"], "retention", "retention period")
            # Rows written after an erasure (its own confirmation) still name the person.
            for ident, alias in leftovers:
                for sql, params in leftover_steps(ident, alias):
                    await run("erased_leftovers", sql, params)
            counts["unsubscribed_erased"] = len(idle)
            await put_settings_in(
                conn, [(LAST_RUN_KEY, json.dumps({"at": _iso(now), "counts": counts}))]
            )
            return counts

        counts = await self.db.write(job)
        log.info("retention: %s", counts)
        return counts

    async def _erased_leftovers(self) -> list[tuple[str, str]]:
        """Identities still in delivery rows that the suppression list says were erased."""
        await self.suppression.load()
        rows = await self.db.fetchall(
            "SELECT DISTINCT recipient FROM outbox WHERE recipient NOT LIKE 'erased-%'"
            " UNION SELECT DISTINCT recipient_id FROM message_statuses"
            " WHERE recipient_id IS NOT NULL AND recipient_id NOT LIKE 'erased-%'"
        )
        found = []
        for (ident,) in rows:
            phone = ident.lstrip("+")
            if self.suppression.state_of(phone, ident) == ERASED:
                found.append((ident, self.suppression.alias(phone, ident)))
        return found

    async def last_run(self) -> dict[str, Any] | None:
        """When the job last ran and what it purged."""
        value = await self.db.fetchval("SELECT value FROM settings WHERE key = ?", (LAST_RUN_KEY,))
        return json.loads(value) if value else None


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))
