"""The log of button presses (table emergency_presses), each also written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.box.armed import ArmedMessage
from appliance.core import audit

if TYPE_CHECKING:
    from appliance.core.db import Database, WriteConnection

# Outcome id -> (Italian, English) wording for the LED reason, the dashboard and the audit log
# (the audit log words it at display time: the English is in the catalog too).
OUTCOMES: dict[str, tuple[str, str]] = {
    "short": ("pressione breve, ignorata", "short press, ignored"),
    "cooldown": (
        "pulsante in pausa dopo l'ultimo invio: non è stato inviato nulla",
        "cool-down after the last send: nothing sent",
    ),
    "nothing_armed": (
        "nessun messaggio di emergenza pronto: non è stato inviato nulla",
        "nothing armed: nothing sent",
    ),
    "no_test_numbers": (
        "modalità prova senza numeri di prova: non è stato inviato nulla",
        "test mode without test numbers: nothing sent",
    ),
    "unavailable": (
        "l'invio di emergenza non è disponibile in questa versione: non è stato inviato nulla",
        "emergency sending not available in this version",
    ),
    "launching": ("invio in preparazione", "launching"),
    "launched": ("emergenza in invio", "emergency queued for sending"),
    "failed": ("invio non riuscito", "sending failed"),
    "finished": ("emergenza inviata", "emergency sent"),
}
# A counted press that ended in one of these sent nothing: someone wanted an alert and got none.
FAILURES = frozenset({"nothing_armed", "no_test_numbers", "unavailable", "failed"})
# A counted press that (may have) put an emergency on the lane: the cool-down runs from it.
LAUNCHES = frozenset({"launching", "launched", "finished"})

_COLUMNS = (
    "id, at, source, held_seconds, counted, outcome, detail, template_name, test_mode, "
    "reference, recipients, finished_at"
)


@dataclass(frozen=True)
class Press:
    """One row of emergency_presses."""

    id: int
    at: str  # UTC, ISO 8601
    source: str
    held_seconds: float
    counted: bool
    outcome: str
    detail: str
    template_name: str
    test_mode: bool
    reference: str
    recipients: int | None
    finished_at: str | None


def _press(row: Any) -> Press:
    values = dict(zip(row.keys(), row, strict=True))
    return Press(**values | {"counted": bool(row["counted"]), "test_mode": bool(row["test_mode"])})


def _audit_detail(outcome: str, detail: str, held_seconds: float | None) -> str:
    words = OUTCOMES[outcome][0]
    more = {"more_detail": detail} if detail else {}
    if held_seconds is None:
        return audit.detail("step_more" if detail else "step", outcome_words=words, **more)
    held = float(held_seconds)
    return audit.detail("press_more" if detail else "press", outcome_words=words, held=held, **more)


async def record_press(
    db: Database,
    *,
    source: str,
    address: str,
    held_seconds: float,
    counted: bool,
    outcome: str,
    detail: str = "",
    armed: ArmedMessage | None = None,
) -> int:
    """Insert a press and audit it (a "launching" press is audited once its launch is known)."""
    template = armed.template_name if armed else ""

    async def job(conn: WriteConnection) -> int:
        cursor = await conn.execute(
            "INSERT INTO emergency_presses (source, held_seconds, counted, outcome, detail, "
            "template_name, test_mode) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                source,
                held_seconds,
                counted,
                outcome,
                detail,
                template,
                bool(armed and armed.test_mode),
            ),
        )
        if outcome != "launching":
            text = _audit_detail(outcome, detail, held_seconds)
            await audit.record_in(conn, source, "emergency.press", template, text, address)
        return cursor.lastrowid or 0

    return await db.write(job)


async def update_press(
    db: Database,
    press_id: int,
    *,
    outcome: str,
    detail: str,
    actor: str,
    address: str,
    action: str,
    reference: str = "",
    recipients: int | None = None,
    finished: bool = False,
) -> None:
    """Move a counted press on (launched, failed, finished) and audit the step as ``action``."""

    async def job(conn: WriteConnection) -> None:
        await conn.execute(
            "UPDATE emergency_presses SET outcome = ?, detail = ?, "
            "reference = CASE WHEN ? != '' THEN ? ELSE reference END, "
            "recipients = COALESCE(?, recipients), "
            "finished_at = CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END "
            "WHERE id = ?",
            (outcome, detail, reference, reference, recipients, finished, press_id),
        )
        async with conn.execute(
            "SELECT template_name, held_seconds FROM emergency_presses WHERE id = ?", (press_id,)
        ) as cursor:
            template, held = await cursor.fetchone()
        held_seconds = held if action == "emergency.press" else None
        text = _audit_detail(outcome, detail, held_seconds)
        await audit.record_in(conn, actor, action, template, text, address)

    await db.write(job)


async def recent_presses(db: Database, limit: int = 20) -> list[Press]:
    """The latest presses, newest first (for the Emergency page)."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM emergency_presses ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [_press(row) for row in rows]


async def last_launch(db: Database) -> Press | None:
    """The latest counted press that put an emergency on the lane."""
    marks = ",".join("?" * len(LAUNCHES))
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM emergency_presses WHERE outcome IN ({marks}) "
        "ORDER BY id DESC LIMIT 1",
        tuple(sorted(LAUNCHES)),
    )
    return _press(row) if row else None


async def last_decisive(db: Database) -> Press | None:
    """The latest counted press that was not turned away by the cool-down."""
    row = await db.fetchone(
        f"SELECT {_COLUMNS} FROM emergency_presses WHERE counted = 1 AND outcome != 'cooldown' "
        "ORDER BY id DESC LIMIT 1"
    )
    return _press(row) if row else None
