"""The Emergency page: what the button sends, drills, the LED, the press log, the demo button.

Everyone on the staff may look (a viewer too: in an emergency anybody at the desk must be able
to see what the button would do); only admins arm, disarm or switch the drill mode.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import escape
from typing import Any

from quart import Blueprint, flash, redirect, request

from appliance.box import BOX, presses
from appliance.box.armed import MAX_FOLLOW_UP, arm, disarm, read_armed, set_test_mode
from appliance.box.launcher import LAUNCHER
from appliance.box.patterns import PATTERNS
from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.template_text import fill
from appliance.cloudapi.templates import TEMPLATES
from appliance.core.errors import ApplianceError, BadRequest, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, record_change, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

bp = Blueprint("emergency", __name__, url_prefix="/emergency")
PAGE = "/emergency"
# The dashboard lines that tell whether a press would reach everyone now.
CHECKS = ("emergency", "messaging_limit", "sending", "cloudapi")
_PLACEHOLDER = re.compile(r"{{\s*(\d+)\s*}}")
SHORT_PRESS = 0.5  # demo: well above the bounce filter, well below any hold time
LONG_MARGIN = 0.5  # demo: held this much longer than [gpio] hold_seconds


def _body(template: dict[str, Any]) -> str:
    components = json.loads(template.get("components") or "[]")
    return next((c.get("text", "") for c in components if c.get("type") == "BODY"), "")


def led_svg(steps: tuple[float, ...], label: str) -> str:
    """The status LED drawn with its real pattern (animated for at most 5 s, WCAG 2.2.2)."""
    cycle = sum(steps) if len(steps) > 1 else 1.0  # a lone on-phase repeats every second
    phases = list(steps) + ([1.0 - steps[0]] if len(steps) == 1 else [])
    times, colours, at = [], [], 0.0
    for index, length in enumerate(phases):
        times.append(f"{at / cycle:.4f}")
        colours.append("#e02424" if index % 2 == 0 else "#5a1a1a")
        at += length
    glow = "#5a1a1a" if not steps else "#e02424"
    animate = (
        f'<animate attributeName="fill" calcMode="discrete" dur="{cycle:g}s" '
        f'values="{";".join(colours)}" keyTimes="{";".join(times)}" '
        f'repeatCount="{max(1, int(5 // cycle))}" fill="freeze"/>'
        if steps
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 60" width="60" height="60" '
        f'role="img" aria-label="{escape(label)}" class="led">'
        '<circle cx="30" cy="30" r="26" fill="#2b2b2b"/>'
        f'<circle cx="30" cy="30" r="18" fill="{glow}">{animate}</circle>'
        '<circle cx="24" cy="23" r="5" fill="#ffffff" fill-opacity="0.35"/></svg>'
    )


def _placeholders(template: dict[str, Any]) -> int:
    """How many body parameters the template takes ({{1}}, {{2}}, …)."""
    return len(set(_PLACEHOLDER.findall(_body(template))))


def _usable(template: dict[str, Any]) -> bool:
    return template["status"] == "APPROVED" and template["category"] == "UTILITY"


def _catalog() -> Any:
    return the_appliance().parts[TEMPLATES]


async def _context(errors: dict[str, str] | None = None, form: Any = None) -> dict[str, Any]:
    appliance = the_appliance()
    box = appliance.parts[BOX]
    db = appliance.db
    armed = await read_armed(db)
    templates = [
        {**t, "body": _body(t), "placeholders": _placeholders(t)}
        for t in _catalog().all()
        if _usable(t)
    ]
    known = _catalog().get(armed.template_name, armed.language) if armed else None
    last = await presses.last_launch(db)
    cooldown = appliance.config.emergency.cooldown_seconds
    left = 0.0
    if last is not None:
        left = cooldown - (datetime.now(UTC) - datetime.fromisoformat(last.at)).total_seconds()
    checks = {c.key: c for c in await appliance.health.snapshot() if c.key in CHECKS}
    status = box.status.status
    return {
        "armed": armed,
        "armed_template": known,
        "armed_body": _body(known) if known else "",
        "armed_text": fill(_body(known), {str(i + 1): v for i, v in enumerate(armed.parameters)})
        if known and armed
        else "",
        "templates": templates,
        "test_numbers": len(appliance.config.emergency.test_numbers),
        "cooldown_minutes": max(1, round(left / 60)) if left > 0 else 0,
        "cooldown_total": round(cooldown / 60),
        "checks": [checks[key] for key in CHECKS if key in checks],
        "box_status": status,
        "pattern": PATTERNS[status.state],
        "led": led_svg(PATTERNS[status.state].steps, PATTERNS[status.state].label_it),
        "presses": await presses.recent_presses(db),
        "outcomes": presses.OUTCOMES,
        "can_send": appliance.parts.get(LAUNCHER) is not None,
        "demo": appliance.config.demo and box.virtual,
        "hold_seconds": appliance.config.gpio.hold_seconds,
        "max_follow_up": MAX_FOLLOW_UP,
        "errors": errors or {},
        "form": form or {},
    }


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """The armed message, its warnings, the LED, the cool-down and the presses."""
    return await page("box/emergency.html", **await _context())


def _parameters(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _form_errors(form: Any) -> tuple[dict[str, str], dict[str, Any] | None]:
    """Field errors of the arm form, and the chosen template when it is usable."""
    name, _, language = form.get("template", "").partition("|")
    template = _catalog().get(name, language) if name else None
    if template is None or not _usable(template):
        return {"template": gettext("Scegliere un modello approvato di categoria UTILITY.")}, None
    wanted, given = _placeholders(template), len(_parameters(form.get("parameters", "")))
    if wanted != given:
        message = gettext(
            "Il modello ha {wanted} segnaposto: scrivere {wanted} valori, uno per riga (ora sono {given}).",
            wanted=wanted,
            given=given,
        )
        return {"parameters": message}, template
    if len(form.get("follow_up", "")) > MAX_FOLLOW_UP:
        return {"follow_up": gettext("Il messaggio di seguito è troppo lungo.")}, template
    return {}, template


@bp.post("/arm")
@requires("admin")
async def arm_message() -> Any:
    """Arm (or replace) the message a long press sends."""
    form = await request.form
    errors, template = _form_errors(form)
    if not errors and template is not None:
        try:
            await arm(
                the_appliance().db,
                template_name=template["name"],
                language=template["language"],
                parameters=_parameters(form.get("parameters", "")),
                follow_up=form.get("follow_up", ""),
                test_mode=form.get("test_mode") == "on",
                actor=actor(),
                address=client_address(),
            )
        except BadRequest as err:
            errors = {"parameters": err.message}
    if errors:
        return await page("box/emergency.html", 400, **await _context(errors, form))
    await flash(gettext("Messaggio di emergenza pronto: il pulsante ora lo invia."), "success")
    return redirect(PAGE, 303)


@bp.post("/disarm")
@requires("admin")
async def disarm_message() -> Any:
    """Disarm: a press then sends nothing (and the LED says so)."""
    if await disarm(the_appliance().db, actor=actor(), address=client_address()):
        await flash(
            gettext("Messaggio di emergenza tolto: il pulsante non invia nulla."), "success"
        )
    return redirect(PAGE, 303)


@bp.post("/test-mode")
@requires("admin")
async def test_mode() -> Any:
    """Switch drills on or off: the press then goes only to [emergency] test_numbers."""
    enabled = (await request.form).get("enabled") == "on"
    try:
        await set_test_mode(the_appliance().db, enabled, actor=actor(), address=client_address())
    except NotFound:
        await flash(gettext("Nessun messaggio di emergenza pronto."), "error")
    else:
        if enabled:
            await flash(gettext("Modalità prova attiva."), "success")
        else:
            await flash(gettext("Modalità prova disattivata."), "success")
    return redirect(PAGE, 303)


@bp.post("/templates")
@requires("admin")
async def refresh_templates() -> Any:
    """Read the templates and their status from Meta again."""
    try:
        found = await the_appliance().parts[CLOUDAPI].list_templates()
    except ApplianceError as err:
        await flash(gettext("Meta non ha risposto: {error}", error=err.message), "error")
    else:
        await record_change("templates.refreshed", "", str(len(found)))
        await flash(gettext("Modelli letti da Meta: {n}.", n=len(found)), "success")
    return redirect(PAGE, 303)


@bp.post("/virtual-press")
@requires("admin")
async def virtual_press() -> Any:
    """Demo only: hold the virtual button down, long (counted) or short (ignored)."""
    appliance = the_appliance()
    if not appliance.config.demo:
        raise NotFound("the virtual button exists in demo mode only")
    long = (await request.form).get("press") == "long"
    hold_seconds = appliance.config.gpio.hold_seconds
    hold = hold_seconds + LONG_MARGIN if long else min(SHORT_PRESS, hold_seconds / 2)
    await appliance.parts[BOX].virtual_press(hold)
    return redirect(PAGE + "#led", 303)


def register(app: Any) -> None:
    """Add the page to the LAN app's navigation and its English texts to the catalog."""
    from appliance.lan.i18n import add_catalog
    from appliance.lan.registry import NavItem, add_pages

    add_catalog("en", MESSAGES_EN)
    add_pages(app, bp, NavItem("emergency.index", "Emergenza", order=10))


# English for the page's Italian source texts (merged into the admin catalog at setup).
MESSAGES_EN: dict[str, str] = {
    "Emergenza": "Emergency",
    "Una pressione lunga del pulsante di emergenza (almeno {n} secondi) invia il messaggio preparato qui a tutti gli iscritti attivi, prima di ogni altro invio. Una pressione breve non fa nulla.": "A long press of the emergency button (at least {n} seconds) sends the message prepared here to every active subscriber, ahead of any other send. A short press does nothing.",
    "Spia del dispositivo": "Device light",
    "Motivo:": "Reason:",
    "Aggiorna lo stato": "Refresh the state",
    "La spia ricontrolla lo stato ogni pochi secondi.": "The light re-checks the state every few seconds.",
    "Si può inviare adesso?": "Can it send now?",
    "Questa versione non sa ancora inviare l'emergenza: premendo il pulsante non verrebbe inviato nulla. Avvisare la popolazione in un altro modo.": "This version cannot send the emergency yet: pressing the button would send nothing. Warn the population another way.",
    "Pulsante in pausa per altri {n} minuti dopo l'ultimo invio: una nuova pressione ora non invierebbe nulla.": "The button cools down for {n} more minutes after the last send: a new press now would send nothing.",
    "Nessuna pausa in corso: dopo ogni invio il pulsante resta in pausa per {n} minuti.": "No cool-down running: after each send the button pauses for {n} minutes.",
    "Messaggio pronto": "Armed message",
    "Modello": "Template",
    "Cosa riceve il cittadino": "What the citizen receives",
    "Nessun modello approvato di categoria UTILITY è noto.": "No approved UTILITY template is known.",
    "Invia in revisione il modello pronto «emergenza_comune» dalla pagina Modelli": "Submit the ready-made template «emergenza_comune» for review from the Templates page",
    "Dopo l'approvazione di Meta aggiornare l'elenco qui.": "Once Meta approves it, refresh the list here.",
    "Simula il pulsante fisico: tenere premuto (mouse, dito, oppure barra spaziatrice) per {n} secondi. Lasciando prima non si invia nulla.": "Simulates the hardware button: hold it down (mouse, finger or space bar) for {n} seconds. Letting go earlier sends nothing.",
    "Tieni premuto per inviare": "Hold down to send",
    "Ancora {n} s…": "{n} s more…",
    "Rilasciato prima del tempo: pressione breve, nessun invio.": "Released too early: a short press, nothing sent.",
    "Pressione lunga: invio in corso…": "Long press: sending…",
    "Valori dei segnaposto": "Placeholder values",
    "nessuno": "none",
    "Messaggio di seguito": "Follow-up message",
    "Modalità prova": "Test mode",
    "attiva: invio solo ai {n} numeri di prova del personale": "on: sent only to the {n} staff test numbers",
    "non attiva: invio a tutta la popolazione iscritta": "off: sent to every subscriber",
    "Preparato da": "Armed by",
    "Meta non ha ancora detto nulla di questo modello: aggiornare l'elenco dei modelli per controllarne stato e categoria.": "Meta has not told us about this template yet: refresh the template list to check its status and category.",
    "Il modello non è approvato da Meta (stato {status}): l'invio non andrebbe a buon fine. Sceglierne un altro.": "Meta has not approved the template (status {status}): sending would fail. Choose another one.",
    "Meta ha classificato il modello come {category}, non più UTILITY: l'invio costerebbe come marketing e potrebbe non arrivare. Sceglierne un altro.": "Meta re-categorised the template as {category}, no longer UTILITY: it would be charged as marketing and might not arrive. Choose another one.",
    "Modalità prova senza numeri di prova ([emergency] test_numbers): una pressione non invierebbe nulla.": "Test mode without test numbers ([emergency] test_numbers): a press would send nothing.",
    "Disattiva la modalità prova": "Turn test mode off",
    "Attiva la modalità prova": "Turn test mode on",
    "Togliere il messaggio di emergenza? Il pulsante non invierà nulla.": "Disarm the emergency message? The button will send nothing.",
    "Togli il messaggio": "Disarm",
    "Nessun messaggio pronto: premendo il pulsante non verrebbe inviato nulla.": "Nothing armed: pressing the button would send nothing.",
    "Prepara il messaggio di emergenza": "Arm the emergency message",
    "Modello approvato (categoria UTILITY)": "Approved template (UTILITY category)",
    "{n} segnaposto": "{n} placeholders",
    "Uno per riga, nell'ordine del modello: la prima riga sostituisce {{1}}, la seconda {{2}}…": "One per line, in the template's order: the first line replaces {{1}}, the second {{2}}…",
    "Messaggio di seguito (facoltativo)": "Follow-up message (optional)",
    "Testo libero breve, inviato dopo il modello solo a chi ha scritto al Comune nelle ultime 24 ore.": "Short free text, sent after the template only to people who wrote to the town in the last 24 hours.",
    "Modalità prova: invia solo ai {n} numeri di prova del personale": "Test mode: send only to the {n} staff test numbers",
    "Prepara il messaggio": "Arm the message",
    "Nessun modello approvato di categoria UTILITY è noto: crearlo nel pannello di Meta, attenderne l'approvazione e aggiornare l'elenco.": "No approved UTILITY template is known: create one in Meta's dashboard, wait for approval and refresh the list.",
    "Aggiorna l'elenco dei modelli da Meta": "Refresh the template list from Meta",
    "Solo un amministratore può preparare o togliere il messaggio di emergenza.": "Only an administrator can arm or disarm the emergency message.",
    "Pulsante virtuale (solo demo)": "Virtual button (demo only)",
    "Simula il pulsante fisico: la pagina attende la fine della pressione.": "Simulates the physical button: the page waits until the press ends.",
    "Pressione breve": "Short press",
    "Pressioni del pulsante": "Button presses",
    "Data (UTC)": "Date (UTC)",
    "Origine": "Source",
    "Durata": "Held",
    "Esito": "Outcome",
    "Dettagli": "Details",
    "prova": "test",
    "{n} destinatari": "{n} recipients",
    "{n} destinatario": "{n} recipient",
    "Data ({zone})": "Date ({zone})",
    "Il pulsante non è mai stato premuto.": "The button has never been pressed.",
    "Scegliere un modello approvato di categoria UTILITY.": "Choose an approved UTILITY template.",
    "Il modello ha {wanted} segnaposto: scrivere {wanted} valori, uno per riga (ora sono {given}).": "The template has {wanted} placeholders: write {wanted} values, one per line (now {given}).",
    "Il messaggio di seguito è troppo lungo.": "The follow-up message is too long.",
    "Messaggio di emergenza pronto: il pulsante ora lo invia.": "Emergency message armed: the button now sends it.",
    "Messaggio di emergenza tolto: il pulsante non invia nulla.": "Emergency message disarmed: the button sends nothing.",
    "Nessun messaggio di emergenza pronto.": "No emergency message is armed.",
    "Modalità prova attiva.": "Test mode on.",
    "Modalità prova disattivata.": "Test mode off.",
    "Meta non ha risposto: {error}": "Meta did not answer: {error}",
    "Modelli letti da Meta: {n}.": "Templates read from Meta: {n}.",
    "Pulsante di emergenza": "Emergency button",
    "Limite giornaliero": "Daily limit",
    "Invio": "Sending",
    "API WhatsApp": "WhatsApp API",
}
