"""Who receives a message: one rule, compiled once for counts, previews, preflights and sends.

The live segment count, the studio preview, the REST preflight, campaign enqueue (alert and
emergency campaigns included) all select ``FROM subscribers s WHERE`` this rule, so what staff
are shown is who is queued. The channel rules:

- unsubscribed and erased people are out (``status = 'active'``);
- the suppression list is out: it is carried by the statuses, because every unsubscribe and
  erasure writes its line before it commits the status, a restore re-applies the list, and an
  identity link applies it to every identifier of the person (``audience.identity``); the
  dispatcher asks the list once more right before each send;
- people who stopped marketing in WhatsApp are out of MARKETING sends;
- someone with no address (neither number nor user id) is never selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from appliance.audience.segments import Compiled, compile_segment

if TYPE_CHECKING:
    from appliance.core.db import Database

# Where a message to this person goes: the number when known, else the business-scoped user id.
ADDRESS = "coalesce(s.wa_id, s.user_id)"
_REACHABLE = f"s.status = 'active' AND {ADDRESS} IS NOT NULL"
_IN_TOPICS = (
    "s.id IN (SELECT st.subscriber_id FROM subscriber_topics st"
    " JOIN topics t ON t.id = st.topic_id WHERE t.key IN ({marks}))"
)


def who_receives(
    topics: Sequence[str] = (),
    segment: dict[str, Any] | None = None,
    *,
    marketing: bool = False,
    now: float | None = None,
) -> Compiled:
    """A WHERE fragment over ``subscribers s``: reachable, in a topic (if any), in the segment."""
    sql, params = _REACHABLE, []
    if marketing:
        sql += " AND s.marketing_opt_out = 0"
    if topics:
        sql += " AND " + _IN_TOPICS.format(marks=",".join("?" * len(topics)))
        params += list(topics)
    if segment:
        compiled = compile_segment(segment, now)  # the form-built filter, parameters only
        sql += " AND " + compiled.sql
        params += compiled.params
    return Compiled(sql, params)


def of_campaign(audience: dict[str, Any], category: str) -> Compiled:
    """The rule for a stored campaign audience (its topics and its copy of the segment)."""
    return who_receives(
        audience.get("topics") or [], audience.get("segment"), marketing=category == "MARKETING"
    )


async def count(
    db: Database,
    segment: dict[str, Any] | None,
    topics: Sequence[str] = (),
    *,
    marketing: bool = False,
) -> int:
    """The live count of who would receive."""
    where = who_receives(topics, segment, marketing=marketing)
    found = await db.fetchval("SELECT count(*) FROM subscribers s WHERE " + where.sql, where.params)
    return int(found or 0)
