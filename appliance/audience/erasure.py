"""Unsubscribe and erasure as SQL steps, run live (inside a write job) or on a restored copy.

Erasure purges raw payloads, chat texts and answers, pseudonymises delivery and audit rows,
keeps the wamid rows that deduplicate webhooks, and leaves an anonymous ``erased`` row.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

from appliance.core import audit
from appliance.core.db import WriteConnection

Step = tuple[str, tuple[Any, ...]]


def pseudonym(subscriber_id: int) -> str:
    """What replaces an erased person's identity in the rows that must stay."""
    return f"erased-{subscriber_id}"


def _now() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def leftover_steps(ident: str, alias: str) -> list[Step]:
    """Purge or pseudonymise rows written after an erasure (statuses of messages in flight)."""
    return [
        *_identity_steps(ident, alias),
        *_history_steps((ident,), alias),
        (
            "UPDATE outbox SET recipient = ?, message = NULL WHERE recipient = ?"
            " AND state != 'queued'",
            (alias, ident),
        ),
    ]


def _history_steps(idents: tuple[str, ...], alias: str) -> list[Step]:
    """The person's number out of their rows' status history (Meta's details may quote it)."""
    # Before their outbox rows take the pseudonym: the rows are found by the number.
    marks = ",".join("?" * len(idents))
    return [
        (
            "UPDATE outbox_history SET error_detail = replace(error_detail, ?, ?)"
            " WHERE instr(error_detail, ?) > 0 AND outbox_id IN"
            f" (SELECT id FROM outbox WHERE recipient IN ({marks}))",
            (ident, alias, ident, *idents),
        )
        for ident in idents
    ]


def _identity_steps(ident: str, alias: str) -> list[Step]:
    quoted = f'"{ident}"'
    return [
        # Raw deliveries already split into events: emptied, not deleted, because a deleted
        # newest row would let SQLite hand its id to the next delivery (events point to it).
        (
            "UPDATE webhook_deliveries SET body = CAST('{}' AS BLOB) WHERE split = 1"
            " AND instr(CAST(body AS TEXT), ?) > 0",
            (quoted,),
        ),
        (
            "UPDATE webhook_events SET record = '{\"erased\": true}', state = CASE state"
            " WHEN 'pending' THEN 'done' ELSE state END WHERE instr(record, ?) > 0",
            (quoted,),
        ),
        ("UPDATE message_statuses SET recipient_id = ? WHERE recipient_id = ?", (alias, ident)),
        (
            "UPDATE message_statuses SET recipient_user_id = ? WHERE recipient_user_id = ?",
            (alias, ident),
        ),
        (
            "UPDATE audit_log SET actor = replace(actor, ?1, ?2), target = replace(target, ?1, ?2),"
            " detail = replace(detail, ?1, ?2) WHERE instr(actor, ?1) > 0"
            " OR instr(target, ?1) > 0 OR instr(detail, ?1) > 0",
            (ident, alias),
        ),
    ]


def erase_steps(sid: int, *identifiers: str | None, identity_columns: bool = True) -> list[Step]:
    """Every statement of one erasure, in order (``identifiers``: number, user ids)."""
    alias = pseudonym(sid)
    steps: list[Step] = []
    idents = [i for i in dict.fromkeys(identifiers) if i]
    for ident in idents:
        steps += _identity_steps(ident, alias)
    if idents:
        marks = ",".join("?" * len(idents))
        # The broadcast outbox: finished rows keep their counts under the pseudonym; queued
        # campaign rows are skipped; queued replies (the erasure's own confirmation) still go.
        steps += _history_steps(tuple(idents), alias)
        steps += [
            (
                "UPDATE outbox SET state = 'skipped', rank = 9, error_detail = 'subscriber erased',"
                f" updated_at = ? WHERE recipient IN ({marks}) AND state = 'queued' AND lane != 1",
                (time.time(), *idents),
            ),
            (
                f"UPDATE outbox SET recipient = ?, message = NULL WHERE recipient IN ({marks})"
                " AND state != 'queued'",
                (alias, *idents),
            ),
        ]
    for table in (
        "chat_messages",
        "profile_answers",
        "subscriber_topics",
        "consents",
        "conversation_state",
        "import_rows",
    ):
        steps.append((f"DELETE FROM {table} WHERE subscriber_id = ?", (sid,)))
    steps.append(
        (
            "UPDATE subscribers SET wa_id = NULL, user_id = NULL, profile_name = '',"
            " status = 'erased', erased_at = ?, language = 'it', last_inbound_at = NULL,"
            " last_wamid = NULL, auto_answer_at = NULL, subscribed_at = NULL,"
            " unsubscribed_at = NULL, marketing_opt_out = 0 WHERE id = ?",
            (_now(), sid),
        )
    )
    if identity_columns:  # absent from a backup made before the identity migration
        steps.append(
            ("UPDATE subscribers SET parent_user_id = NULL, username = '' WHERE id = ?", (sid,))
        )
    return steps


def unsubscribe_steps(sid: int, source: str) -> list[Step]:
    """Statements of one unsubscribe (the profile stays until retention or erasure)."""
    return [
        (
            "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ? WHERE id = ?",
            (_now(), sid),
        ),
        (
            "INSERT INTO consents (subscriber_id, kind, source) VALUES (?, 'opted_out', ?)",
            (sid, source),
        ),
        ("DELETE FROM conversation_state WHERE subscriber_id = ?", (sid,)),
    ]


# Who asked, in the audit log's words (Italian source text, translated when shown).
SOURCES = {
    "chat": "il cittadino, in chat",
    "staff": "il personale",
    "identity": "Meta: numero o utente già disiscritto",
    "retention period": "periodo di conservazione scaduto",
}


def _by(source: str) -> str:
    return audit.detail("source", source_words=SOURCES.get(source, source))


async def erase_in(
    conn: WriteConnection, sid: int, actor: str, source: str, address: str = ""
) -> None:
    """Erase one subscriber inside a write job, with its anonymous audit row."""
    row = await (
        await conn.execute(
            "SELECT wa_id, user_id, parent_user_id FROM subscribers WHERE id = ?", (sid,)
        )
    ).fetchone()
    if row is None:
        return
    for sql, params in erase_steps(sid, *row):
        await conn.execute(sql, params)
    await audit.record_in(conn, actor, "subscriber.erased", pseudonym(sid), _by(source), address)


async def unsubscribe_in(
    conn: WriteConnection, sid: int, actor: str, source: str, address: str = ""
) -> None:
    """Unsubscribe one subscriber inside a write job, audited."""
    for sql, params in unsubscribe_steps(sid, source):
        await conn.execute(sql, params)
    await audit.record_in(
        conn, actor, "subscriber.unsubscribed", f"subscriber:{sid}", _by(source), address
    )


def erase_sync(conn: sqlite3.Connection, sid: int, source: str) -> None:
    """The same erasure on a plain sqlite3 connection (after-restore hook)."""
    newer = newer_schema(conn)
    parent = "parent_user_id" if newer else "NULL"
    row = conn.execute(
        f"SELECT wa_id, user_id, {parent} FROM subscribers WHERE id = ?", (sid,)
    ).fetchone()
    if row is None:
        return
    for sql, params in erase_steps(sid, *row, identity_columns=newer):
        conn.execute(sql, params)
    conn.execute(
        "INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)",
        ("system", "subscriber.erased", pseudonym(sid), source),
    )


def newer_schema(conn: sqlite3.Connection) -> bool:
    """True when subscribers has the identity migration's columns (older backups lack them)."""
    return any(r[1] == "parent_user_id" for r in conn.execute("PRAGMA table_info(subscribers)"))


def unsubscribe_sync(conn: sqlite3.Connection, sid: int) -> None:
    """The same unsubscribe on a plain sqlite3 connection (after-restore hook)."""
    for sql, params in unsubscribe_steps(sid, "suppression list (after restore)"):
        conn.execute(sql, params)
