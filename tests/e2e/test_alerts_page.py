"""The Alerts page in Chromium: a pending change from the fake publisher, approval, audit, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from appliance.feeds.alerts import ALERTS
from tests.support.appliance import RunningAppliance
from tests.support.browser import LiveServer, assert_accessible, log_in
from tests.support.fakefeeds import FakeFeeds
from tests.support.feeds import feeds_config, live_cap
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def feeds():
    server = FakeFeeds().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, feeds):
    live_cap(feeds)  # valid now in real time, so the broadcast engine prepares its campaign
    config = feeds_config(tmp_path_factory.mktemp("alerts"), feeds, alert_sources=["cap"])
    running = RunningAppliance(config)
    running.start()
    try:
        for role in ("operator", "editor"):
            running.call(create_user(running.appliance.db, role, PASSWORD, role))
        yield LiveServer(running)
    finally:
        running.stop()


def test_editor_reads_operator_approves_and_the_audit_log_shows_it(page: Page, server, axe):
    monitor = server.running.appliance.parts[ALERTS]
    [change] = server.call(monitor.poll_now("cap"))
    heading = "🟡 Nuova allerta – temporali: allerta gialla"

    log_in(page, server, "editor")
    page.goto(server.url + "/alerts")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("button", name="Approva")).to_have_count(0)
    page.get_by_text("Testo per i cittadini e dati della fonte").click()
    expect(page.get_by_text('"severity": "Moderate"')).to_be_visible()
    assert_accessible(axe, page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Esci").click()

    log_in(page, server, "operator")
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Allerte"
    ).click()
    article = page.get_by_role("article", name=heading)
    expect(article.get_by_text("IM-06 Orobie bergamasche", exact=True)).to_be_visible()
    assert_accessible(axe, page)
    article.get_by_role("button", name="Approva e invia").click()
    expect(page.get_by_role("status").filter(has_text="Allerta approvata")).to_be_visible()
    expect(page.get_by_text("Nessuna allerta in questo elenco.")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Inviate").click()
    expect(page.get_by_role("article", name=heading)).to_be_visible()
    expect(page.get_by_role("button", name="Scarta")).to_have_count(0)
    assert_accessible(axe, page)
    assert server.call(monitor.get(change.key)).status == "sent"

    page.goto(server.url + "/audit")
    row = page.get_by_role("row").filter(has_text="Allerta approvata")
    expect(row).to_contain_text("operator")
    expect(row).to_contain_text(change.key)
