"""The bot editor: texts, the privacy notice with its versions, profile questions and topics.

Editors prepare everything; only admins publish a new version of the privacy notice.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

from quart import Blueprint, flash, redirect, request, url_for

from appliance.audience import minimal, notice
from appliance.audience.store import AUDIENCE
from appliance.conversation.engine import CONVERSATION
from appliance.conversation.texts import DEFAULTS, LANGUAGES, check
from appliance.core import audit
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("bot", __name__, url_prefix="/bot")

KINDS = ("single", "multiple", "number", "text", "topics")
KIND_LABELS = {
    "single": "Scelta singola",
    "multiple": "Scelta multipla",
    "number": "Numero",
    "text": "Testo libero",
    "topics": "Argomenti (scelta multipla tra gli argomenti)",
}
# The editor's sections, each saved on its own: (anchor, Italian title, the texts it holds).
TEXT_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "welcome",
        "Benvenuto e menu",
        (
            "welcome",
            "menu_button",
            "menu_section",
            "menu_1",
            "menu_2",
            "menu_3",
            "menu_4",
            "menu_5",
            "menu_6",
            "help",
            "not_available",
            "website",
            "website_url",
            "welcome_back",
            "invalid_option",
            "language_set",
        ),
    ),
    (
        "subscription",
        "Iscrizione",
        (
            "privacy_summary",
            "privacy_link",
            "age_question",
            "age_yes",
            "age_no",
            "age_refused",
            "consent_question",
            "consent_yes",
            "consent_no",
            "consent_refused",
            "subscribed",
            "already_subscribed",
        ),
    ),
    (
        "profile",
        "Domande del profilo: testi di contorno",
        (
            "questions_intro",
            "choose_button",
            "skip_label",
            "hint_single",
            "hint_multiple",
            "hint_number",
            "hint_text",
            "invalid_answer",
            "profile_updated",
            "old_prompt",
            "expects_answer",
        ),
    ),
    (
        "commands",
        "Comandi (STOP, I MIEI DATI, CANCELLA)",
        (
            "not_subscribed",
            "unsubscribed",
            "cancelled",
            "nothing_to_cancel",
            "my_data",
            "erase_question",
            "erase_yes",
            "erase_no",
            "erased",
            "erase_kept",
        ),
    ),
    (
        "free-text",
        "Messaggi liberi dei cittadini",
        ("auto_answer", "office_hours", "media", "flood"),
    ),
)


def text_sections() -> list[tuple[str, str, list[str]]]:
    """The sections with their texts; a text no section names lands in "Altri testi"."""
    named = {key for _, _, keys in TEXT_SECTIONS for key in keys}
    sections = [(a, t, [k for k in keys if k in DEFAULTS]) for a, t, keys in TEXT_SECTIONS]
    rest = [key for key in DEFAULTS if key not in named]
    return sections + ([("other-texts", "Altri testi", rest)] if rest else [])


_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")
MAX_NOTICE = 20_000
MAX_PROMPT = 1000
MAX_PURPOSE = 200
PURPOSE_NEEDED = (
    "Scrivi a cosa serve la risposta: il cittadino lo legge sotto la domanda (minimizzazione"
    " dei dati, art. 5 del GDPR)."
)


def _purpose(form: Any) -> tuple[str, str]:
    """The question's purpose in Italian and English, as the form sent it."""
    return (
        " ".join(form.get("purpose_it", "").split())[:MAX_PURPOSE],
        " ".join(form.get("purpose_en", "").split())[:MAX_PURPOSE],
    )


async def _editor_page(status: int = 200, **context: Any) -> Any:
    appliance = the_appliance()
    texts = appliance.parts[CONVERSATION].texts
    audience = appliance.parts[AUDIENCE]
    values = context.pop("values", {})
    return await page(
        "conversation/editor.html",
        status,
        defaults=DEFAULTS,
        sections=text_sections(),
        town=appliance.config.town.name,
        languages_codes=LANGUAGES,
        value=lambda key, lang: values.get((key, lang), texts.raw(key, lang)),
        edited=texts.edited,
        draft=await notice.draft(appliance.db),
        versions=await notice.versions(appliance.db),
        questions=await audience.questions(active_only=False),
        topics=await audience.topics(active_only=False),
        kinds=[(k, gettext(KIND_LABELS[k])) for k in KINDS],
        errors=context.pop("errors", {}),
        **context,
    )


@bp.get("")
@requires("editor")
async def index() -> Any:
    """Every editable text with its limit, the notice, the questions and the topics."""
    return await _editor_page()


@bp.post("/texts")
@requires("editor")
async def save_texts() -> Any:
    """Store changed texts; each is checked against WhatsApp's limits first."""
    form = await request.form
    texts = the_appliance().parts[CONVERSATION].texts
    changes: dict[tuple[str, str], str] = {}
    errors: dict[str, str] = {}
    for key in DEFAULTS:
        for lang in LANGUAGES:
            name = f"t-{key}-{lang}"
            if name not in form:
                continue
            value = form[name].replace("\r\n", "\n")
            if value == texts.raw(key, lang):
                continue
            problem = check(key, value)
            if problem:
                message, values = problem
                errors[name] = gettext(message, **values)
            changes[(key, lang)] = value
    if errors:
        return await _editor_page(400, errors=errors, values=changes)
    if changes:
        await texts.save(changes, actor(), client_address())
        await flash(gettext("Testi salvati: {n}.", n=len(changes)), "success")
    else:
        await flash(gettext("Nessuna modifica."), "success")
    section = form.get("section", "")
    anchor = f"#{section}" if section in {a for a, _, _ in text_sections()} else ""
    return redirect(url_for("bot.index") + anchor, 303)


@bp.post("/notice")
@requires("editor")
async def save_notice() -> Any:
    """Save the draft of the privacy notice (not yet shown to citizens)."""
    form = await request.form
    text_it = form.get("notice_it", "").replace("\r\n", "\n").strip()
    text_en = form.get("notice_en", "").replace("\r\n", "\n").strip()
    if not text_it or len(text_it) > MAX_NOTICE or len(text_en) > MAX_NOTICE:
        await flash(
            gettext("L'informativa in italiano è obbligatoria (al massimo 20000 caratteri)."),
            "error",
        )
        return redirect(url_for("bot.index") + "#notice", 303)
    await notice.save_draft(the_appliance().db, text_it, text_en, actor(), client_address())
    await flash(gettext("Bozza dell'informativa salvata."), "success")
    return redirect(url_for("bot.index") + "#notice", 303)


@bp.post("/notice/publish")
@requires("admin")
async def publish_notice() -> Any:
    """Publish the draft as a new version: new subscriptions consent to it from now on."""
    appliance = the_appliance()
    try:
        number = await notice.publish(appliance.db, appliance.config, actor(), client_address())
    except notice.NoticeIncomplete as err:
        await flash(err.message, "error")
        return redirect(url_for("bot.index") + "#notice", 303)
    await flash(gettext("Pubblicata la versione {n} dell'informativa.", n=number), "success")
    return redirect(url_for("bot.index") + "#notice", 303)


def _options(text: str) -> list[dict[str, str]]:
    """One option per line: ``label`` or ``label | English label``."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        it, _, en = line.partition("|")
        key = re.sub(r"[^a-z0-9]+", "-", it.strip().lower()).strip("-")[:40] or str(
            len(options) + 1
        )
        options.append({"key": key, "it": it.strip()[:24], "en": en.strip()[:24]})
    return options[:20]


@bp.post("/questions")
@requires("editor")
async def add_question() -> Any:
    """A new profile question at the end of the list."""
    form = await request.form
    key, kind = form.get("key", "").strip().lower(), form.get("kind", "")
    prompt_it, prompt_en = form.get("prompt_it", "").strip(), form.get("prompt_en", "").strip()
    purpose_it, purpose_en = _purpose(form)
    options = _options(form.get("options", ""))
    if not purpose_it:
        await flash(gettext(PURPOSE_NEEDED), "error")
        return redirect(url_for("bot.index") + "#questions", 303)
    if not _KEY.match(key) or kind not in KINDS or not prompt_it or len(prompt_it) > MAX_PROMPT:
        await flash(
            gettext("Servono un codice (lettere minuscole e cifre), un tipo e la domanda."), "error"
        )
        return redirect(url_for("bot.index") + "#questions", 303)
    if kind in ("single", "multiple") and not options:
        await flash(gettext("Una domanda a scelta ha bisogno di almeno un'opzione."), "error")
        return redirect(url_for("bot.index") + "#questions", 303)
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT INTO profile_questions (key, kind, prompt_it, prompt_en, options, purpose_it,"
            " purpose_en, position)"
            " VALUES (?, ?, ?, ?, ?, ?, ?,"
            " (SELECT coalesce(max(position), 0) + 1 FROM profile_questions))",
            (
                key,
                kind,
                prompt_it,
                prompt_en[:MAX_PROMPT],
                json.dumps(options, ensure_ascii=False),
                purpose_it,
                purpose_en,
            ),
        )
        detail = audit.detail("kind", kind_words=KIND_LABELS[kind])
        await audit.record_in(conn, who, "bot.question_added", key, detail, address)

    try:
        await the_appliance().db.write(job)
    except sqlite3.IntegrityError:
        await flash(gettext("Esiste già una domanda con questo codice."), "error")
    else:
        await flash(gettext("Domanda aggiunta."), "success")
        await _warn_about_minimal_data(prompt_it + " " + prompt_en, kind)
    return redirect(url_for("bot.index") + "#questions", 303)


async def _warn_about_minimal_data(prompt: str, kind: str) -> None:
    """Flash what a DPO would ask about: special categories, free-text answers (art. 5, 9)."""
    touched = minimal.special_categories(prompt)
    if touched:
        await flash(
            gettext(
                "Attenzione: la domanda sembra riguardare dati particolari ({what}). Un Comune "
                "non dovrebbe raccoglierli con questo servizio: riformulala o toglila.",
                what=", ".join(gettext(t) for t in touched),
            ),
            "warn",
        )
    if kind == "text":
        await flash(
            gettext(
                "Una risposta a testo libero può contenere qualsiasi dato: preferisci una domanda "
                "a scelta, con solo le opzioni che servono."
            ),
            "warn",
        )


@bp.post("/questions/<int:qid>")
@requires("editor")
async def edit_question(qid: int) -> Any:
    """Change a question's wording, options, position or whether it is asked."""
    form = await request.form
    prompt_it, prompt_en = form.get("prompt_it", "").strip(), form.get("prompt_en", "").strip()
    if not prompt_it or len(prompt_it) > MAX_PROMPT:
        await flash(gettext("La domanda in italiano è obbligatoria."), "error")
        return redirect(url_for("bot.index") + "#questions", 303)
    purpose_it, purpose_en = _purpose(form)
    if not purpose_it:
        await flash(gettext(PURPOSE_NEEDED), "error")
        return redirect(url_for("bot.index") + "#questions", 303)
    try:
        position = int(form.get("position", "0"))
    except ValueError:
        position = 0
    options = json.dumps(_options(form.get("options", "")), ensure_ascii=False)
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await conn.execute(
            "UPDATE profile_questions SET prompt_it = ?, prompt_en = ?, purpose_it = ?,"
            " purpose_en = ?, position = ?, active = ?,"
            " options = CASE WHEN kind IN ('single', 'multiple') THEN ? ELSE options END"
            " WHERE id = ?",
            (
                prompt_it,
                prompt_en[:MAX_PROMPT],
                purpose_it,
                purpose_en,
                position,
                int(form.get("active") == "1"),
                options,
                qid,
            ),
        )
        await audit.record_in(conn, who, "bot.question_changed", str(qid), "", address)

    await the_appliance().db.write(job)
    await flash(gettext("Domanda aggiornata."), "success")
    kind = await the_appliance().db.fetchval(
        "SELECT kind FROM profile_questions WHERE id = ?", (qid,)
    )
    await _warn_about_minimal_data(prompt_it + " " + prompt_en, kind or "")
    return redirect(url_for("bot.index") + "#questions", 303)


@bp.post("/topics")
@requires("editor")
async def add_topic() -> Any:
    """A new topic citizens can choose and campaigns can target."""
    form = await request.form
    key, name_it = form.get("key", "").strip().lower(), form.get("name_it", "").strip()[:24]
    if not _KEY.match(key) or not name_it:
        await flash(gettext("Servono un codice (lettere minuscole e cifre) e un nome."), "error")
        return redirect(url_for("bot.index") + "#topics", 303)
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await conn.execute(
            "INSERT INTO topics (key, name_it, name_en) VALUES (?, ?, ?)",
            (key, name_it, form.get("name_en", "").strip()[:24]),
        )
        await audit.record_in(conn, who, "bot.topic_added", key, name_it, address)

    try:
        await the_appliance().db.write(job)
    except sqlite3.IntegrityError:
        await flash(gettext("Esiste già un argomento con questo codice."), "error")
    else:
        await flash(gettext("Argomento aggiunto."), "success")
    return redirect(url_for("bot.index") + "#topics", 303)


@bp.post("/topics/<int:tid>")
@requires("editor")
async def edit_topic(tid: int) -> Any:
    """Rename a topic or stop offering it."""
    form = await request.form
    name_it = form.get("name_it", "").strip()[:24]
    if not name_it:
        await flash(gettext("Il nome dell'argomento è obbligatorio."), "error")
        return redirect(url_for("bot.index") + "#topics", 303)
    who, address = actor(), client_address()

    async def job(conn: Any) -> None:
        await conn.execute(
            "UPDATE topics SET name_it = ?, name_en = ?, active = ? WHERE id = ?",
            (name_it, form.get("name_en", "").strip()[:24], int(form.get("active") == "1"), tid),
        )
        await audit.record_in(conn, who, "bot.topic_changed", str(tid), name_it, address)

    await the_appliance().db.write(job)
    await flash(gettext("Argomento aggiornato."), "success")
    return redirect(url_for("bot.index") + "#topics", 303)
