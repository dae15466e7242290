"""Browser tests (Chromium): bot editor, subscriber detail with a hostile name, inbox reply; axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from tests.support.browser import LiveServer, assert_accessible, log_in
from tests.support.citizen import Citizen, conversation_config, start_appliance, text_of
from tests.support.simulator import RunningSimulator
from tests.support.staff import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HOSTILE = '<script>window.__xss = 1</script>"><img src=x onerror="window.__xss = 1">'


@pytest.fixture(scope="module")
def sim():
    simulator = RunningSimulator(review_seconds=0.2).start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, sim):
    running = start_appliance(conversation_config(tmp_path_factory.mktemp("ui"), sim), sim)
    try:
        for role in ("admin", "operator", "editor"):
            running.call(create_user(running.appliance.db, role, PASSWORD, role))
        yield LiveServer(running)
    finally:
        running.stop()


def test_bot_editor_changes_a_text(page: Page, server, axe):
    log_in(page, server, "editor")
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Bot"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Editor del bot")).to_be_visible()
    assert_accessible(axe, page)
    field = page.locator("#t-menu_3-it")
    field.fill("Il sito del paese")
    page.get_by_role("button", name="Salva: Benvenuto e menu").click()
    expect(page.get_by_role("status")).to_contain_text("Testi salvati: 1")
    expect(page.locator("#t-menu_3-it")).to_have_value("Il sito del paese")
    expect(page).to_have_url(re.compile("/bot#welcome$"))  # back at the section just saved
    # The bubble beside the text follows the typing, {comune} as the town's name.
    page.locator("#t-welcome-it").fill("Ciao da {comune}!")
    expect(page.locator("#t-welcome-it-preview")).to_have_text("Ciao da Rota d'Imagna!")
    # Another section's form carries only its own texts: saving it leaves the first alone.
    page.get_by_role("button", name="Salva: Iscrizione").click()
    expect(page.get_by_role("status")).to_contain_text("Nessuna modifica")
    page.locator("#t-menu_3-it").fill("x" * 30)
    page.get_by_role("button", name="Salva: Benvenuto e menu").click()
    expect(page.get_by_role("alert")).to_contain_text("Al massimo 24 caratteri")
    expect(page.locator("#t-menu_3-it")).to_have_attribute("aria-invalid", "true")
    assert_accessible(axe, page)


def test_subscriber_detail_shows_a_hostile_name_as_text(page: Page, server, sim, axe):
    citizen = Citizen(sim, "393334440001", name=HOSTILE)
    citizen.send("Rota")
    citizen.reply()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(page, server, "admin")
    page.get_by_role("link", name="Iscritti").click()
    assert_accessible(axe, page)
    page.get_by_role("link", name="393334440001").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("393334440001")
    expect(page.locator("dl.facts")).to_contain_text(HOSTILE)
    assert page.evaluate("window.__xss") is None and not dialogs
    assert_accessible(axe, page)
    page.goto(server.url + "/subscribers/retention")
    assert_accessible(axe, page)
    page.goto(server.url + "/subscribers/import")
    assert_accessible(axe, page)


def test_inbox_reply_reaches_the_citizen(page: Page, server, sim, axe):
    citizen = Citizen(sim, "393334440002", name="Giulia")
    citizen.send("Buongiorno, quando apre la biblioteca?")
    citizen.reply()
    log_in(page, server, "operator")
    page.get_by_role("link", name="Messaggi").click()
    expect(page.get_by_role("heading", level=1, name="Messaggi in arrivo")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Giulia").click()
    question = page.get_by_role("region", name="La domanda in attesa")
    expect(question).to_contain_text("Buongiorno, quando apre la biblioteca?")
    assert_accessible(axe, page)
    page.get_by_label("Risposta", exact=True).fill("Martedì e giovedì dalle 15 alle 18.")
    page.get_by_role("button", name="Invia la risposta").click()
    expect(page.get_by_role("status")).to_contain_text("Risposta inviata")
    assert text_of(citizen.reply()) == "Martedì e giovedì dalle 15 alle 18."


def test_every_conversation_page_fits_a_phone(page: Page, server, axe):
    log_in(page, server, "admin")
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/bot", "/inbox", "/subscribers", "/subscribers/import", "/subscribers/retention"):
        page.goto(server.url + path)
        assert_accessible(axe, page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
