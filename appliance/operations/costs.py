"""The Costi page (messages by Meta's price category, the estimate, the rate card) and its line."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from quart import Blueprint, flash, g, redirect, request, url_for

from appliance.cloudapi import pricing
from appliance.cloudapi.pricing import MAX_ALLOWANCE, MAX_RATE, RATE_FIELDS, RateCard
from appliance.core.formats import format_date, format_number, zone
from appliance.core.health import OK, WARN, Check, Probe
from appliance.core.text import N_
from appliance.lan.access import requires
from appliance.lan.auth import actor, client_address, principal, the_appliance
from appliance.lan.forms import page
from appliance.lan.i18n import gettext

if TYPE_CHECKING:
    from appliance.core.db import Database

bp = Blueprint("costs", __name__, url_prefix="/costs")

CATEGORY_NAMES = {
    "marketing": "Marketing",
    "utility": "Utility (servizio pubblico)",
    "authentication": "Autenticazione",
    "service": "Risposte di servizio",
}
RATE_LABELS = {
    "marketing": "Marketing, euro a messaggio",
    "utility": "Utility, euro a messaggio",
    "authentication": "Autenticazione, euro a messaggio",
    "service": "Risposte di servizio oltre la franchigia, euro a messaggio",
}
MONTHS = (
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre"
).split()
RATE_DECIMALS = 4
_NUMBER = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,6})?")
_DAY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _language() -> str:
    return "en" if g.get("lang") == "en" else "it"


def _noon(day: str) -> datetime:
    """Noon of an ISO day in the town's zone, so the shown day is the stored one."""
    return datetime.combine(date.fromisoformat(day), time(12), zone())


def _rate_text(value: Decimal) -> str:
    return pricing.euros(value, _language(), RATE_DECIMALS)


def _form_values(card: RateCard) -> dict[str, str]:
    """The card as the form shows it, in the staff language's number format."""
    values = {
        k: format_number(float(getattr(card, k)), _language(), RATE_DECIMALS) for k in RATE_FIELDS
    }
    values["service_allowance"] = str(card.service_allowance)
    values["rates_date"] = card.rates_date
    return values


def _parse_rate(raw: str) -> tuple[Decimal | None, str]:
    """A rate typed by a clerk (``0,0572`` or ``0.0572``, a € sign is fine), or the reason not."""
    text = raw.replace("€", "").strip()
    if not text:
        return None, gettext("Scrivi un importo in euro, per esempio 0,0572.")
    if text.startswith("-"):
        return None, gettext("La tariffa non può essere negativa.")
    if not _NUMBER.fullmatch(text):
        if re.fullmatch(r"[0-9.,]+", text):
            return None, gettext("Al massimo 1 € a messaggio, con al più 6 decimali.")
        return None, gettext(
            "«{value}» non è un importo: scrivi cifre e una virgola, per esempio 0,0572.",
            value=text[:40],
        )
    value = Decimal(text.replace(",", "."))  # the pattern admits only numbers
    if value > MAX_RATE:
        return None, gettext("Al massimo 1 € a messaggio, con al più 6 decimali.")
    return value.normalize(), ""


def _parse_allowance(raw: str) -> tuple[int | None, str]:
    text = raw.strip().replace(".", "")  # 1.000 as an Italian writes it
    if not text.isdigit() or len(text) > 7 or int(text) > MAX_ALLOWANCE:
        return None, gettext("Scrivi un numero intero da 0 a 1.000.000.")
    return int(text), ""


def _parse_day(raw: str) -> tuple[str | None, str]:
    """ISO (the date picker) or dd/mm/yyyy (typed), from 2020 to next year."""
    text = raw.strip()
    typed = _DAY.fullmatch(text)
    try:
        day = (
            date(int(typed[3]), int(typed[2]), int(typed[1])) if typed else date.fromisoformat(text)
        )
    except ValueError:
        day = None
    if day is None or not 2020 <= day.year <= date.today().year + 1:
        return None, gettext("Scrivi la data delle tariffe, per esempio 01/07/2025.")
    return day.isoformat(), ""


PARSERS = {  # each form field and how it is read
    **dict.fromkeys(RATE_FIELDS, _parse_rate),
    "service_allowance": _parse_allowance,
    "rates_date": _parse_day,
}


def parse_card(form: Any) -> tuple[RateCard | None, dict[str, str]]:
    """The rate card from the form, or each wrong field with a message in words."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in PARSERS.items():
        values[name], error = parse(form.get(name, ""))
        if error:
            errors[name] = error
    return (None, errors) if errors else (RateCard(**values), {})


async def _render(
    status: int = 200, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> Any:
    appliance = the_appliance()
    card = await pricing.rate_card(appliance.db)
    month = await pricing.month(appliance.db, card)
    language = _language()
    who = principal()
    return await page(
        "ops/costs.html",
        status,
        month=month,
        month_name=f"{gettext(MONTHS[month.start.month - 1])} {month.start.year}",
        zone=str(zone()),
        names=CATEGORY_NAMES,
        rate_labels=RATE_LABELS,
        rate_fields=RATE_FIELDS,
        euros=lambda v: pricing.euros(v, language),
        rate_text=_rate_text,
        percent=format_number(float(month.allowance_share * 100), language),
        rates_date=format_date(_noon(card.rates_date), language),
        source=pricing.SOURCE_URL,
        can_edit=who is not None and who.can("admin"),
        values=values or _form_values(card),
        errors=errors or {},
    )


@bp.get("")
@requires("viewer")
async def index() -> Any:
    """This month's messages by category, the estimate, the allowance and the rate card."""
    return await _render()


@bp.post("/rates")
@requires("admin")
async def save() -> Any:
    """Store a new rate card (admins only; one audit row naming each changed figure)."""
    form = await request.form
    card, errors = parse_card(form)
    if card is None:
        typed = {name: form.get(name, "") for name in PARSERS}
        return await _render(400, typed, errors)
    appliance = the_appliance()
    changed = await pricing.save_rate_card(appliance.db, card, actor(), client_address())
    await flash(gettext("Tariffe salvate.") if changed else gettext("Nessuna modifica."), "success")
    return redirect(url_for("costs.index"), 303)


TITLE = N_("Costi WhatsApp")


def _number(value: float) -> Callable[[str], str]:
    """A figure shown in the reader's number form."""
    return lambda language: format_number(value, language)


def _euros(value: Decimal) -> Callable[[str], str]:
    """A rate shown in the reader's currency form."""
    return lambda language: pricing.euros(value, language, RATE_DECIMALS)


def allowance_probe(db: Database) -> Probe:
    """The dashboard line: free service replies used this month, a warning from 80 %."""

    async def probe() -> Check:
        card = await pricing.rate_card(db)
        used = await pricing.service_used(db)
        allowance = card.service_allowance
        count = _number(used)
        if not allowance:
            return Check(
                "costs", OK, TITLE, N_("{count} risposte di servizio questo mese", count=count)
            )
        share = used / allowance
        value = N_(
            "{count} risposte di servizio gratuite usate su {allowance} questo mese ({share} %)",
            count=count,
            allowance=_number(allowance),
            share=_number(share * 100),
        )
        if share < float(pricing.WARN_SHARE):
            return Check("costs", OK, TITLE, value)
        rate = _euros(card.service)
        explanation = (
            N_(
                "La franchigia mensile è finita: oltre le {allowance} risposte di servizio "
                "gratuite ogni risposta costa {rate}. Vedere la pagina Costi per la stima del mese.",
                allowance=_number(allowance),
                rate=rate,
            )
            if used >= allowance
            else N_(
                "La franchigia mensile sta per finire: oltre le {allowance} risposte di servizio "
                "gratuite ogni risposta costa {rate}. Vedere la pagina Costi per la stima del mese.",
                allowance=_number(allowance),
                rate=rate,
            )
        )
        return Check("costs", WARN, TITLE, value, explanation)

    return probe
