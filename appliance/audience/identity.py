"""One person whatever identifiers arrive: rows found by any identifier, linked ones merged.

Meta names a citizen by phone (``wa_id``), by business-scoped user id (``user_id``, since 2026,
the number may be withheld for username users) and by a portfolio-wide ``parent_user_id``.
Before a message links them, one person may have two rows; when it does, the rows become one:
consents, topics, answers, chat, conversation state and outbox rows all move to the survivor,
and the more protective status wins (an unsubscribe or an erasure on either side holds).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from appliance.core import audit

if TYPE_CHECKING:
    from appliance.cloudapi.events import Identity, StatusUpdate
    from appliance.core.db import Database, WriteConnection

log = logging.getLogger(__name__)

IDENTIFIERS = ("wa_id", "user_id", "parent_user_id")
# Meta's notices the person follows (system messages and the user_id_update webhook).
CHANGES = ("user_changed_number", "user_changed_user_id", "user_id_update")
# Which status of two merged rows holds: pending says nothing yet, active is a consent, the
# others are a citizen's "no" (and erased the strongest).
PROTECTION = {"pending": 0, "active": 1, "unsubscribed": 2, "erased": 3}


def pairs(who: Identity) -> list[tuple[str, str]]:
    """The (column, value) identifiers an identity carries."""
    return [(c, getattr(who, c)) for c in IDENTIFIERS if getattr(who, c)]


async def rows_of(conn: WriteConnection, found: list[tuple[str, str]]) -> list[int]:
    """Ids of every row holding one of the identifiers, oldest first."""
    if not found:
        return []
    where = " OR ".join(f"{column} = ?" for column, _ in found)
    async with conn.execute(
        f"SELECT id FROM subscribers WHERE {where} ORDER BY id", [v for _, v in found]
    ) as cursor:
        return [r[0] for r in await cursor.fetchall()]


async def link_in(
    conn: WriteConnection,
    who: Identity,
    new: dict[str, str] | None = None,
    *,
    complete_only: bool = False,
) -> int | None:
    """The one row of this person (rows merged into the oldest), its identifiers completed.

    ``new`` replaces identifiers (a number or user id change); rows already holding a new
    value are the same person by Meta's word and merge too. ``complete_only`` fills missing
    identifiers without replacing any: a status may be older than a user id change, since
    Meta does not keep webhooks in order. None when nobody is known.
    """
    new = {k: v for k, v in (new or {}).items() if v}
    ids = await rows_of(conn, pairs(who) + list(new.items()))
    if not ids:
        return None
    keep = ids[0]
    for drop in ids[1:]:
        await merge_in(conn, keep, drop)
    # What Meta sends now is current: every row holding these values was just merged here.
    values = dict(pairs(who)) | new
    column = "coalesce(nullif({c}, ''), ?)" if complete_only else "?"
    sets = ", ".join(f"{c} = " + column.format(c=c) for c in values)
    await conn.execute(f"UPDATE subscribers SET {sets} WHERE id = ?", [*values.values(), keep])
    return keep


async def merge_in(conn: WriteConnection, keep: int, drop: int) -> None:
    """Fold row ``drop`` into row ``keep`` (inside a write job); nothing about either is lost."""
    async with conn.execute("SELECT * FROM subscribers WHERE id IN (?, ?)", (keep, drop)) as cursor:
        rows = {r["id"]: r for r in await cursor.fetchall()}
    if keep not in rows or drop not in rows:
        return
    a, b = rows[keep], rows[drop]
    # Status, and the dates that go with it, from the more protective row (ties: the survivor).
    holder = b if PROTECTION[b["status"]] > PROTECTION[a["status"]] else a
    # Language and the last handled message from whoever wrote last.
    recent = b if (b["last_inbound_at"] or 0) > (a["last_inbound_at"] or 0) else a
    merged = {
        "status": holder["status"],
        "subscribed_at": holder["subscribed_at"],
        "unsubscribed_at": holder["unsubscribed_at"],
        "erased_at": holder["erased_at"],
        "marketing_opt_out": max(a["marketing_opt_out"], b["marketing_opt_out"]),
        "language": recent["language"],
        "last_wamid": recent["last_wamid"],
        "last_inbound_at": _max(a["last_inbound_at"], b["last_inbound_at"]),
        "auto_answer_at": _max(a["auto_answer_at"], b["auto_answer_at"]),
        "profile_name": a["profile_name"] or b["profile_name"],
        "username": a["username"] or b["username"],
        "created_at": min(a["created_at"], b["created_at"]),
    }
    identifiers = {c: a[c] or b[c] for c in IDENTIFIERS}
    moves = [
        "INSERT OR IGNORE INTO subscriber_topics (subscriber_id, topic_id)"
        " SELECT ?1, topic_id FROM subscriber_topics WHERE subscriber_id = ?2",
        # The later answer to the same question wins.
        "INSERT INTO profile_answers (subscriber_id, question_id, value, answered_at)"
        " SELECT ?1, question_id, value, answered_at FROM profile_answers WHERE subscriber_id = ?2"
        " AND true ON CONFLICT (subscriber_id, question_id) DO UPDATE SET value = excluded.value,"
        " answered_at = excluded.answered_at WHERE excluded.answered_at > answered_at",
        # The flow touched last is the one the citizen is in.
        "INSERT INTO conversation_state (subscriber_id, flow, step, data, prompt_wamid, updated_at)"
        " SELECT ?1, flow, step, data, prompt_wamid, updated_at FROM conversation_state"
        " WHERE subscriber_id = ?2 AND true ON CONFLICT (subscriber_id) DO UPDATE SET"
        " flow = excluded.flow, step = excluded.step, data = excluded.data,"
        " prompt_wamid = excluded.prompt_wamid, updated_at = excluded.updated_at"
        " WHERE excluded.updated_at > updated_at",
        "UPDATE consents SET subscriber_id = ?1 WHERE subscriber_id = ?2",
        "UPDATE chat_messages SET subscriber_id = ?1 WHERE subscriber_id = ?2",
        "UPDATE import_rows SET subscriber_id = ?1 WHERE subscriber_id = ?2",
        # Both rows queued in one campaign: the person gets it once.
        "UPDATE outbox SET state = 'skipped', rank = 9, error_detail = 'same person as another"
        " recipient', updated_at = ?3 WHERE subscriber_id = ?2 AND state = 'queued'"
        " AND campaign_id IN (SELECT campaign_id FROM outbox WHERE subscriber_id = ?1)",
        "UPDATE outbox SET subscriber_id = ?1 WHERE subscriber_id = ?2",
        "DELETE FROM subscribers WHERE id = ?2",
    ]
    for sql in moves:
        await conn.execute(sql, (keep, drop, time.time()) if "?3" in sql else (keep, drop))
    columns = {**merged, **identifiers}
    await conn.execute(
        f"UPDATE subscribers SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [*columns.values(), keep],
    )
    await audit.record_in(
        conn, "system", "subscriber.merged", f"subscriber:{keep}", f"subscriber:{drop}"
    )
    log.info("subscriber %s merged into %s", drop, keep)


def _max(x: float | None, y: float | None) -> float | None:
    return max(x or 0, y or 0) or None


async def news_in_status(db: Database, event: StatusUpdate) -> Identity | None:
    """The recipient of a status when it links identifiers not yet linked, else None."""
    who = event.recipient
    if who.wa_id is None and event.callback_data and event.callback_data.isdigit():
        # Sent to the number, the status may name only the user id: the row says the number.
        sent_to = await db.fetchval(
            "SELECT recipient FROM outbox WHERE id = ? AND wamid = ?",
            (int(event.callback_data), event.wamid),
        )
        if isinstance(sent_to, str) and sent_to.isdigit():
            who = replace(who, wa_id=sent_to)
    found = pairs(who)
    if len(found) < 2:
        return None
    rows = await db.fetchall(
        "SELECT wa_id, user_id, parent_user_id FROM subscribers WHERE "
        + " OR ".join(f"{c} = ?" for c, _ in found),
        [v for _, v in found],
    )
    if not rows or (len(rows) == 1 and all(rows[0][c] == v for c, v in found)):
        return None  # nobody we know, or known already exactly so
    return who


async def number_in(conn: WriteConnection, recipient: str) -> str | None:
    """The number of the person a user id belongs to (Meta's 131062: resend to the number)."""
    found = await conn.execute_fetchall(
        "SELECT wa_id FROM subscribers WHERE (user_id = ?1 OR parent_user_id = ?1)"
        " AND wa_id IS NOT NULL LIMIT 1",
        (recipient,),
    )
    return str(found[0]["wa_id"]) if found else None


async def merge_queued(db: Database) -> set[int]:
    """Merge the pairs the identity migration found in stored statuses; the surviving rows."""
    queued = await db.fetchall("SELECT keep, drop_id FROM identity_merges ORDER BY keep, drop_id")

    async def job(conn: WriteConnection) -> set[int]:
        into: dict[int, int] = {}  # a merged row's survivor, so chains of pairs end in one row

        def survivor(sid: int) -> int:
            while sid in into:
                sid = into[sid]
            return sid

        for first, second in queued:
            keep, drop = sorted((survivor(first), survivor(second)))
            if keep != drop:
                await merge_in(conn, keep, drop)
                into[drop] = keep
        await conn.execute("DELETE FROM identity_merges")
        return {survivor(sid) for sid in into}

    return await db.write(job) if queued else set()


def as_identity(row: Any) -> dict[str, Any]:
    """The identifiers of a subscriber row, for the suppression list."""
    keys = row.keys()
    return {c: row[c] if c in keys else None for c in IDENTIFIERS}
