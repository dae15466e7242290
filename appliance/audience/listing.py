"""The subscribers list: search and filters a page at a time, and the REST shape of one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience.store import SUBSCRIBER_COLUMNS
from appliance.lan.api import fetch_page

if TYPE_CHECKING:
    from appliance.audience.store import Audience
    from appliance.core.db import Database


@dataclass(frozen=True)
class SearchFilter:
    """The subscribers list's search box and filters."""

    text: str = ""
    status: str = ""
    topic: str = ""
    language: str = ""


async def search(
    db: Database, flt: SearchFilter, page: int, per_page: int
) -> tuple[list[Any], bool]:
    """One page of subscribers (newest first) and whether more follow."""
    where, params = ["1 = 1"], []
    if flt.status:
        where.append("s.status = ?")
        params.append(flt.status)
    if flt.language:
        where.append("s.language = ?")
        params.append(flt.language)
    if flt.text:
        like = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(
            "(s.wa_id LIKE ? ESCAPE '\\' OR s.user_id LIKE ? ESCAPE '\\'"
            " OR s.profile_name LIKE ? ESCAPE '\\')"
        )
        params += [like, like, like]
    if flt.topic:
        where.append(
            "s.id IN (SELECT st.subscriber_id FROM subscriber_topics st JOIN topics t"
            " ON t.id = st.topic_id WHERE t.key = ?)"
        )
        params.append(flt.topic)
    return await fetch_page(
        db,
        f"SELECT {', '.join('s.' + c.strip() for c in SUBSCRIBER_COLUMNS.split(','))},"
        " (SELECT group_concat(t.key, ', ') FROM subscriber_topics st JOIN topics t"
        "  ON t.id = st.topic_id WHERE st.subscriber_id = s.id) AS topics"
        f" FROM subscribers s WHERE {' AND '.join(where)} ORDER BY s.id DESC",
        params,
        page,
        per_page,
    )


async def public_view(audience: Audience, row: Any) -> dict[str, Any]:
    """The REST core's shape of a subscriber (DESIGN.md section 5)."""
    return {
        "wa_id": row["wa_id"],
        "user_id": row["user_id"],
        "status": row["status"],
        "language": row["language"],
        "topics": [t["key"] for t in await audience.subscriber_topics(row["id"])],
        "answers": await audience.answers(row["id"]),
        "subscribed_at": row["subscribed_at"],
    }
