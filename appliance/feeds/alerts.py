"""Alert state per source, zone and risk: level changes, their lifecycle, and menu option 2."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from appliance.core import audit
from appliance.core.config import Config, ConfigError
from appliance.core.db import Database, WriteConnection
from appliance.core.errors import Conflict, NotFound
from appliance.core.parts import PartKey
from appliance.feeds.changes import AlertChange, change_from_row
from appliance.feeds.failures import explain
from appliance.feeds.fetch import FeedError
from appliance.feeds.levels import Level, Reading, summarize
from appliance.feeds.sources import AlertSource, Polled
from appliance.feeds.state import (
    SourceStatus,
    expire_pending,
    held,
    iso,
    record_ended,
    store_status,
    when,
)

ALERTS: PartKey[AlertMonitor] = PartKey("alerts")

log = logging.getLogger(__name__)

STATUSES = ("pending", "approved", "sent", "dismissed")
SUPERSEDED_NOTE = "superata da un cambio più recente"
ChangeHandler = Callable[[AlertChange], Awaitable[None]]


class AlertDrafts(Protocol):
    """The broadcast engine as the alerts page sees it: the draft campaign of each change."""

    on_alert_sent: Callable[[str, str, str], Awaitable[None]] | None

    async def by_alert(self, key: str) -> Any:
        """The campaign announcing change ``key``, if any."""
        ...

    async def send(self, campaign_id: int, actor: str, address: str = "") -> str:
        """Send a draft (which approves its change)."""
        ...

    async def cancel(self, campaign_id: int, actor: str, address: str = "") -> str:
        """Cancel a draft."""
        ...


# Provided by the broadcast engine when installed: approving a change sends its draft.
ALERT_DRAFTS: PartKey[AlertDrafts] = PartKey("alert_drafts")


def _digest(reading: Reading) -> str:
    text = json.dumps(
        [
            int(reading.level),
            iso(reading.valid_from),
            iso(reading.valid_to),
            reading.issued_id,
            reading.zone_name,
            reading.link,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class AlertMonitor:
    """Polls sources on demand, keeps their state, records changes and hands them on."""

    def __init__(self, config: Config, db: Database, sources: list[AlertSource]) -> None:
        feeds = config.feeds
        level_name = feeds.alerts_auto_level
        if level_name != "none" and Level.from_setting(level_name) is None:
            raise ConfigError(
                [
                    f"[feeds] alerts_auto_level: expected yellow, orange, red or none, got {level_name!r}"
                ]
            )
        self.auto_level = Level.from_setting(level_name)
        self.enabled = feeds.alerts_enabled
        self.base_interval = feeds.alerts_poll_minutes * 60.0
        self.town = config.town.name
        self.db = db
        self.sources = {source.name: source for source in sources}
        self.status = {name: SourceStatus() for name in self.sources}
        self.risk_status: dict[str, dict[str, SourceStatus]] = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._handlers: list[ChangeHandler] = []
        self._locks = {name: asyncio.Lock() for name in self.sources}

    # -- the interface the broadcast engine and the Alerts page use ------------------------

    def subscribe(self, handler: ChangeHandler) -> None:
        """Call ``handler(change)`` for each new pending change (and again after a restart)."""
        self._handlers.append(handler)

    def lane_for(self, level: Level) -> str:
        """``auto`` from ``[feeds] alerts_auto_level`` upward, else ``approval``."""
        return "auto" if self.auto_level is not None and level >= self.auto_level else "approval"

    async def changes(self, status: str | None = None, limit: int = 100) -> list[AlertChange]:
        """Recorded changes, newest first, optionally of one status."""
        if status is not None and status not in STATUSES:
            raise NotFound(f"unknown alert status {status!r}")
        where, params = ("WHERE status = ?", (status, limit)) if status else ("", (limit,))
        rows = await self.db.fetchall(
            f"SELECT * FROM alert_events {where} ORDER BY id DESC LIMIT ?", params
        )
        return [change_from_row(row) for row in rows]

    async def earlier(self, change: AlertChange) -> list[str]:
        """Keys of the changes of the same source, zone and risk recorded before ``change``."""
        rows = await self.db.fetchall(
            "SELECT key FROM alert_events WHERE source = ? AND zone = ? AND risk = ?"
            " AND id < (SELECT id FROM alert_events WHERE key = ?) ORDER BY id",
            (change.source, change.zone, change.risk, change.key),
        )
        return [row[0] for row in rows]

    async def get(self, key: str) -> AlertChange:
        """One change by key."""
        row = await self.db.fetchone("SELECT * FROM alert_events WHERE key = ?", (key,))
        if row is None:
            raise NotFound(f"no alert change {key!r}")
        return change_from_row(row)

    async def approve(self, key: str, actor: str, address: str = "") -> AlertChange:
        """Staff approve a pending change; the broadcast engine may then send it."""
        return await self._decide(key, ("pending",), "approved", actor, address)

    async def dismiss(self, key: str, actor: str, address: str = "") -> AlertChange:
        """Staff decide a change is not sent."""
        return await self._decide(key, ("pending", "approved"), "dismissed", actor, address)

    async def mark_sent(self, key: str, actor: str = "system", address: str = "") -> AlertChange:
        """The broadcast engine records that the change went out (auto lane, or approved)."""
        change = await self.get(key)
        allowed = ("pending", "approved") if change.lane == "auto" else ("approved",)
        return await self._decide(key, allowed, "sent", actor, address)

    async def _decide(
        self, key: str, allowed: tuple[str, ...], status: str, actor: str, address: str
    ) -> AlertChange:
        async def job(conn: WriteConnection) -> None:
            cursor = await conn.execute("SELECT status FROM alert_events WHERE key = ?", (key,))
            row = await cursor.fetchone()
            if row is None:
                raise NotFound(f"no alert change {key!r}")
            if row[0] not in allowed:
                raise Conflict(f"alert change {key} is {row[0]}; it cannot become {status}")
            await conn.execute(
                "UPDATE alert_events SET status = ?, decided_by = ?, decided_at = ? WHERE key = ?",
                (status, actor, iso(self.clock()), key),
            )
            await audit.record_in(conn, actor, f"alert.{status}", key, "", address)

        await self.db.write(job)
        return await self.get(key)

    # -- polling -----------------------------------------------------------------------------

    async def load_status(self) -> None:
        """Read each source's and risk's last outcome, so health survives a restart."""
        for row in await self.db.fetchall("SELECT * FROM feed_status"):
            source, _, risk = row["source"].partition("/")
            if source not in self.status:
                continue
            status = SourceStatus(
                when(row["last_success"]) if row["last_success"] else None,
                row["last_error"],
                when(row["last_error_at"]) if row["last_error_at"] else None,
                row["failures"],
            )
            if risk:
                self.risk_status.setdefault(source, {})[risk] = status
            else:
                self.status[source] = status

    async def poll_now(self, name: str) -> list[AlertChange]:
        """Poll one source; return the changes handed on. What failed keeps its old state."""
        source = self.sources.get(name)
        if source is None:
            raise NotFound(f"no alert source {name!r}")
        async with self._locks[name]:
            now = self.clock()
            try:
                polled = await source.poll(now)
            except FeedError as err:
                await self._failed(name, err, now)
                raise
            except Exception as err:  # noqa: BLE001 - a parser bug must not stop the poller
                log.exception("alert source %s failed unexpectedly", name)
                await self._failed(name, err, now)
                raise FeedError(f"{name}: internal error: {err}") from err
            self._note_risks(name, polled, now)
            if polled.risks and len(polled.failed) == len(polled.risks):
                error = next(iter(polled.failed.values()))
                await self._failed(name, error, now, polled)
                raise error
            changes = await self._apply(source, polled, now)
        if self.status[name].failures:
            log.info("alert source %s works again", name)
        self.status[name] = SourceStatus(last_success=now)
        await self._deliver(changes)
        return changes

    def _note_risks(self, name: str, polled: Polled, now: datetime) -> None:
        """Each risk's own outcome, shown on the Alerts page next to its source."""
        statuses = self.risk_status.setdefault(name, {})
        for risk in polled.risks:
            old = statuses.get(risk, SourceStatus())
            error = polled.failed.get(risk)
            statuses[risk] = (
                SourceStatus(now)
                if error is None
                else SourceStatus(old.last_success, explain(error), now, old.failures + 1)
            )

    async def redeliver_pending(self) -> None:
        """After a restart, offer changes still pending again; handlers dedupe by key."""
        await self.db.write(lambda conn: expire_pending(conn, self.clock()))
        if self._handlers:
            await self._deliver(list(reversed(await self.changes("pending", limit=1000))))

    async def _failed(
        self, name: str, err: Exception, now: datetime, polled: Polled | None = None
    ) -> None:
        status = self.status[name]
        error = explain(err)
        # One warning per outage; the health page shows the rest.
        (log.debug if status.failures else log.warning)("alert source %s: %s", name, error)
        self.status[name] = SourceStatus(status.last_success, error, now, status.failures + 1)

        async def job(conn: WriteConnection) -> None:
            await store_status(conn, name, self.status[name])
            for risk in polled.risks if polled else ():
                await store_status(conn, f"{name}/{risk}", self.risk_status[name][risk])

        await self.db.write(job)

    async def _apply(self, source: AlertSource, polled: Polled, now: datetime) -> list[AlertChange]:
        """Write the new state and its changes in one transaction; return those to hand on."""
        spans = polled.spans
        readings = summarize(spans, now, source.horizon)
        cancels = {ref: span for span in spans for ref in span.cancels}
        failed = set(polled.failed)
        risks = self.risk_status.get(source.name, {})

        async def job(conn: WriteConnection) -> list[AlertChange]:
            cursor = await conn.execute(
                "SELECT * FROM alert_state WHERE source = ?", (source.name,)
            )
            # A risk that could not be read keeps its state untouched.
            rows = {
                (r["zone"], r["risk"]): r
                for r in await cursor.fetchall()
                if r["risk"] not in failed
            }
            for key, row in rows.items():
                cancel = cancels.get(row["issued_id"]) if row["issued_id"] else None
                if cancel is not None and key not in readings and row["level"] > Level.GREEN:
                    readings[key] = Reading(
                        zone=row["zone"],
                        zone_name=row["zone_name"],
                        risk=row["risk"],
                        level=Level.GREEN,
                        valid_from=now,
                        valid_to=max(now, when(row["valid_to"])),
                        issued_id=cancel.issued_id,
                        link=cancel.link or row["link"],
                        detail={"cancelled": row["issued_id"]},
                    )
            for key, row in rows.items():
                if key not in readings and held(row, now) < row["level"]:
                    await record_ended(conn, row, now)
            changes = []
            for key, reading in sorted(readings.items()):
                change = await self._transition(conn, source, rows.get(key), reading, now)
                if change is not None:
                    changes.append(change)
            for key in rows:
                await conn.execute(
                    "UPDATE alert_state SET checked_at = ? WHERE source = ? AND zone = ? AND risk = ?",
                    (iso(now), source.name, *key),
                )
            await expire_pending(conn, now)
            await store_status(conn, source.name, SourceStatus(last_success=now))
            for risk in polled.risks:
                await store_status(conn, f"{source.name}/{risk}", risks[risk])
            return changes

        return await self.db.write(job)

    async def _transition(
        self,
        conn: WriteConnection,
        source: AlertSource,
        row: sqlite3.Row | None,
        reading: Reading,
        now: datetime,
    ) -> AlertChange | None:
        digest = _digest(reading)
        values = (
            reading.zone_name,
            int(reading.level),
            iso(reading.valid_from),
            iso(reading.valid_to),
            reading.issued_id,
            reading.link,
            digest,
            iso(now),
        )
        if row is None:
            await conn.execute(
                "INSERT INTO alert_state (zone_name, level, valid_from, valid_to, issued_id, link,"
                " content_hash, checked_at, source, zone, risk, seq)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (*values, source.name, reading.zone, reading.risk),
            )
            if reading.level == Level.GREEN:  # a first green is no news
                return None
            old, seq = None, 0
        elif held(row, now) == reading.level:
            if row["content_hash"] != digest:  # same level, new period or bulletin: no message
                await conn.execute(
                    "UPDATE alert_state SET zone_name = ?, level = ?, valid_from = ?, valid_to = ?,"
                    " issued_id = ?, link = ?, content_hash = ?, checked_at = ?"
                    " WHERE source = ? AND zone = ? AND risk = ?",
                    (*values, source.name, reading.zone, reading.risk),
                )
            return None
        else:
            # Judged against what is in force now: after an expired alert a new one is new.
            old, seq = held(row, now), row["seq"] + 1
            await conn.execute(
                "UPDATE alert_state SET zone_name = ?, level = ?, valid_from = ?, valid_to = ?,"
                " issued_id = ?, link = ?, content_hash = ?, checked_at = ?, seq = ?"
                " WHERE source = ? AND zone = ? AND risk = ?",
                (*values, seq, source.name, reading.zone, reading.risk),
            )
        return await self._record_change(conn, source.name, reading, old, seq, now)

    async def _record_change(
        self,
        conn: WriteConnection,
        source: str,
        reading: Reading,
        old: Level | None,
        seq: int,
        now: datetime,
    ) -> AlertChange | None:
        key = f"{source}:{reading.zone}:{reading.risk}:{seq}:{reading.level.name.lower()}"
        status, note, decided_by = "pending", "", ""
        # Two sources reporting the same level for the same risk must not reach citizens twice.
        cursor = await conn.execute(
            "SELECT key, new_level, valid_to FROM alert_events"
            " WHERE risk = ? AND status != 'dismissed' ORDER BY id DESC LIMIT 1",
            (reading.risk,),
        )
        last = await cursor.fetchone()
        if (
            last is not None
            and last[1] == reading.level
            and (reading.level == Level.GREEN or last[2] > iso(now))
        ):
            status, note, decided_by = "dismissed", f"già segnalata: {last[0]}", "system"
        change = AlertChange(
            key=key,
            source=source,
            zone=reading.zone,
            zone_name=reading.zone_name,
            risk=reading.risk,
            old_level=old,
            new_level=reading.level,
            valid_from=reading.valid_from,
            valid_to=reading.valid_to,
            link=reading.link,
            issued_id=reading.issued_id,
            detected_at=now,
            lane=self.lane_for(reading.level),
            status=status,
            note=note,
            detail=reading.detail,
        )
        cursor = await conn.execute(
            "INSERT OR IGNORE INTO alert_events (key, source, zone, zone_name, risk, old_level,"
            " new_level, valid_from, valid_to, issued_id, link, detail, lane, status, note,"
            " detected_at, decided_by, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                source,
                change.zone,
                change.zone_name,
                change.risk,
                None if old is None else int(old),
                int(change.new_level),
                iso(change.valid_from),
                iso(change.valid_to),
                change.issued_id,
                change.link,
                json.dumps(change.detail, ensure_ascii=False, default=str),
                change.lane,
                status,
                note,
                iso(now),
                decided_by,
                iso(now) if decided_by else None,
            ),
        )
        if cursor.rowcount != 1 or status != "pending":
            return None
        # What is in force now replaces what was: an older change still waiting is moot.
        await conn.execute(
            "UPDATE alert_events SET status = 'dismissed', note = ?, decided_by = 'system',"
            " decided_at = ? WHERE source = ? AND zone = ? AND risk = ? AND status = 'pending'"
            " AND key != ?",
            (f"{SUPERSEDED_NOTE}: {key}", iso(now), source, reading.zone, reading.risk, key),
        )
        return change

    async def _deliver(self, changes: list[AlertChange]) -> None:
        for change in changes:
            for handler in self._handlers:
                try:
                    await handler(change)
                except Exception:  # noqa: BLE001 - one broken subscriber must not hide the change
                    log.exception("alert change handler failed for %s", change.key)

    # -- menu option 2 -----------------------------------------------------------------------

    async def text(self, language: str) -> str:
        """Menu option 2: every warning in force for the town's zone (see ``feeds.menu``)."""
        from appliance.feeds.menu import alerts_text

        return await alerts_text(self, language)
