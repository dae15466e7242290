"""In Chromium: audit details in the reader's language, the papers as pages, English labels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appliance.box.presses import OUTCOMES
from appliance.core import audit
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import assert_accessible, live_server, log_in
from tests.support.staff import add_user

pytestmark = pytest.mark.slow

HOSTILE = "<script>window.__x=1</script> *Comune* | di Prova"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningAppliance(make_config(tmp_path_factory.mktemp("words")))
    yield from live_server(running)


@pytest.fixture(scope="module", autouse=True)
def seeded(server):
    add_user(server.running, "admin", "admin")
    cooldown = audit.detail("cooldown_left", n=10)
    press = audit.detail(
        "press_more", outcome_words=OUTCOMES["cooldown"][0], held=3.2, more_detail=cooldown
    )

    async def seed(conn):
        await conn.execute(
            "INSERT INTO settings (key, value) VALUES ('town_data.display_name', ?)", (HOSTILE,)
        )
        for action, detail in (
            ("campaign.emergency", audit.detail("recipients", n=2)),
            ("emergency.press", press),
            ("emergency.finished", audit.detail("delivery", sent=2, failed=0, expired=0)),
            ("campaign.sent", "written before the change"),
        ):
            await audit.record_in(conn, "button", action, "emergenza_comune", detail)

    server.call(server.running.appliance.db.write(seed))


def test_the_audit_log_words_details_in_italian_then_english(page: Page, server, axe):
    log_in(page, server, "admin")
    page.goto(server.url + "/audit")
    expect(page.get_by_role("cell", name="2 destinatari", exact=True)).to_be_visible()
    expect(
        page.get_by_role("cell", name="consegnati al servizio 2, non riusciti 0, scaduti 0")
    ).to_be_visible()
    expect(page.get_by_text("(ancora 10 minuti di pausa), tenuto premuto 3,2 s")).to_be_visible()
    expect(page.get_by_role("cell", name="written before the change")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("cell", name="2 recipients", exact=True)).to_be_visible()
    expect(page.get_by_text("(10 more minutes of cool-down), held 3.2 s")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Italiano").click()


def test_a_paper_is_a_page_with_tables_and_the_hostile_name_as_typed(page: Page, server, axe):
    log_in(page, server, "admin")
    page.goto(server.url + "/settings/papers/registro_trattamenti")
    article = page.locator("article")
    expect(article.get_by_role("heading", level=2)).to_contain_text("Registro delle attività")
    expect(article.get_by_role("table")).to_be_visible()
    titolare = article.get_by_role("row").filter(has_text="Titolare")
    expect(titolare.get_by_role("cell").nth(1)).to_contain_text(HOSTILE)
    assert page.evaluate("window.__x") is None  # the name's script never ran
    assert article.locator("em", has_text=re.compile("^Comune$")).count() == 0
    assert_accessible(axe, page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(axe, page)
    page.get_by_role("button", name="English").click()
    expect(article.get_by_role("table")).to_be_visible()
    page.get_by_role("button", name="Italiano").click()


def test_editor_labels_and_template_purposes_in_english(page: Page, server, axe):
    log_in(page, server, "admin")
    page.goto(server.url + "/bot")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("group", name="Menu button")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Welcome and menu")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(server.url + "/studio/templates")
    expect(page.get_by_text("Emergency: the message of the emergency button")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Italiano").click()
    expect(page.get_by_text("Emergenza: il messaggio del pulsante d'emergenza")).to_be_visible()
