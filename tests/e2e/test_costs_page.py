"""The Costi page in Chromium: readable at desktop and phone width in Italian and English,
the allowance warning, and a rate corrected after a typing mistake."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import LiveServer, assert_accessible, keep_screenshot, log_in
from tests.support.pricing import deliver, priced_status
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    running = RunningAppliance(make_config(tmp_path)).start()
    try:
        running.call(create_user(running.appliance.db, "admin", PASSWORD, "admin"))
        deliver(
            running,
            [priced_status("service", False) for _ in range(820)]
            + [priced_status("marketing", True) for _ in range(120)]
            + [priced_status("utility", n % 2 == 0) for n in range(40)],
        )
        yield LiveServer(running)
    finally:
        running.stop()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_costs_page_reads_well_and_refuses_a_wrong_rate(page: Page, server, axe, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, server, "admin")
    page.get_by_role("link", name="Costi").click()
    expect(page.get_by_role("heading", level=1, name="Costi")).to_be_visible()
    expect(page.locator("#allowance-warning")).to_contain_text("Usate 820 risposte di servizio")
    # 120 × 0,0572 + 20 × 0,0248 = 7,36 €
    expect(page.locator("#cost-total")).to_have_text("7,36 €")
    assert_accessible(axe, page)
    keep_screenshot(page, f"costs-it-{width}.png")

    page.get_by_label("Marketing, euro a messaggio").fill("sei centesimi")
    page.get_by_role("button", name="Salva le tariffe").click()
    expect(page.get_by_role("alert")).to_contain_text("non è un importo")
    expect(page.get_by_label("Marketing, euro a messaggio")).to_have_value("sei centesimi")
    assert_accessible(axe, page)
    keep_screenshot(page, f"costs-error-{width}.png")

    page.get_by_label("Marketing, euro a messaggio").fill("0,06")
    page.get_by_role("button", name="Salva le tariffe").click()
    expect(page.get_by_text("Tariffe salvate.")).to_be_visible()
    expect(page.locator("#cost-total")).to_have_text("7,70 €")
    assert server.rows("SELECT detail FROM audit_log WHERE target = 'cost_rates'") == [
        ("marketing: 0.0572 -> 0.06",)
    ]

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1, name="Costs")).to_be_visible()
    expect(page.locator("#cost-total")).to_have_text("€7.70")
    assert_accessible(axe, page)
    keep_screenshot(page, f"costs-en-{width}.png")
