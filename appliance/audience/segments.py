"""Segments: a form-built filter compiled to parameterised SQL (user input never becomes SQL)."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from appliance.cloudapi.codes import RULES, Action
from appliance.core.errors import BadRequest, Conflict, NotFound

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

MAX_GROUPS = 4
MAX_CONDITIONS = 6
MAX_VALUE = 200
DAY = 86400.0

# Each field's operators and the SQL each one compiles to; "?" slots take the values only.
# Key lookups are constant subqueries (evaluated once), so each person costs one index probe.
_TOPIC = (
    "EXISTS (SELECT 1 FROM subscriber_topics st WHERE st.subscriber_id = s.id"
    " AND st.topic_id = (SELECT t.id FROM topics t WHERE t.key = ?))"
)
# Answers are fewer than people: their matching ids are gathered once, not probed per person.
_ANSWER = (
    "s.id IN (SELECT pa.subscriber_id FROM profile_answers pa"
    " WHERE pa.question_id = (SELECT q.id FROM profile_questions q WHERE q.key = ?) AND {test})"
)
_NUMBER = "json_valid(pa.value) AND json_type(pa.value) IN ('integer', 'real')"
_ANSWER_TESTS = {
    # One option (a JSON string, given quoted both ways JSON allows) or one of a JSON list.
    "is": "(pa.value IN (?, ?) OR (substr(pa.value, 1, 1) = '[' AND json_valid(pa.value)"
    " AND EXISTS (SELECT 1 FROM json_each(pa.value) j WHERE j.value = ?)))",
    "gte": _NUMBER + " AND CAST(pa.value AS REAL) >= ?",
    "lte": _NUMBER + " AND CAST(pa.value AS REAL) <= ?",
}
# People whose message of a campaign failed for a reason worth another try (rate limits, Meta's
# outages, unknown outcomes); permanent refusals such as 131026 or 131050 stay out.
RETRYABLE = sorted(
    code for code, rule in RULES.items() if rule.action in (Action.RETRY, Action.RETRY_RECIPIENT)
)
_FAILED = (
    "s.id IN (SELECT o.subscriber_id FROM outbox o WHERE o.campaign_id = ?"
    " AND o.state = 'failed' AND coalesce(o.error_code, 1) IN ({marks}))"
)
OPERATORS: dict[str, tuple[str, ...]] = {
    "topic": ("has", "has_not"),
    "language": ("is", "is_not"),
    "subscribed": ("before", "after"),
    "last_interaction": ("within_days", "not_within_days"),
    "answer": ("is", "is_not", "gte", "lte"),
    "failed_in": ("retryable",),  # "resend to failed": not offered in the editor's rows
}
FIELDS = tuple(OPERATORS)
_KEY = re.compile(r"^[a-z0-9_\-+]{1,64}$")


@dataclass(frozen=True)
class Compiled:
    """A WHERE fragment over ``subscribers s`` and its parameters."""

    sql: str
    params: list[Any]


def parse(definition: Any) -> dict[str, Any]:
    """Check a segment definition; return its normal form or raise BadRequest naming the problem.

    Shape: ``{"match": "all"|"any", "groups": [{"match": …, "conditions": [{"field", "op",
    "value", "question"?}]}]}``; groups combine by the outer match, conditions by their group's.
    """
    if not isinstance(definition, dict):
        raise BadRequest("segment: an object with match and groups")
    groups = definition.get("groups") or []
    if not isinstance(groups, list) or len(groups) > MAX_GROUPS:
        raise BadRequest(f"segment.groups: a list of at most {MAX_GROUPS} groups")
    clean_groups = []
    for g, group in enumerate(groups):
        if not isinstance(group, dict):
            raise BadRequest(f"segment.groups[{g}]: an object")
        conditions = group.get("conditions") or []
        if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
            raise BadRequest(f"segment.groups[{g}].conditions: at most {MAX_CONDITIONS}")
        clean = [
            _condition(c, f"segment.groups[{g}].conditions[{i}]") for i, c in enumerate(conditions)
        ]
        if clean:
            clean_groups.append({"match": _match(group.get("match")), "conditions": clean})
    return {"match": _match(definition.get("match")), "groups": clean_groups}


def _match(value: Any) -> str:
    if value in (None, "", "all"):
        return "all"
    if value == "any":
        return "any"
    raise BadRequest("match: all or any")


def _condition(condition: Any, where: str) -> dict[str, Any]:
    if not isinstance(condition, dict) or condition.get("field") not in FIELDS:
        raise BadRequest(f"{where}.field: one of {', '.join(FIELDS)}")
    field = condition["field"]
    op = condition.get("op")
    if op not in OPERATORS[field]:
        raise BadRequest(f"{where}.op: one of {', '.join(OPERATORS[field])}")
    value = condition.get("value")
    out: dict[str, Any] = {"field": field, "op": op}
    if field in ("topic", "language"):
        out["value"] = _short_text(value, where)
    elif field == "subscribed":
        try:
            out["value"] = date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise BadRequest(f"{where}.value: a date such as 2026-01-31") from None
    elif field in ("last_interaction", "failed_in"):
        out["value"] = _number(value, where, whole=True)
    else:
        question = condition.get("question")
        if not isinstance(question, str) or not _KEY.match(question):
            raise BadRequest(f"{where}.question: the key of a profile question")
        out["question"] = question
        out["value"] = _number(value, where) if op in ("gte", "lte") else _short_text(value, where)
    return out


def _short_text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE:
        raise BadRequest(f"{where}.value: 1-{MAX_VALUE} characters")
    return value


def _number(value: Any, where: str, *, whole: bool = False) -> float | int:
    try:
        number = int(value) if whole else float(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{where}.value: a number") from None
    if not -1e9 < number < 1e9:
        raise BadRequest(f"{where}.value: out of range")
    return number


def compile_segment(definition: dict[str, Any], now: float | None = None) -> Compiled:
    """The checked definition as a WHERE fragment; every value is a ``?`` parameter."""
    definition = parse(definition)
    now = time.time() if now is None else now
    parts: list[str] = []
    params: list[Any] = []
    for group in definition["groups"]:
        joiner = " AND " if group["match"] == "all" else " OR "
        pieces = []
        for condition in group["conditions"]:
            sql, values = _compile_condition(condition, now)
            pieces.append(sql)
            params += values
        parts.append("(" + joiner.join(pieces) + ")")
    if not parts:
        return Compiled("1", [])
    return Compiled(
        "(" + (" AND " if definition["match"] == "all" else " OR ").join(parts) + ")", params
    )


def _compile_condition(c: dict[str, Any], now: float) -> tuple[str, list[Any]]:
    field, op, value = c["field"], c["op"], c["value"]
    if field == "topic":
        return ("" if op == "has" else "NOT ") + _TOPIC, [value]
    if field == "language":
        return ("s.language = ?" if op == "is" else "s.language != ?"), [value]
    if field == "subscribed":
        # Dates compare as text: subscribed_at is ISO 8601; "before" means before that day.
        if op == "before":
            return "coalesce(s.subscribed_at, '') < ?", [value]
        return "coalesce(s.subscribed_at, '') >= ?", [value]
    if field == "last_interaction":
        since = now - value * DAY
        if op == "within_days":
            return "coalesce(s.last_inbound_at, 0) >= ?", [since]
        return "coalesce(s.last_inbound_at, 0) < ?", [since]
    if field == "failed_in":
        return _FAILED.format(marks=",".join("?" * len(RETRYABLE))), [value, *RETRYABLE]
    test = _ANSWER_TESTS["is" if op == "is_not" else op]
    sql = _ANSWER.format(test=test)
    if op in ("is", "is_not"):
        quoted = (json.dumps(value), json.dumps(value, ensure_ascii=False))
        values = [c["question"], *quoted, value]
    else:
        values = [c["question"], value]
    return ("NOT " if op == "is_not" else "") + sql, values


def resend_filter(campaign_id: int) -> dict[str, Any]:
    """The segment of people whose message of ``campaign_id`` failed retryably."""
    failed = {"field": "failed_in", "op": "retryable", "value": campaign_id}
    return {"groups": [{"conditions": [failed]}]}


# Who can ever be in an audience: active people with an address (suppression is checked again
# by the dispatcher at dequeue, the list being re-applied to statuses at every start).
REACHABLE = "s.status = 'active' AND coalesce(s.wa_id, s.user_id) IS NOT NULL"


def audience_where(
    definition: dict[str, Any] | None, topics: list[str] | tuple[str, ...] = ()
) -> Compiled:
    """Reachable people in the segment (if any) and in at least one of ``topics`` (if any)."""
    sql, params = REACHABLE, []
    if topics:
        marks = ",".join("?" * len(topics))
        sql += (
            " AND s.id IN (SELECT st.subscriber_id FROM subscriber_topics st"
            f" JOIN topics t ON t.id = st.topic_id WHERE t.key IN ({marks}))"
        )
        params += list(topics)
    if definition:
        compiled = compile_segment(definition)
        sql += " AND " + compiled.sql
        params += compiled.params
    return Compiled(sql, params)


async def segment_snapshot(conn: WriteConnection, segment_id: int) -> dict[str, Any]:
    """A saved segment as a campaign keeps it (later edits of the segment do not move it)."""
    async with conn.execute(
        "SELECT definition FROM studio_segments WHERE id = ?", (segment_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise BadRequest(f"audience.segment_id: no segment {segment_id}")
    return {"segment_id": segment_id, "segment": json.loads(row[0])}


async def count(
    db: Database, definition: dict[str, Any] | None, topics: list[str] | tuple[str, ...] = ()
) -> int:
    """The live count of reachable people in the audience."""
    where = audience_where(definition, topics)
    return int(
        await db.fetchval("SELECT count(*) FROM subscribers s WHERE " + where.sql, where.params)
        or 0
    )


class Segments:
    """Saved, reusable segments (``studio_segments``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> list[dict[str, Any]]:
        """Every saved segment, by name."""
        rows = await self._db.fetchall("SELECT * FROM studio_segments ORDER BY name")
        return [{**dict(r), "definition": json.loads(r["definition"])} for r in rows]

    async def get(self, segment_id: int) -> dict[str, Any]:
        """One segment; NotFound when it does not exist."""
        row = await self._db.fetchone("SELECT * FROM studio_segments WHERE id = ?", (segment_id,))
        if row is None:
            raise NotFound(f"no segment {segment_id}")
        return {**dict(row), "definition": json.loads(row["definition"])}

    async def save(
        self, name: str, definition: Any, actor: str, segment_id: int | None = None
    ) -> int:
        """Create or replace a segment (checked first)."""
        name = name.strip()
        if not name or len(name) > 100:
            raise BadRequest("name: 1-100 characters")
        text = json.dumps(parse(definition), ensure_ascii=False)
        if segment_id is None:
            if await self._db.fetchval("SELECT 1 FROM studio_segments WHERE name = ?", (name,)):
                raise Conflict(f"a segment named {name!r} exists already")
            return await self._db.execute(
                "INSERT INTO studio_segments (name, definition, created_by) VALUES (?, ?, ?)",
                (name, text, actor),
            )
        await self.get(segment_id)
        await self._db.execute(
            "UPDATE studio_segments SET name = ?, definition = ?,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
            (name, text, segment_id),
        )
        return segment_id

    async def delete(self, segment_id: int) -> None:
        """Forget a segment (campaigns keep their own copy of the definition)."""
        await self._db.execute("DELETE FROM studio_segments WHERE id = ?", (segment_id,))
