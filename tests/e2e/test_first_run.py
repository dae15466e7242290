"""First run in Chromium: the setup code is required, single use, expiring, attempts limited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts import setupcode
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import assert_accessible, live_server
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from live_server(RunningAppliance(make_config(tmp_path_factory.mktemp("first"))))


def fill_setup(page: Page, code: str, username: str = "sindaco") -> None:
    page.get_by_label("Codice di configurazione").fill(code)
    page.get_by_label("Nome utente dell'amministratore").fill(username)
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_label("Ripeti la password").fill(PASSWORD)
    page.get_by_role("button", name="Crea l'amministratore").click()


def test_first_run_with_wrong_expired_and_reused_codes(page: Page, server, axe, browser):
    code = server.call(setupcode.issue(server.running.appliance.db))  # `appliance setup-code`
    page.goto(server.url + "/")
    expect(page.get_by_role("heading", name="Prima configurazione")).to_be_visible()
    assert_accessible(axe, page)

    fill_setup(page, "ABCD-EFGH-JKMN")
    expect(page.locator("#setup-error")).to_have_text("Codice di configurazione errato.")
    assert_accessible(axe, page)

    db = server.running.appliance.db
    server.call(db.execute("UPDATE setup_codes SET expires_at = '2000-01-01T00:00:00.000Z'"))
    fill_setup(page, code)
    expect(page.locator("#setup-error")).to_contain_text("Il codice è scaduto.")

    # After expiry the technician asks for a fresh code (`appliance setup-code`).
    fresh = server.call(setupcode.issue(db))
    elsewhere = browser.new_context()  # somebody else on the LAN has the form open too
    other_tab = elsewhere.new_page()
    other_tab.goto(server.url + "/setup")
    fill_setup(page, fresh)
    expect(page.get_by_role("status")).to_contain_text("L'account amministratore è stato creato.")
    expect(page.get_by_role("heading", level=1, name="Cruscotto")).to_be_visible()

    fill_setup(other_tab, fresh, username="intruso")
    expect(other_tab.get_by_role("status")).to_contain_text("Il sistema è già configurato")
    expect(other_tab.get_by_role("heading", name="Accesso")).to_be_visible()
    elsewhere.close()
    assert server.rows("SELECT username, role FROM users") == [("sindaco", "admin")]
    actions = [
        a
        for (a,) in server.rows(
            "SELECT action FROM audit_log WHERE action LIKE 'setup.%' ORDER BY id"
        )
    ]
    assert actions == ["setup.failed", "setup.failed", "setup.completed"]
