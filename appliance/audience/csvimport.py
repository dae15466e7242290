"""CSV import of an existing contact list: stated consent, dry run first, never over an opt-out,
undoable as a whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from appliance.audience.suppression import ERASED, UNSUBSCRIBED
from appliance.core import audit
from appliance.core.errors import BadRequest, Conflict, NotFound

if TYPE_CHECKING:
    from appliance.audience.store import Audience
    from appliance.core.db import WriteConnection

MAX_ROWS = 50_000
MAX_BYTES = 5 * 1024 * 1024
PHONE_COLUMNS = ("wa_id", "phone", "telefono", "numero", "cellulare")
NAME_COLUMNS = ("name", "nome")
LANGUAGE_COLUMNS = ("language", "lingua")
TOPIC_COLUMNS = ("topics", "argomenti")

# Refusal reasons (Italian source text, translated by the page).
BAD_NUMBER = "numero non valido"
DUPLICATE = "numero ripetuto nel file"
OPTED_OUT = "ha annullato l'iscrizione: non si reimporta"
ERASED_BEFORE = "ha chiesto la cancellazione dei dati: non si reimporta"
UNKNOWN_TOPIC = "argomento sconosciuto"


@dataclass
class Planned:
    """One line of the file and what the import would do with it."""

    line: int
    wa_id: str
    name: str = ""
    language: str = ""
    topics: list[str] = field(default_factory=list)
    action: str = ""  # create, update, refuse
    reason: str = ""
    subscriber_id: int | None = None


@dataclass
class Plan:
    """The dry run: what would be created, updated and refused, with the stated consent."""

    filename: str
    consent_source: str
    consent_date: str
    rows: list[Planned]

    def count(self, action: str) -> int:
        """Rows with this action."""
        return sum(1 for r in self.rows if r.action == action)


def normalise_phone(raw: str) -> str | None:
    """Digits with the country code (Italian mobiles without it get 39), or None."""
    digits = re.sub(r"[\s\-./()]", "", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif len(digits) in (9, 10) and digits.startswith("3"):
        digits = "39" + digits
    return digits if digits.isdigit() and 8 <= len(digits) <= 15 else None


def check_consent(source: str, when: str) -> tuple[str, str]:
    """The stated consent source and date, both mandatory; the date not in the future."""
    source = source.strip()
    if not source:
        raise BadRequest("consent_source: say where the consent comes from")
    try:
        day = date.fromisoformat(when.strip())
    except ValueError:
        raise BadRequest("consent_date: a date like 2024-03-31") from None
    if day > date.today():
        raise BadRequest("consent_date: cannot be in the future")
    return source[:200], day.isoformat()


def parse(data: bytes) -> list[Planned]:
    """The file's rows (UTF-8, with or without BOM; comma or semicolon separated)."""
    if len(data) > MAX_BYTES:
        raise BadRequest("file: at most 5 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}

    def column(row: dict[str, Any], names: tuple[str, ...]) -> str:
        for name in names:
            if name in header:
                return str(row.get(header[name]) or "").strip()
        return ""

    if not any(name in header for name in PHONE_COLUMNS):
        raise BadRequest("file: a column wa_id (or telefono, numero) is required")
    rows: list[Planned] = []
    for line, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise BadRequest(f"file: at most {MAX_ROWS} rows")
        topics = [t.strip() for t in re.split(r"[;,|]", column(row, TOPIC_COLUMNS)) if t.strip()]
        rows.append(
            Planned(
                line=line,
                wa_id=column(row, PHONE_COLUMNS),
                name=column(row, NAME_COLUMNS)[:200],
                language="en" if column(row, LANGUAGE_COLUMNS).lower().startswith("en") else "it",
                topics=topics,
            )
        )
    return rows


async def plan(
    audience: Audience, filename: str, data: bytes, consent_source: str, consent_date: str
) -> Plan:
    """The dry-run report; nothing is written."""
    source, day = check_consent(consent_source, consent_date)
    rows = parse(data)
    topics = {t["key"] for t in await audience.topics()}
    await audience.suppression.load()
    seen: set[str] = set()
    for row in rows:
        phone = normalise_phone(row.wa_id)
        row.action = "refuse"
        if phone is None:
            row.reason = BAD_NUMBER
            continue
        row.wa_id = phone
        if phone in seen:
            row.reason = DUPLICATE
            continue
        seen.add(phone)
        unknown = [t for t in row.topics if t not in topics]
        if unknown:
            row.reason = f"{UNKNOWN_TOPIC}: {', '.join(unknown)}"
            continue
        existing = await audience.find(phone, None)
        row.reason = _refusal(audience, existing, phone)
        if row.reason:
            continue
        row.action = "update" if existing is not None else "create"
        row.subscriber_id = existing["id"] if existing is not None else None
    return Plan(filename, source, day, rows)


def _refusal(audience: Audience, existing: Any, phone: str) -> str:
    """Why this number must not be imported (an opt-out or an erasure is never overwritten)."""
    state = audience.suppression.state_of(phone, None)
    if state == ERASED:
        return ERASED_BEFORE
    if state == UNSUBSCRIBED or (existing is not None and existing["status"] == "unsubscribed"):
        return OPTED_OUT
    return ""


async def commit(audience: Audience, plan_: Plan, actor: str, address: str) -> int:
    """Apply a dry run in one transaction (re-checking every row); return the import's id."""
    rows = [r for r in plan_.rows if r.action in ("create", "update")]

    async def job(conn: WriteConnection) -> int:
        cursor = await conn.execute(
            "INSERT INTO imports (actor, filename, consent_source, consent_date)"
            " VALUES (?, ?, ?, ?)",
            (actor, plan_.filename[:200], plan_.consent_source, plan_.consent_date),
        )
        import_id = cursor.lastrowid
        created = updated = 0
        for row in rows:
            existing = await (
                await conn.execute(
                    "SELECT id, status, profile_name, language, source FROM subscribers"
                    " WHERE wa_id = ?",
                    (row.wa_id,),
                )
            ).fetchone()
            if _refusal(audience, existing and {"status": existing[1]}, row.wa_id):
                continue
            if existing is None:
                cursor = await conn.execute(
                    "INSERT INTO subscribers (wa_id, status, language, profile_name, source,"
                    " subscribed_at) VALUES (?, 'active', ?, ?, ?,"
                    " strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                    (row.wa_id, row.language, row.name, f"import:{import_id}"),
                )
                sid, action, previous = cursor.lastrowid, "created", {}
                created += 1
            else:
                sid, action = existing[0], "updated"
                topic_rows = await (
                    await conn.execute(
                        "SELECT topic_id FROM subscriber_topics WHERE subscriber_id = ?", (sid,)
                    )
                ).fetchall()
                previous = {
                    "status": existing[1],
                    "profile_name": existing[2],
                    "language": existing[3],
                    "topics": [t[0] for t in topic_rows],
                }
                await conn.execute(
                    "UPDATE subscribers SET status = 'active', profile_name = CASE WHEN"
                    " profile_name = '' THEN ? ELSE profile_name END, subscribed_at ="
                    " coalesce(subscribed_at, strftime('%Y-%m-%dT%H:%M:%fZ','now')) WHERE id = ?",
                    (row.name, sid),
                )
                updated += 1
            await conn.execute(
                "INSERT INTO consents (subscriber_id, kind, source, detail) VALUES"
                " (?, 'imported', ?, ?)",
                (sid, f"import:{import_id}", f"{plan_.consent_source} ({plan_.consent_date})"),
            )
            if row.topics or action == "created":
                await conn.execute("DELETE FROM subscriber_topics WHERE subscriber_id = ?", (sid,))
                marks = ",".join("?" * len(row.topics))
                topic_filter = f"key IN ({marks})" if row.topics else "active = 1"
                await conn.execute(
                    "INSERT INTO subscriber_topics (subscriber_id, topic_id)"
                    f" SELECT ?, id FROM topics WHERE {topic_filter}",
                    (sid, *row.topics),
                )
            await conn.execute(
                "INSERT INTO import_rows (import_id, subscriber_id, action, previous)"
                " VALUES (?, ?, ?, ?)",
                (import_id, sid, action, json.dumps(previous)),
            )
        refused = len(plan_.rows) - created - updated
        await conn.execute(
            "UPDATE imports SET created = ?, updated = ?, refused = ? WHERE id = ?",
            (created, updated, refused, import_id),
        )
        await audit.record_in(
            conn,
            actor,
            "subscribers.imported",
            f"import:{import_id}",
            audit.detail(
                "imported",
                created=created,
                updated=updated,
                refused=refused,
                source=plan_.consent_source,
                day=plan_.consent_date,
            ),
            address,
        )
        return import_id

    return await audience.db.write(job)


async def undo(audience: Audience, import_id: int, actor: str, address: str) -> tuple[int, int]:
    """Take an import back as a whole: (removed, restored). Opt-outs since then stay."""

    async def job(conn: WriteConnection) -> tuple[int, int]:
        found = await (
            await conn.execute("SELECT undone_at FROM imports WHERE id = ?", (import_id,))
        ).fetchone()
        if found is None:
            raise NotFound("no such import")
        if found[0] is not None:
            raise Conflict("this import was already undone")
        rows = await (
            await conn.execute(
                "SELECT r.subscriber_id, r.action, r.previous, s.status FROM import_rows r"
                " JOIN subscribers s ON s.id = r.subscriber_id WHERE r.import_id = ?",
                (import_id,),
            )
        ).fetchall()
        removed = restored = 0
        for sid, action, previous, status in rows:
            if status != "active":
                continue  # they unsubscribed or were erased since: that choice stays
            if action == "created":
                await conn.execute("DELETE FROM subscribers WHERE id = ?", (sid,))
                removed += 1
                continue
            before = json.loads(previous)
            await conn.execute(
                "UPDATE subscribers SET status = ?, profile_name = ?, language = ? WHERE id = ?",
                (before["status"], before["profile_name"], before["language"], sid),
            )
            await conn.execute("DELETE FROM subscriber_topics WHERE subscriber_id = ?", (sid,))
            await conn.executemany(
                "INSERT INTO subscriber_topics (subscriber_id, topic_id) VALUES (?, ?)",
                [(sid, t) for t in before["topics"]],
            )
            await conn.execute(
                "DELETE FROM consents WHERE subscriber_id = ? AND source = ?",
                (sid, f"import:{import_id}"),
            )
            restored += 1
        await conn.execute(
            "UPDATE imports SET undone_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?",
            (import_id,),
        )
        await audit.record_in(
            conn,
            actor,
            "subscribers.import_undone",
            f"import:{import_id}",
            audit.detail("import_undone", removed=removed, restored=restored),
            address,
        )
        return removed, restored

    return await audience.db.write(job)
