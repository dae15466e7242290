"""The dead-letter page in Chromium: readable at desktop and phone width, each press sent once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import LiveServer, assert_accessible, keep_screenshot, log_in
from tests.support.deadletters import park
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path):
    running = RunningAppliance(make_config(tmp_path)).start()
    try:
        running.call(create_user(running.appliance.db, "admin", PASSWORD, "admin"))
        park(running, 3)
        yield LiveServer(running)
    finally:
        running.stop()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_page_reads_well_and_a_retry_is_sent_once(page: Page, server, axe, width, height):
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, server, "admin")
    page.get_by_role("link", name="Apri le notifiche non elaborate (3)").click()
    expect(page.get_by_role("heading", level=1, name="Notifiche non elaborate")).to_be_visible()
    expect(
        page.get_by_text("Non riuscito: la risposta al cittadino (il disco era pieno).")
    ).to_have_count(3)
    assert_accessible(axe, page)
    keep_screenshot(page, f"deadletters-{width}.png")

    # Count the form submissions and keep the page (the navigation would hide the state).
    page.evaluate(
        """() => { window.submits = 0; document.addEventListener("submit", (e) => {
            window.submits += 1; e.preventDefault(); }); }"""
    )
    button = (
        page.get_by_role("listitem")
        .filter(has_text="393330000001")
        .get_by_role("button", name="Riprova")
    )
    button.click()
    expect(button).to_be_disabled()
    button.click(force=True)  # a second, impatient press
    expect(button).to_be_disabled()
    assert page.evaluate("window.submits") == 1
    keep_screenshot(page, f"deadletters-pressed-{width}.png")
