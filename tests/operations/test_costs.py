"""The Costi page over real sockets: counts from the pricing Meta's statuses carry, the estimate
from an edited rate card, the free service allowance and its warning, the town's month."""

from __future__ import annotations

import html
import re
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from appliance.cloudapi import pricing
from appliance.core import formats
from tests.support.db import rows
from tests.support.pricing import deliver, priced_status
from tests.support.staff import add_user, login

pytestmark = pytest.mark.slow

# The rate card as an admin would type it, Meta's defaults in Italian format.
DEFAULTS = {"marketing": "0,0572", "utility": "0,0248", "authentication": "0,0248"}
DEFAULTS |= {"service": "0,0248", "service_allowance": "1000", "rates_date": "01/07/2025"}


def _cell(page: str, row: str) -> list[str]:
    """The cells of one category's row, as text."""
    part = page.split(f'id="cost-{row}"')[1].split("</tr>")[0]
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", part)]


def test_the_page_counts_this_months_messages_by_category_from_the_stored_pricing(running):
    add_user(running, "clerk", "viewer")
    deliver(
        running,
        [priced_status("marketing", True) for _ in range(3)]
        + [priced_status("utility", True), priced_status("utility", False)]
        + [priced_status("authentication_international", True)]
        + [priced_status("service", False) for _ in range(4)]
        + [
            priced_status("referral_conversion", False)
        ],  # a free entry point: no price, no allowance
    )
    with closing(login(running, "clerk")) as http:
        page = http.get("/costs").text
    assert _cell(page, "marketing")[:2] == ["3", "3"]
    assert _cell(page, "utility")[:2] == ["2", "1"]
    assert _cell(page, "authentication")[:2] == ["1", "1"]
    assert _cell(page, "service")[:2] == ["4", "0"]  # free within the allowance
    assert 'id="cost-charged">5<' in page
    # 3 × 0,0572 + 1 × 0,0248 + 1 × 0,0248 = 0,2212 → 0,22 €
    assert 'id="cost-total">0,22 €<' in page
    assert "in vigore dal 01/07/2025" in page
    assert "Solo un amministratore può cambiare le tariffe." in page
    assert 'action="/costs/rates"' not in page


def test_an_admin_edits_the_rate_card_and_the_estimate_follows_audited(running):
    add_user(running, "boss", "admin")
    deliver(running, [priced_status("marketing", True) for _ in range(10)])
    with closing(login(running, "boss")) as http:
        form = {**DEFAULTS, "marketing": "0,1", "utility": "0.03", "authentication": "0,03 €"}
        form |= {"service": "0,03", "rates_date": "2026-10-01"}
        saved = http.post("/costs/rates", data=form)
        assert saved.status_code == 303
        page = http.get("/costs").text
        assert 'id="cost-total">1,00 €<' in page and "Tariffe salvate." in page
        assert _cell(page, "marketing")[2:] == ["1,00 €"] and "0,1000 € l&#39;uno" in page
        assert "in vigore dal 01/10/2026" in page
        assert 'value="0,1000"' in page  # the form shows the saved figure in Italian
        again = http.post("/costs/rates", data=form)
        assert "Nessuna modifica." in http.get(again.headers["location"]).text
    audited = rows(
        running, "SELECT actor, action, target, detail FROM audit_log WHERE target = 'cost_rates'"
    )
    assert audited == [
        (
            "boss",
            "settings.changed",
            "cost_rates",
            "marketing: 0.0572 -> 0.1; utility: 0.0248 -> 0.03; authentication: 0.0248 -> 0.03;"
            " service: 0.0248 -> 0.03; rates_date: 2025-07-01 -> 2026-10-01",
        )
    ]
    card = running.call(pricing.rate_card(running.appliance.db))
    assert card.marketing == Decimal("0.1") and card.rates_date == "2026-10-01"


def test_only_an_admin_may_change_the_rates(running):
    add_user(running, "op", "operator")
    with closing(login(running, "op")) as http:
        assert http.get("/costs").status_code == 200
        refused = http.post("/costs/rates", data={"marketing": "0"})
        assert refused.status_code == 403
    assert rows(running, "SELECT count(*) FROM settings WHERE key LIKE 'cost_rates.%'") == [(0,)]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("marketing", "-0,05", "La tariffa non può essere negativa."),
        ("utility", "due centesimi", "«due centesimi» non è un importo"),
        ("service", "123456789", "Al massimo 1 € a messaggio"),
        ("authentication", "5", "Al massimo 1 € a messaggio"),
        ("marketing", "", "Scrivi un importo in euro"),
        ("service_allowance", "mille", "Scrivi un numero intero da 0 a 1.000.000."),
        ("service_allowance", "9" * 5000, "Scrivi un numero intero da 0 a 1.000.000."),
        ("marketing", "0," + "5" * 5000, "Al massimo 1 € a messaggio"),
        ("rates_date", "31/02/2026", "Scrivi la data delle tariffe"),
    ],
)
def test_a_wrong_figure_is_refused_with_a_clear_message(running, field, typed, message):
    add_user(running, "boss", "admin")
    form = {**DEFAULTS, field: typed}
    with closing(login(running, "boss")) as http:
        refused = http.post("/costs/rates", data=form)
    assert refused.status_code == 400
    text = html.unescape(refused.text)
    assert message in text and f'id="f-{field}-error"' in text and 'aria-invalid="true"' in text
    assert f'value="{html.escape(typed)}"' in refused.text or not typed  # what was typed stays
    assert rows(running, "SELECT count(*) FROM settings WHERE key LIKE 'cost_rates.%'") == [(0,)]


def test_the_allowance_warns_at_800_of_1000_on_the_page_and_the_dashboard(running):
    add_user(running, "boss", "admin")
    deliver(running, [priced_status("service", False) for _ in range(799)])
    with closing(login(running, "boss")) as http:
        assert 'id="allowance-warning"' not in http.get("/costs").text
        assert "799 risposte di servizio gratuite usate su 1.000 questo mese" in http.get("/").text
        deliver(running, [priced_status("service", False)])
        page = http.get("/costs").text
        assert 'id="allowance-warning"' in page
        assert "Usate 800 risposte di servizio gratuite su 1.000 questo mese (80 %)." in page
        dashboard = html.unescape(http.get("/").text)
    line = dashboard.split("Costi WhatsApp")[1].split("</li>")[0]
    assert "check-warn" in dashboard.split("Costi WhatsApp")[0].rsplit("<li", 1)[1]
    assert "800 risposte di servizio gratuite usate su 1.000 questo mese (80 %)" in line
    assert "La franchigia mensile sta per finire" in line and "0,0248 €" in line


def test_replies_past_the_allowance_are_estimated_at_the_service_rate(running):
    add_user(running, "boss", "admin")
    with closing(login(running, "boss")) as http:
        form = {**DEFAULTS, "service": "0,5", "service_allowance": "2"}
        assert http.post("/costs/rates", data=form).status_code == 303
        deliver(running, [priced_status("service", False) for _ in range(5)])
        page = http.get("/costs").text
        dashboard = html.unescape(http.get("/").text)
    assert _cell(page, "service")[1:] == ["3", "1,50 €"]  # 3 past the 2 free, at 0,5 €
    assert "La franchigia mensile è finita" in dashboard


def test_the_month_starts_at_midnight_in_rome_not_in_utc(running):
    add_user(running, "boss", "admin")
    start, _ = pricing.month_bounds()
    assert start.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    deliver(
        running,
        [
            priced_status("marketing", True, start - timedelta(minutes=30)),  # last month, in Rome
            priced_status(
                "marketing", True, start + timedelta(minutes=30)
            ),  # same UTC day as above
        ],
    )
    with closing(login(running, "boss")) as http:
        page = http.get("/costs").text
    assert _cell(page, "marketing")[:2] == ["1", "1"]
    month = formats.to_local(start.timestamp())
    assert month.day == 1 and month.hour == 0


@pytest.mark.fast
def test_month_bounds_follow_the_town_clock_across_summer_time():
    formats.set_zone("Europe/Rome")
    start, end = pricing.month_bounds(datetime(2026, 3, 31, 22, 30, tzinfo=UTC))  # 1 Apr, 00:30
    assert (start.month, start.day, start.hour) == (4, 1, 0)
    assert start.astimezone(UTC) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # summer time
    assert end.astimezone(UTC) == datetime(2026, 4, 30, 22, 0, tzinfo=UTC)
    december, january = pricing.month_bounds(datetime(2026, 12, 15, tzinfo=UTC))
    assert (january.year, january.month) == (2027, 1)
    assert december.astimezone(UTC) == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)


@pytest.mark.fast
def test_a_campaign_estimate_counts_templates_and_replies_past_the_allowance():
    card = pricing.DEFAULT_CARD
    cost = pricing.campaign_cost(card, "MARKETING", 100, 50, service_so_far=980)
    assert cost.euros == Decimal("0.0572") * 100 + Decimal("0.0248") * 30
    assert pricing.campaign_cost(card, "UTILITY", 10, 5, 0).euros == Decimal("0.248")
    assert pricing.euros(Decimal("1234.5")) == "1.234,50 €"
    assert pricing.euros(Decimal("1234.5"), "en") == "€1,234.50"
