"""Subscribers: identity, status changes (durable before they are confirmed), topics, answers."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience import identity
from appliance.audience.erasure import erase_in, leftover_steps, unsubscribe_in
from appliance.audience.suppression import ERASED, RESUBSCRIBED, UNSUBSCRIBED, SuppressionList
from appliance.cloudapi.events import Identity
from appliance.core import audit
from appliance.core.errors import NotFound
from appliance.core.parts import PartKey

if TYPE_CHECKING:
    from appliance.cloudapi.events import StatusUpdate, SystemChange
    from appliance.core.db import Database, WriteConnection

AUDIENCE: PartKey[Audience] = PartKey("audience")

log = logging.getLogger(__name__)

SUBSCRIBER_COLUMNS = (
    "id, wa_id, user_id, status, language, profile_name, subscribed_at, unsubscribed_at,"
    " last_inbound_at, marketing_opt_out, created_at, auto_answer_at, last_wamid, erased_at, source,"
    " parent_user_id, username"
)


@dataclass(frozen=True)
class Question:
    """A profile question; ``options`` are (key, Italian label, English label)."""

    id: int
    key: str
    kind: str
    prompt_it: str
    prompt_en: str
    options: tuple[tuple[str, str, str], ...]
    position: int
    active: bool
    purpose_it: str = ""
    purpose_en: str = ""

    def prompt(self, language: str) -> str:
        """The question in ``language`` (Italian when untranslated)."""
        return (self.prompt_en if language == "en" else "") or self.prompt_it

    def purpose(self, language: str) -> str:
        """What the answer is used for, in ``language`` (Italian when untranslated)."""
        return (self.purpose_en if language == "en" else "") or self.purpose_it


def label(option: tuple[str, str, str], language: str) -> str:
    """An option's label in ``language``."""
    return (option[2] if language == "en" else "") or option[1]


class Audience:
    """``parts[AUDIENCE]``: the subscriber data the conversation and staff pages change."""

    def __init__(self, db: Database, suppression: SuppressionList) -> None:
        self.db = db
        self.suppression = suppression

    # -- identity ---------------------------------------------------------------------------

    async def find(
        self, wa_id: str | None, user_id: str | None, parent_user_id: str | None = None
    ) -> Any | None:
        """The subscriber row holding any of these identifiers (the oldest, before a merge)."""
        found = [
            (c, v)
            for c, v in (("wa_id", wa_id), ("user_id", user_id), ("parent_user_id", parent_user_id))
            if v
        ]
        if not found:
            return None
        where = " OR ".join(f"{c} = ?" for c, _ in found)
        return await self.db.fetchone(
            f"SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE {where} ORDER BY id LIMIT 1",
            [v for _, v in found],
        )

    async def merge_queued(self) -> None:
        """At start: merge the rows the identity migration found to be one person."""
        survivors = await identity.merge_queued(self.db)
        for sid in survivors:
            await self.settle(sid)  # the suppression list learns every identifier of each
        if survivors:
            log.warning("identity: rows of %d people merged", len(survivors))

    async def get(self, sid: int) -> Any:
        """One subscriber row; NotFound otherwise."""
        row = await self.db.fetchone(
            f"SELECT {SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = ?", (sid,)
        )
        if row is None:
            raise NotFound("no such subscriber")
        return row

    async def by_identifier(self, ident: str) -> Any:
        """A subscriber by wa_id (with or without +), user_id or parent user id."""
        ident = ident.strip()
        row = await self.find(ident.lstrip("+"), ident, ident)
        if row is None:
            raise NotFound("no such subscriber")
        return row

    async def ensure(self, who: Identity, timestamp: float) -> Any:
        """The citizen's one row (linked rows merged), ``pending`` on first contact, window set."""
        name, username = (who.name or "")[:200], (who.username or "")[:100]

        async def job(conn: WriteConnection) -> int:
            sid = await identity.link_in(conn, who)
            if sid is None:
                cursor = await conn.execute(
                    "INSERT INTO subscribers (wa_id, user_id, parent_user_id, status, profile_name,"
                    " username, last_inbound_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
                    (who.wa_id, who.user_id, who.parent_user_id, name, username, timestamp),
                )
                return cursor.lastrowid
            await conn.execute(
                "UPDATE subscribers SET profile_name = CASE WHEN ?1 != '' THEN ?1"
                " ELSE profile_name END, username = CASE WHEN ?2 != '' THEN ?2 ELSE username END,"
                " last_inbound_at = max(coalesce(last_inbound_at, 0), ?3) WHERE id = ?4",
                (name, username, timestamp, sid),
            )
            return sid

        return await self.settle(await self.db.write(job))

    async def link(
        self, who: Identity, new: dict[str, str] | None = None, *, complete_only: bool = False
    ) -> Any | None:
        """Known rows of this person merged and their identifiers completed (or changed)."""
        if not who.known:
            return None
        sid = await self.db.write(
            lambda conn: identity.link_in(conn, who, new, complete_only=complete_only)
        )
        return None if sid is None else await self.settle(sid)

    async def settle(self, sid: int) -> Any:
        """One person, one state: a "no" under any identifier (or the row's) holds for all."""
        row = await self.get(sid)
        ids = identity.as_identity(row)
        if not any(ids.values()):
            return row
        listed = await self.suppression.is_suppressed(**ids)
        if listed or row["status"] in ("unsubscribed", "erased"):
            missing = self.suppression.without_no(**ids)
            if missing:
                await self.suppression.record(UNSUBSCRIBED, **{**dict.fromkeys(ids), **missing})
        if listed and row["status"] == "active":
            await self.db.write(lambda conn: unsubscribe_in(conn, sid, "system", "identity"))
            row = await self.get(sid)
        return row

    # -- status changes (durable before the citizen hears about them) -----------------------

    async def unsubscribe(self, row: Any, actor: str, source: str, address: str = "") -> None:
        """Suppression line fsynced, then the status committed (synchronous=FULL)."""
        await self.suppression.record(UNSUBSCRIBED, **identity.as_identity(row))
        await self.db.write(lambda conn: unsubscribe_in(conn, row["id"], actor, source, address))

    async def erase(self, row: Any, actor: str, source: str, address: str = "") -> None:
        """Suppression line fsynced, then everything about the person purged or pseudonymised."""
        await self.suppression.record(ERASED, **identity.as_identity(row))
        await self.db.write(lambda conn: erase_in(conn, row["id"], actor, source, address))

    async def activate(
        self, row: Any, *, notice_version: int, wamid: str, topic_keys: list[str] | None
    ) -> None:
        """Consent given: record it (time, notice version, message id) and subscribe."""
        await self.suppression.record(RESUBSCRIBED, **identity.as_identity(row))
        sid = row["id"]

        async def job(conn: WriteConnection) -> None:
            await conn.execute(
                "UPDATE subscribers SET status = 'active', unsubscribed_at = NULL,"
                " subscribed_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
                (sid,),
            )
            await conn.execute(
                "INSERT INTO consents (subscriber_id, kind, notice_version, wamid)"
                " VALUES (?, 'opted_in', ?, ?)",
                (sid, notice_version, wamid),
            )
            await _set_topics(conn, sid, topic_keys)
            await audit.record_in(
                conn,
                "citizen",
                "subscriber.subscribed",
                f"subscriber:{sid}",
                audit.detail("notice_version", n=notice_version),
            )

        await self.db.write(job)

    async def refuse(self, row: Any, notice_version: int, wamid: str) -> None:
        """Consent refused: recorded, nothing else changes."""
        await self.db.execute(
            "INSERT INTO consents (subscriber_id, kind, notice_version, wamid)"
            " VALUES (?, 'declined', ?, ?)",
            (row["id"], notice_version, wamid),
        )

    async def set_language(self, sid: int, language: str) -> None:
        """The language the citizen chose."""
        await self.db.execute("UPDATE subscribers SET language = ? WHERE id = ?", (language, sid))

    async def set_marketing_opt_out(
        self, wa_id: str | None, user_id: str | None, on: bool, parent_user_id: str | None = None
    ) -> None:
        """WhatsApp's "stop promotions" (or resume), by any identifier of the person."""
        # A stop for someone not known yet waits on a pending row: it holds once they are linked.
        who = Identity(wa_id=wa_id, user_id=user_id, parent_user_id=parent_user_id)
        if not who.known:
            return

        async def job(conn: WriteConnection) -> int | None:
            sid = await identity.link_in(conn, who)
            if sid is not None:
                await conn.execute(
                    "UPDATE subscribers SET marketing_opt_out = ? WHERE id = ?", (int(on), sid)
                )
            elif on:
                cursor = await conn.execute(
                    "INSERT INTO subscribers (wa_id, user_id, parent_user_id, status,"
                    " marketing_opt_out) VALUES (?, ?, ?, 'pending', 1)",
                    (wa_id, user_id, parent_user_id),
                )
                sid = cursor.lastrowid
            return sid

        sid = await self.db.write(job)
        if sid is not None:
            await self.settle(sid)

    async def on_system(self, event: SystemChange) -> None:
        """Meta's word that a number or user id changed: the person follows it."""
        new = dict(identity.pairs(event.new))
        if event.change not in identity.CHANGES or not new:
            log.info("identity notice %r ignored", event.change)
            return
        await self.link(event.sender, new)

    async def on_status(self, event: StatusUpdate) -> None:
        """Statuses link identifiers; one about someone already erased is purged now."""
        await self._learn(event)
        who = event.recipient
        if not (who.wa_id or who.user_id) or not await self.suppression.is_erased(
            who.wa_id, who.user_id
        ):
            return
        alias = self.suppression.alias(who.wa_id, who.user_id)
        steps = [
            s for ident in (who.wa_id, who.user_id) if ident for s in leftover_steps(ident, alias)
        ]

        async def job(conn: WriteConnection) -> None:
            for sql, params in steps:
                await conn.execute(sql, params)

        await self.db.write(job)

    async def _learn(self, event: StatusUpdate) -> None:
        """A status naming our recipient by number and user id tells us they are one person."""
        who = await identity.news_in_status(self.db, event)
        if who is not None:
            await self.link(who, complete_only=True)

    # -- profile ----------------------------------------------------------------------------

    async def topics(self, *, active_only: bool = True) -> list[Any]:
        """Topics in display order."""
        where = "WHERE active = 1" if active_only else ""
        return await self.db.fetchall(f"SELECT * FROM topics {where} ORDER BY id")

    async def questions(self, *, active_only: bool = True) -> list[Question]:
        """Profile questions in order; a topics question lists the active topics."""
        where = "WHERE active = 1" if active_only else ""
        rows = await self.db.fetchall(
            f"SELECT * FROM profile_questions {where} ORDER BY position, id"
        )
        topics = await self.topics()
        found = []
        for r in rows:
            if r["kind"] == "topics":
                options = tuple((t["key"], t["name_it"], t["name_en"]) for t in topics)
            else:
                options = tuple(
                    (str(o.get("key")), str(o.get("it") or o.get("key")), str(o.get("en") or ""))
                    for o in json.loads(r["options"] or "[]")
                    if isinstance(o, dict)
                )
            found.append(
                Question(
                    r["id"],
                    r["key"],
                    r["kind"],
                    r["prompt_it"],
                    r["prompt_en"],
                    options,
                    r["position"],
                    bool(r["active"]),
                    r["purpose_it"],
                    r["purpose_en"],
                )
            )
        return found

    async def save_answer(self, sid: int, question: Question, value: Any) -> None:
        """Store one answer; a topics answer also sets the subscriber's topics."""

        async def job(conn: WriteConnection) -> None:
            await conn.execute(
                "INSERT INTO profile_answers (subscriber_id, question_id, value) VALUES (?, ?, ?)"
                " ON CONFLICT (subscriber_id, question_id) DO UPDATE SET value = excluded.value,"
                " answered_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
                (sid, question.id, json.dumps(value, ensure_ascii=False)),
            )
            if question.kind == "topics":
                await _set_topics(conn, sid, list(value))

        await self.db.write(job)

    async def subscriber_topics(self, sid: int) -> list[Any]:
        """The topics one subscriber receives."""
        return await self.db.fetchall(
            "SELECT t.* FROM topics t JOIN subscriber_topics st ON st.topic_id = t.id"
            " WHERE st.subscriber_id = ? ORDER BY t.id",
            (sid,),
        )

    async def answers(self, sid: int) -> dict[str, Any]:
        """Answers by question key (values as stored: key, keys, number or text)."""
        rows = await self.db.fetchall(
            "SELECT q.key, a.value FROM profile_answers a JOIN profile_questions q"
            " ON q.id = a.question_id WHERE a.subscriber_id = ? ORDER BY q.position, q.id",
            (sid,),
        )
        return {r["key"]: json.loads(r["value"]) for r in rows}

    async def consents(self, sid: int) -> list[Any]:
        """Consent history, oldest first."""
        return await self.db.fetchall(
            "SELECT * FROM consents WHERE subscriber_id = ? ORDER BY id", (sid,)
        )

    async def export(self, sid: int) -> dict[str, Any]:
        """Everything stored about one person (I MIEI DATI, and the staff export)."""
        row = await self.get(sid)
        chat = await self.db.fetchall(
            "SELECT direction, at, type, text, staff FROM chat_messages WHERE subscriber_id = ?"
            " ORDER BY id",
            (sid,),
        )
        return {
            "subscriber": {k: row[k] for k in row.keys() if k not in ("last_wamid",)},
            "topics": [t["key"] for t in await self.subscriber_topics(sid)],
            "answers": await self.answers(sid),
            "consents": [dict(c) for c in await self.consents(sid)],
            "messages": [dict(m) for m in chat],
        }

    @staticmethod
    async def handled_in(
        conn: WriteConnection, sid: int, wamid: str, *, auto_answer_at: float | None = None
    ) -> None:
        """Inside the caller's write job: message ``wamid`` handled (a re-run skips it)."""
        await conn.execute(
            "UPDATE subscribers SET last_wamid = ?, auto_answer_at = coalesce(?, auto_answer_at)"
            " WHERE id = ?",
            (wamid, auto_answer_at, sid),
        )


async def _set_topics(conn: WriteConnection, sid: int, keys: list[str] | None) -> None:
    """Replace a subscriber's topics; None means every active topic."""
    await conn.execute("DELETE FROM subscriber_topics WHERE subscriber_id = ?", (sid,))
    if keys is None:
        await conn.execute(
            "INSERT INTO subscriber_topics (subscriber_id, topic_id)"
            " SELECT ?, id FROM topics WHERE active = 1",
            (sid,),
        )
        return
    marks = ",".join("?" * len(keys)) or "NULL"
    await conn.execute(
        "INSERT INTO subscriber_topics (subscriber_id, topic_id)"
        f" SELECT ?, id FROM topics WHERE key IN ({marks})",
        (sid, *keys),
    )
