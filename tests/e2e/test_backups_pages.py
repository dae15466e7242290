"""Backups and webhook self-test pages in Chromium: back up, list, typed confirmation, axe."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Page, expect

from appliance.accounts.users import create_user
from appliance.backups.backup import init_key
from appliance.backups.pending import pending_restore
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import LiveServer, assert_accessible, log_in
from tests.support.staff import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("backups")
    config = make_config(
        data,
        backup={"dir": str(data / "backups"), "key_file": str(data / "backup.key")},
        feeds={"weather_url": "http://127.0.0.1:9/forecast", "alerts_enabled": False},
    )
    init_key(config)
    running = RunningAppliance(config)
    # A confirmed restore would stop the process; here it only raises a flag.
    restarts = threading.Event()
    running.appliance.lan.extensions["backups.restart"] = restarts.set
    running.start()
    try:
        running.call(create_user(running.appliance.db, "admin", PASSWORD, "admin"))
        live = LiveServer(running)
        live.restarts = restarts
        yield live
    finally:
        running.stop()


def test_back_up_list_and_a_wrong_confirmation_word_is_refused(page: Page, server, axe):
    log_in(page, server, "admin")
    page.goto(server.url + "/settings/backups")
    expect(page.get_by_text("Nessun backup.", exact=True)).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("button", name="Fai un backup ora").click()
    expect(page.get_by_role("status").filter(has_text="Backup creato")).to_be_visible()
    table = page.get_by_role("table", name="Backup su questo dispositivo")
    expect(table.get_by_role("row")).to_have_count(2)  # header and one backup
    expect(table.get_by_role("link", name="Scarica")).to_be_visible()
    assert_accessible(axe, page)

    table.get_by_role("button", name="Ripristina…").click()
    expect(page.get_by_role("heading", level=1, name="Confermare il ripristino")).to_be_visible()
    assert_accessible(axe, page)
    assert pending_restore(server.running.config) is not None

    page.get_by_label("Scrivere RIPRISTINA per confermare").fill("RIPRISTINO")
    page.get_by_role("button", name="Ripristina e riavvia").click()
    expect(page.get_by_role("alert")).to_have_text("Scrivere RIPRISTINA per confermare")
    expect(page.get_by_label("Scrivere RIPRISTINA per confermare")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert_accessible(axe, page)
    assert not server.restarts.is_set()
    assert server.rows(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'backup.restore_requested'"
    ) == [(0,)]

    page.get_by_role("button", name="Annulla", exact=True).click()
    expect(page.get_by_text("Ripristino annullato")).to_be_visible()
    assert pending_restore(server.running.config) is None
    assert_accessible(axe, page)


def test_webhook_self_test_page_and_its_outcome_pass_axe(page: Page, server, axe):
    log_in(page, server, "admin")
    page.goto(server.url + "/selftest")
    expect(page.get_by_role("heading", level=1, name="Prova del webhook")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Prova il webhook").click()
    expect(page.locator(".notice")).to_be_visible(timeout=30_000)
    assert_accessible(axe, page)
