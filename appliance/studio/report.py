"""Campaign figures for staff: error codes in Italian, a server-rendered SVG timeline, the log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.campaigns.fallbacks import HAS_IT, NO_NUMBER, TO_NUMBER
from appliance.campaigns.model import (
    ACCEPTED,
    DELIVERED,
    READ,
    ROW_RANK,
    SENT,
    TEMPLATE_PART,
)
from appliance.core.formats import format_datetime

if TYPE_CHECKING:
    from appliance.core.db import Database

# What a failure means and what to do, for the codes a campaign meets (reference §8).
EXPLANATIONS: dict[int, str] = {
    131047: "Fuori dalla finestra di 24 ore: a questa persona si può scrivere solo con un "
    "modello approvato.",
    131026: "Messaggio non consegnabile: il numero non usa WhatsApp o ha un'app troppo vecchia.",
    131050: "La persona ha chiesto di non ricevere messaggi promozionali («stop promozioni»).",
    131049: "Meta limita i messaggi di marketing per persona: riprova fra un giorno.",
    131056: "Troppi messaggi alla stessa persona in poco tempo: ritentato più tardi.",
    130429: "Velocità massima del numero raggiunta: ritentato automaticamente.",
    130403: "La persona è bloccata dal Comune su WhatsApp.",
    131053: "File non accettato da Meta (tipo o dimensione): ricarica un file valido.",
    132000: "Il numero di valori non corrisponde alle variabili del modello.",
    132001: "Modello inesistente, non approvato o in un'altra lingua.",
    132015: "Modello sospeso da Meta per la qualità: scegline un altro.",
    132016: "Modello disattivato da Meta: scegline un altro.",
    131048: "Meta ha limitato il numero per segnalazioni di spam: sospendi le campagne.",
    131031: "Account bloccato da Meta: contatta l'assistenza Meta.",
    190: "La chiave di accesso (token) non è più valida: aggiornala nelle Impostazioni.",
    131000: "Errore sconosciuto di Meta: ritentato.",
    100: "Parametro non valido: il contenuto non rispetta i limiti di WhatsApp.",
}
# 131062 (no user id for this message) by what followed, as the row records it.
BY_DETAIL = {
    TO_NUMBER: "Meta non accetta l'identificativo utente per questo messaggio: inviato di nuovo "
    "al numero di telefono.",
    NO_NUMBER: "Meta non accetta l'identificativo utente per questo messaggio e il numero di "
    "telefono non è noto: non inviato.",
    HAS_IT: "Meta non accetta l'identificativo utente per questo messaggio: il numero di "
    "telefono l'ha già ricevuto, o la campagna è finita.",
}
STATE_NAMES = {
    "queued": "In coda",
    "accepted": "Accettato da Meta",
    "sent": "Inviato",
    "delivered": "Consegnato",
    "read": "Letto",
    "failed": "Non riuscito",
    "needs_template": "Serve un modello",
    "skipped": "Saltato (non più iscritto)",
    "expired": "Scaduto",
    "cancelled": "Annullato",
}

# A template's "Leggi" tap, shown among the statuses of the template message.
FOLLOWED = "followed"
EVENT_NAMES = {**STATE_NAMES, FOLLOWED: "Ha toccato «Leggi»: contenuto completo inviato"}
EVENT_RANK = {**ROW_RANK, FOLLOWED: ROW_RANK["read"]}
# A page of the log asks for its rows' history by id; the CSV export by id range.
LOG_IDS = 500


def explain(code: int | None, detail: str = "") -> str:
    """A failure in plain Italian (the code stays visible for support)."""
    if code is None:
        return detail and f"Dettaglio: {detail}"
    return BY_DETAIL.get(detail) or EXPLANATIONS.get(
        code, f"Errore {code} di Meta. {detail}".strip()
    )


def local_time(at: float | None) -> str:
    """Unix seconds as the comune's local time, to the second."""
    return format_datetime(at, seconds=True)


def part_label(part: int) -> str:
    """Which part a row is: the template or a content part."""
    return "Modello" if part == TEMPLATE_PART else f"Parte {part + 1}"


@dataclass(frozen=True)
class Series:
    """One cumulative line of the timeline."""

    key: str
    label: str
    points: list[tuple[float, int]]


# The timeline's lines: the outbox state each counts, and its label.
TIMELINE_LINES = {ACCEPTED: "Accettati", SENT: "Inviati", DELIVERED: "Consegnati", READ: "Letti"}


async def timeline(db: Database, campaign_id: int) -> list[Series]:
    """Cumulative accepted, sent, delivered and read over time (each status at its own time)."""
    # A row that was read was also delivered and sent, even when those webhooks never came:
    # each line counts a row at the first time it reached that rank or beyond.
    firsts = ", ".join(
        f"min(CASE WHEN rank >= {ROW_RANK[state]} THEN at END)" for state in TIMELINE_LINES
    )
    ranks = " ".join(f"WHEN '{state}' THEN {ROW_RANK[state]}" for state in TIMELINE_LINES)
    rows = await db.fetchall(
        f"SELECT {firsts} FROM (SELECT h.outbox_id, h.at, CASE h.state {ranks} ELSE 0 END AS rank"
        " FROM outbox_history h JOIN outbox o ON o.id = h.outbox_id WHERE o.campaign_id = ?)"
        " WHERE rank > 0 GROUP BY outbox_id",
        (campaign_id,),
    )
    series = []
    for index, (state, label) in enumerate(TIMELINE_LINES.items()):
        times = sorted(row[index] for row in rows if row[index] is not None)
        series.append(Series(state, label, [(t, i + 1) for i, t in enumerate(times)]))
    return series


def timeline_svg(series: list[Series], width: int = 640, height: int = 220) -> str:
    """The timeline as an accessible SVG (no script); empty string when there is nothing yet."""
    points = [p for s in series for p in s.points]
    if not points:
        return ""
    t0 = min(t for t, _ in points)
    t1 = max(max(t for t, _ in points), t0 + 1)
    top = max(n for _, n in points)
    left, bottom, pad = 48, height - 28, 10

    def xy(t: float, n: int) -> str:
        x = left + (t - t0) / (t1 - t0) * (width - left - pad)
        y = bottom - n / top * (bottom - pad)
        return f"{x:.1f},{y:.1f}"

    colours = {"accepted": "#5c6670", "sent": "#1d5fa8", "delivered": "#0b7a3e", "read": "#8a2be2"}
    lines = []
    for s in series:
        if s.points:
            path = " ".join(xy(t, n) for t, n in [(t0, 0), *s.points])
            lines.append(
                f'<polyline fill="none" stroke="{colours[s.key]}" stroke-width="2" '
                f'points="{path}"><title>{s.label}: {s.points[-1][1]}</title></polyline>'
            )
    minutes = (t1 - t0) / 60
    desc = ", ".join(f"{s.label} {s.points[-1][1] if s.points else 0}" for s in series)
    legend = "".join(
        f'<text x="{left + 130 * i}" y="{height - 6}" fill="{colours[s.key]}" '
        f'font-size="12">■ {s.label}</text>'
        for i, s in enumerate(series)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="tl-title tl-desc" class="timeline">'
        f'<title id="tl-title">Andamento nel tempo ({minutes:.1f} minuti)</title>'
        f'<desc id="tl-desc">{desc}</desc>'
        f'<line x1="{left}" y1="{bottom}" x2="{width - pad}" y2="{bottom}" stroke="#333"/>'
        f'<line x1="{left}" y1="{pad}" x2="{left}" y2="{bottom}" stroke="#333"/>'
        f'<text x="4" y="{pad + 10}" font-size="12">{top}</text>'
        f'<text x="4" y="{bottom}" font-size="12">0</text>' + "".join(lines) + legend + "</svg>"
    )


async def followups(db: Database, campaign_id: int) -> int:
    """People who tapped "Leggi" on the campaign's template and got the full content."""
    return int(
        await db.fetchval(
            "SELECT count(*) FROM studio_followups f JOIN outbox o ON o.id = f.outbox_id"
            " WHERE o.campaign_id = ?",
            (campaign_id,),
        )
    )


async def recipient_log(
    db: Database, campaign_id: int, *, state: str = "", offset: int = 0, limit: int = 100
) -> list[dict[str, Any]]:
    """Rows of the campaign (person, part, status, time, error explained, each status), by id."""
    rows = await db.fetchall(
        "SELECT id, recipient, part, state, attempts, error_code, error_detail, updated_at,"
        " created_at FROM outbox WHERE campaign_id = ?"
        + (" AND state = ?" if state else "")
        + " ORDER BY id LIMIT ? OFFSET ?",
        (campaign_id, state, limit, offset) if state else (campaign_id, limit, offset),
    )
    history = await _history(db, campaign_id, rows)
    return [
        {
            **dict(r),
            "part_label": part_label(r["part"]),
            "state_label": STATE_NAMES.get(r["state"], r["state"]),
            "explanation": _explained(r["state"], r["error_code"], r["error_detail"]),
            "at": r["updated_at"] or r["created_at"],
            "at_text": local_time(r["updated_at"] or r["created_at"]),
            "history": _events(r, history.get(r["id"], [])),
        }
        for r in rows
    ]


def _explained(state: str, code: int | None, detail: str) -> str:
    if state in ("failed", "needs_template", "skipped") or code:
        return explain(code, detail)
    return ""


async def _history(db: Database, campaign_id: int, rows: list[Any]) -> dict[int, list[Any]]:
    """The history lines of these rows, by row id."""
    if not rows:
        return {}
    if len(rows) <= LOG_IDS:
        ids = [r["id"] for r in rows]
        which, params = f"o.id IN ({','.join('?' * len(ids))})", ids
    else:  # the CSV export: the rows' id range (it may be the whole campaign)
        which, params = "o.id BETWEEN ? AND ?", [rows[0]["id"], rows[-1]["id"]]
    lines = await db.fetchall(
        "SELECT h.outbox_id, h.state, h.at, h.error_code, h.error_detail FROM outbox_history h"
        f" JOIN outbox o ON o.id = h.outbox_id WHERE o.campaign_id = ? AND {which}"
        f" UNION ALL SELECT f.outbox_id, '{FOLLOWED}', f.at, NULL, '' FROM studio_followups f"
        f" JOIN outbox o ON o.id = f.outbox_id WHERE o.campaign_id = ? AND {which}",
        [campaign_id, *params, campaign_id, *params],
    )
    found: dict[int, list[Any]] = {}
    for line in lines:
        found.setdefault(line["outbox_id"], []).append(line)
    return found


def _events(row: Any, lines: list[Any]) -> list[dict[str, Any]]:
    """Each status the row went through, with its time and its error explained."""
    # The present state closes the list when no status recorded it (still queued, or ended
    # unsent by a cancel, an expiry or a STOP).
    events = [
        (line["at"], line["state"], line["error_code"], line["error_detail"]) for line in lines
    ]
    if row["state"] not in {line["state"] for line in lines}:
        at = row["updated_at"] or row["created_at"]
        events.append((at, row["state"], row["error_code"], row["error_detail"]))
    # Meta's times are whole seconds, ours are not: within one second the order of states.
    events.sort(key=lambda e: (int(e[0]), EVENT_RANK.get(e[1], 0)))
    return [
        {
            "state": state,
            "label": EVENT_NAMES.get(state, state),
            "at": at,
            "at_text": local_time(at),
            "error_code": code,
            "explanation": _explained(state, code, detail or ""),
        }
        for at, state, code, detail in events
    ]
