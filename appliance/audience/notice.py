"""The privacy notice: versioned texts (a published version never changes), with a default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.core import audit

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database

DRAFT = 0  # notice_versions row being edited by staff

DEFAULT_IT = """Informativa sul trattamento dei dati personali – servizio WhatsApp del {comune}

Titolare del trattamento: {comune}, {address}. Responsabile della protezione dei dati (RPD): {dpo}.

Dati trattati: il numero di telefono e l'identificativo WhatsApp, il nome del profilo, la lingua, le risposte facoltative alle domande del profilo, gli argomenti scelti, i messaggi scambiati con il Comune, la data e la versione del consenso.

Finalità e base giuridica: inviare comunicazioni di pubblico interesse (avvisi, allerte, notizie, eventi) a chi si iscrive, sulla base del consenso (art. 6.1.a GDPR), e rispondere alle richieste dei cittadini. Il consenso può essere revocato in ogni momento scrivendo STOP.

Responsabile del trattamento e trasferimento: il servizio usa la piattaforma WhatsApp Business di Meta Platforms Ireland Ltd, che tratta i dati come responsabile; i dati possono essere trasferiti negli Stati Uniti sulla base del Data Privacy Framework UE-USA e delle clausole contrattuali tipo.

Conservazione: i messaggi ricevuti sono conservati per {inbox_days} giorni, i dati tecnici dei messaggi per {webhook_days} giorni, i registri di consegna per {recipient_log_days} giorni; il profilo di chi non è iscritto o ha annullato l'iscrizione per {contact_days} giorni. Dopo una richiesta di cancellazione resta solo una traccia anonima.

Diritti: accesso (scrivi I MIEI DATI), rettifica (PROFILO), cancellazione (CANCELLA I MIEI DATI), opposizione e revoca (STOP), reclamo al Garante per la protezione dei dati personali (www.garanteprivacy.it). L'iscrizione è riservata a chi ha almeno 14 anni."""

DEFAULT_EN = """Privacy notice – WhatsApp service of the {comune}

Controller: {comune}, {address}. Data protection officer (DPO): {dpo}.

Data processed: your phone number and WhatsApp identifier, profile name, language, optional answers to the profile questions, chosen topics, the messages exchanged with the town hall, and the date and version of your consent.

Purpose and legal basis: sending public-interest messages (notices, alerts, news, events) to those who subscribe, based on consent (Art. 6(1)(a) GDPR), and answering citizens' requests. You can withdraw consent at any time by writing STOP.

Processor and transfer: the service uses the WhatsApp Business platform of Meta Platforms Ireland Ltd as processor; data may be transferred to the United States under the EU-US Data Privacy Framework and standard contractual clauses.

Retention: received messages are kept for {inbox_days} days, technical message data for {webhook_days} days, delivery logs for {recipient_log_days} days; the profile of people who are not or no longer subscribed for {contact_days} days. After an erasure request only an anonymous trace remains.

Your rights: access (write MY DATA), rectification (PROFILE), erasure (DELETE MY DATA), objection and withdrawal (STOP), complaint to the Italian data protection authority (www.garanteprivacy.it). Subscribers must be at least 14 years old."""


@dataclass(frozen=True)
class Notice:
    """One version of the notice."""

    version: int
    text_it: str
    text_en: str
    published_at: str | None

    def text(self, language: str) -> str:
        """The text in ``language``, Italian when there is no translation."""
        return (self.text_en if language == "en" else "") or self.text_it


async def ensure_first_version(db: Database) -> None:
    """A box without a notice publishes the default as version 1 (and a draft to edit)."""
    if await db.fetchval("SELECT count(*) FROM notice_versions WHERE version > 0"):
        return

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO notice_versions (version, text_it, text_en, published_at,"
            " published_by) VALUES (1, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), 'system')",
            (DEFAULT_IT, DEFAULT_EN),
        )
        await conn.execute(
            "INSERT OR IGNORE INTO notice_versions (version, text_it, text_en) VALUES (0, ?, ?)",
            (DEFAULT_IT, DEFAULT_EN),
        )

    await db.write(job)


def _notice(row: Any) -> Notice:
    return Notice(row["version"], row["text_it"], row["text_en"], row["published_at"])


async def current(db: Database) -> Notice:
    """The latest published version."""
    row = await db.fetchone(
        "SELECT * FROM notice_versions WHERE version > 0 ORDER BY version DESC LIMIT 1"
    )
    if row is None:
        return Notice(1, DEFAULT_IT, DEFAULT_EN, None)
    return _notice(row)


async def version(db: Database, number: int) -> Notice | None:
    """A published version, or None."""
    row = await db.fetchone(
        "SELECT * FROM notice_versions WHERE version = ? AND version > 0", (number,)
    )
    return _notice(row) if row else None


async def draft(db: Database) -> Notice:
    """The text staff are preparing (the current version when no draft was saved)."""
    row = await db.fetchone("SELECT * FROM notice_versions WHERE version = 0")
    return _notice(row) if row else await current(db)


async def versions(db: Database) -> list[Notice]:
    """Every published version, newest first."""
    rows = await db.fetchall(
        "SELECT * FROM notice_versions WHERE version > 0 ORDER BY version DESC"
    )
    return [_notice(r) for r in rows]


async def save_draft(db: Database, text_it: str, text_en: str, actor: str, address: str) -> None:
    """Store the draft (editors may prepare it)."""

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT INTO notice_versions (version, text_it, text_en) VALUES (0, ?, ?)"
            " ON CONFLICT (version) DO UPDATE SET text_it = excluded.text_it,"
            " text_en = excluded.text_en",
            (text_it, text_en),
        )
        await audit.record_in(conn, actor, "privacy.draft_saved", "notice", "", address)

    await db.write(job)


async def publish(db: Database, actor: str, address: str) -> int:
    """Publish the draft as the next version (admins only); return its number."""

    async def job(conn: Any) -> int:
        row = await (
            await conn.execute("SELECT text_it, text_en FROM notice_versions WHERE version = 0")
        ).fetchone()
        latest = await (
            await conn.execute("SELECT coalesce(max(version), 0) FROM notice_versions")
        ).fetchone()
        number = latest[0] + 1
        await conn.execute(
            "INSERT INTO notice_versions (version, text_it, text_en, published_at, published_by)"
            " VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)",
            (number, row[0], row[1], actor),
        )
        await audit.record_in(conn, actor, "privacy.published", f"version {number}", "", address)
        return number

    return await db.write(job)


async def fill(text: str, db: Database, config: Config) -> str:
    """The notice with the comune's data and the retention periods in force."""
    rows = await db.fetchall(
        "SELECT key, value FROM settings WHERE key IN"
        " ('town_data.display_name', 'town_data.address', 'town_data.dpo_contact')"
    )
    town = {r["key"].removeprefix("town_data."): r["value"] for r in rows}
    values = {
        "comune": town.get("display_name") or f"Comune di {config.town.name}",
        "address": town.get("address") or "",
        "dpo": town.get("dpo_contact") or "vedi il sito del Comune",
        **config.values["retention"],
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text  # staff wrote braces of their own: show the text as written
