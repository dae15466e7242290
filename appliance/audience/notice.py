"""The privacy notice: versioned texts (a published version never changes), with a default."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from appliance.audience.privacy_facts import privacy_facts
from appliance.core import audit
from appliance.core.errors import BadRequest
from appliance.core.health import OK, WARN, Check, Probe
from appliance.core.text import N_

if TYPE_CHECKING:
    from appliance.core.config import Config
    from appliance.core.db import Database

DRAFT = 0  # notice_versions row being edited by staff

# Placeholders: the facts of privacy_facts.py and the retention periods; {comune}, {address}
# and {dpo} are kept for notices staff wrote before the legal facts had their own keys.
DEFAULT_IT = """Informativa sul trattamento dei dati personali – servizio WhatsApp del {controller_name} (art. 13 del Regolamento UE 2016/679)

Titolare del trattamento: {controller_name}, {controller_address}, PEC {controller_pec}. Responsabile della protezione dei dati (RPD): {dpo_contact}.

Base giuridica: il trattamento è necessario per l'esecuzione di un compito di interesse pubblico del Comune (art. 6, par. 1, lett. e del Regolamento; art. 2-ter del Codice privacy), previsto da: {legal_basis_act}. WhatsApp richiede inoltre che tu chieda di ricevere i messaggi (opt-in): la tua richiesta è registrata con data e versione di questa informativa, ma non è la base giuridica del trattamento.

Finalità: inviarti comunicazioni istituzionali del Comune (avvisi, allerte di protezione civile, notizie, eventi) sugli argomenti che scegli e rispondere alle tue richieste. Il servizio non è usato per propaganda politica né per finalità commerciali.

Dati trattati: numero di telefono e identificativo WhatsApp, nome del profilo, lingua, argomenti scelti, le risposte facoltative alle domande del profilo (ognuna dice a cosa serve), i messaggi scambiati con il Comune, la data e la versione della tua richiesta di iscrizione. Non chiediamo dati sulla salute, sulle opinioni politiche o religiose né altri dati particolari.

Destinatari e responsabili del trattamento: {processors}. I dati non sono diffusi né ceduti a terzi.

Trasferimento all'estero: Meta può trattare i dati negli Stati Uniti; il trasferimento si basa sulla decisione di adeguatezza della Commissione europea per l'EU-US Data Privacy Framework (10 luglio 2023) e sulle clausole contrattuali tipo.

Conservazione: i messaggi ricevuti per {inbox_days} giorni, i dati tecnici dei messaggi per {webhook_days} giorni, i registri di consegna per {recipient_log_days} giorni; il profilo di chi non è iscritto o ha annullato l'iscrizione per {contact_days} giorni. Dopo una richiesta di cancellazione resta solo una traccia anonima che impedisce nuovi invii.

I tuoi diritti, esercitabili con un messaggio in questa chat: accesso (scrivi I MIEI DATI), rettifica (PROFILO), cancellazione (CANCELLA I MIEI DATI), limitazione e opposizione al trattamento (scrivi al Comune o all'RPD); puoi annullare l'iscrizione in ogni momento scrivendo STOP. Puoi proporre reclamo al Garante per la protezione dei dati personali (www.garanteprivacy.it). L'iscrizione è riservata a chi ha almeno 14 anni."""

DEFAULT_EN = """Privacy notice – WhatsApp service of the {controller_name} (Art. 13 of Regulation (EU) 2016/679)

Controller: {controller_name}, {controller_address}, PEC {controller_pec}. Data protection officer (DPO): {dpo_contact}.

Legal basis: the processing is necessary for a task carried out in the public interest by the town hall (Art. 6(1)(e) GDPR; Art. 2-ter of the Italian Privacy Code), laid down by: {legal_basis_act}. WhatsApp also requires you to ask to receive the messages (opt-in): your request is recorded with its date and the version of this notice, but it is not the legal basis of the processing.

Purposes: sending you the town hall's institutional messages (notices, civil-protection alerts, news, events) on the topics you choose, and answering your requests. The service is never used for political propaganda or commercial purposes.

Data processed: your phone number and WhatsApp identifier, profile name, language, chosen topics, optional answers to the profile questions (each says what it is for), the messages exchanged with the town hall, and the date and notice version of your subscription request. We do not ask for health data, political or religious opinions or other special categories of data.

Recipients and processors: {processors}. Data are not published or passed on to third parties.

Transfer abroad: Meta may process data in the United States; the transfer relies on the European Commission's adequacy decision for the EU-US Data Privacy Framework (10 July 2023) and on standard contractual clauses.

Retention: received messages {inbox_days} days, technical message data {webhook_days} days, delivery logs {recipient_log_days} days; the profile of people who are not or no longer subscribed {contact_days} days. After an erasure request only an anonymous trace remains, which prevents new messages.

Your rights, exercised by a message in this chat: access (write MY DATA), rectification (PROFILE), erasure (DELETE MY DATA), restriction and objection (write to the town hall or the DPO); you can unsubscribe at any time by writing STOP. You may complain to the Italian data protection authority (www.garanteprivacy.it). Subscribers must be at least 14 years old."""

META = {
    "it": "Meta Platforms Ireland Ltd, che fornisce la piattaforma WhatsApp Business (Cloud API)",
    "en": "Meta Platforms Ireland Ltd, which provides the WhatsApp Business platform (Cloud API)",
}
INTEGRATOR = {"it": "{name}, per l'assistenza tecnica", "en": "{name}, for technical support"}


class NoticeIncomplete(BadRequest):
    """A notice cannot be published while a required legal fact is missing."""


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
    """A box without a notice gets the default as the draft staff may edit."""

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO notice_versions (version, text_it, text_en) VALUES (0, ?, ?)",
            (DEFAULT_IT, DEFAULT_EN),
        )

    await db.write(job)


async def publish_first_when_ready(db: Database, config: Config) -> int | None:
    """Publish the draft as version 1 once every legal fact is known; the version or None."""
    if await db.fetchval("SELECT count(*) FROM notice_versions WHERE version > 0"):
        return None
    if (await privacy_facts(db, config)).missing:
        return None
    await ensure_first_version(db)
    return await publish(db, config, "system", "")


def _notice(row: Any) -> Notice:
    return Notice(row["version"], row["text_it"], row["text_en"], row["published_at"])


async def current(db: Database) -> Notice | None:
    """The latest published version; None while no notice has been published."""
    row = await db.fetchone(
        "SELECT * FROM notice_versions WHERE version > 0 ORDER BY version DESC LIMIT 1"
    )
    return _notice(row) if row else None


async def version(db: Database, number: int) -> Notice | None:
    """A published version, or None."""
    row = await db.fetchone(
        "SELECT * FROM notice_versions WHERE version = ? AND version > 0", (number,)
    )
    return _notice(row) if row else None


async def draft(db: Database) -> Notice:
    """The text staff are preparing (the current version when no draft was saved)."""
    row = await db.fetchone("SELECT * FROM notice_versions WHERE version = 0")
    return _notice(row) if row else (await current(db) or Notice(0, DEFAULT_IT, DEFAULT_EN, None))


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


async def publish(db: Database, config: Config, actor: str, address: str) -> int:
    """Publish the draft as the next version (admins only); return its number.

    Refused with NoticeIncomplete while a required legal fact is missing.
    """
    await refuse_if_incomplete(db, config)

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
        await audit.record_in(conn, actor, "privacy.published", f"v{number}", "", address)
        return number

    return await db.write(job)


async def fill(text: str, db: Database, config: Config, language: str = "it") -> str:
    """The notice with the legal facts and the retention periods in force."""
    facts = await privacy_facts(db, config)
    processors = [META["en" if language == "en" else "it"]]
    if facts.integrator:
        processors.append(
            INTEGRATOR["en" if language == "en" else "it"].format(name=facts.integrator)
        )
    values = {
        **asdict(facts),
        "processors": "; ".join(processors),
        "comune": facts.controller_name,
        "address": facts.controller_address,
        "dpo": facts.dpo_contact,
        **config.retention.as_dict(),
    }
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text  # staff wrote braces of their own: show the text as written


async def refuse_if_incomplete(db: Database, config: Config) -> None:
    """Raise NoticeIncomplete naming every legal fact that is still missing."""
    missing = (await privacy_facts(db, config)).missing_words()
    if missing:
        raise NoticeIncomplete(
            "l'informativa non può essere pubblicata: mancano "
            + ", ".join(missing)
            + " (Impostazioni › Dati del comune, o la sezione [privacy] del file di configurazione)"
        )


TITLE = N_("Informativa privacy")
WHERE = N_("Impostazioni › Dati del comune (o la sezione [privacy] della configurazione)")


def notice_probe(db: Database, config: Config) -> Probe:
    """Dashboard line: is a complete notice published, and which legal facts are missing."""

    async def probe() -> Check:
        published = await current(db)
        facts = await privacy_facts(db, config)

        def missing(language: str) -> str:
            return ", ".join(facts.missing_words(language))

        if published is None and facts.missing:
            return Check(
                "privacy",
                WARN,
                TITLE,
                N_("non pubblicata"),
                N_(
                    "Nessuno può iscriversi finché l'informativa non è pubblicata. Mancano "
                    "{missing}: inseriscili in {where}.",
                    missing=missing,
                    where=WHERE,
                ),
            )
        if published is None:
            return Check(
                "privacy",
                WARN,
                TITLE,
                N_("pronta, non pubblicata"),
                N_("I dati sono completi: pubblica l'informativa da Bot › Informativa."),
            )
        if facts.missing:
            return Check(
                "privacy",
                WARN,
                TITLE,
                N_("versione {version}, incompleta", version=published.version),
                N_(
                    "All'informativa pubblicata mancano {missing}: inseriscili in {where} e "
                    "pubblica una nuova versione.",
                    missing=missing,
                    where=WHERE,
                ),
            )
        return Check(
            "privacy",
            OK,
            TITLE,
            N_("versione {version} pubblicata", version=published.version),
        )

    return probe
