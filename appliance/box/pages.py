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

from quart import Blueprint, flash, g, redirect, request

from appliance.box import BOX, presses
from appliance.box.armed import MAX_FOLLOW_UP, arm, disarm, read_armed, set_test_mode
from appliance.box.drills import MAX_NUMBERS, normalise, read_drill_numbers, save_drill_numbers
from appliance.box.launcher import LAUNCHER
from appliance.box.patterns import PATTERNS
from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.template_text import fill
from appliance.cloudapi.templates import TEMPLATES
from appliance.core import audit
from appliance.core.errors import ApplianceError, BadRequest, NotFound
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, record_change, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext, translate

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
    drills = await read_drill_numbers(db, appliance.config)
    language = g.get("lang", "it")
    status = box.status.status
    return {
        "armed": armed,
        "armed_template": known,
        "armed_body": _body(known) if known else "",
        "armed_text": fill(_body(known), {str(i + 1): v for i, v in enumerate(armed.parameters)})
        if known and armed
        else "",
        "templates": templates,
        "test_numbers": len(drills.numbers),
        "drills": drills,
        "max_numbers": MAX_NUMBERS,
        "cooldown_minutes": max(1, round(left / 60)) if left > 0 else 0,
        "cooldown_total": round(cooldown / 60),
        "checks": [checks[key] for key in CHECKS if key in checks],
        "box_status": status,
        "pattern": PATTERNS[status.state],
        "led": led_svg(PATTERNS[status.state].steps, PATTERNS[status.state].label_it),
        "presses": [
            (p, translate(audit.describe(p.detail), language))
            for p in await presses.recent_presses(db)
        ],
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


async def _drill_change(number: str, adding: bool) -> str:
    """Add or remove one test number; the Italian error, or "" once saved (and audited)."""
    appliance = the_appliance()
    current = list((await read_drill_numbers(appliance.db, appliance.config)).numbers)
    if adding:
        found = normalise(number)
        if found is None:
            return gettext(
                "«{number}» non sembra un numero italiano: scriverlo con il prefisso, per esempio +39 333 123 4567.",
                number=number[:40],
            )
        if found in current:
            return gettext("Il numero {number} è già tra i numeri di prova.", number=found)
        if len(current) >= MAX_NUMBERS:
            return gettext("Al massimo {n} numeri di prova: toglierne uno prima.", n=MAX_NUMBERS)
        numbers, change = [*current, found], audit.detail("test_number_added", number=found)
    else:
        if number not in current:
            return gettext("Il numero {number} non è tra i numeri di prova.", number=number[:40])
        numbers = [n for n in current if n != number]
        change = audit.detail("test_number_removed", number=number)
    await save_drill_numbers(appliance.db, numbers, change, actor(), client_address())
    return ""


@bp.post("/test-numbers")
@requires("admin")
async def test_numbers() -> Any:
    """Add a staff test number (or remove one): the next drill press already uses the list."""
    form = await request.form
    adding = form.get("action") != "remove"
    error = await _drill_change(form.get("number", ""), adding)
    if error:
        context = await _context({"number": error})
        typed = form.get("number", "") if adding else ""
        return await page("box/emergency.html", 400, **context | {"typed_number": typed})
    if adding:
        await flash(gettext("Numero di prova aggiunto."), "success")
    else:
        await flash(gettext("Numero di prova tolto."), "success")
    return redirect(PAGE + "#test-numbers", 303)


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
    """Switch drills on or off: the press then goes only to the staff's test numbers."""
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
        await record_change("templates.refreshed", "", audit.detail("templates_read", n=len(found)))
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
    """Add the page to the LAN app's navigation."""
    from appliance.lan.registry import NavItem, add_pages

    add_pages(app, bp, NavItem("emergency.index", "Emergenza", order=10))
