"""Demo controls in Chromium: press-and-hold button with the LED, a failed delivery, an alert."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appliance.demo import DEMO_LOGIN
from tests.support.appliance import RunningAppliance
from tests.support.browser import assert_accessible, log_in
from tests.support.demo import GIULIA, demo_config, ready_demo

pytestmark = pytest.mark.slow

ROSA = "390000019003"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo-controls")
    yield from ready_demo(RunningAppliance(demo_config(data, emergency={"cooldown_seconds": 0})))


def controls(page: Page, server) -> None:
    page.goto(server.url + "/demo/controls")
    expect(page.get_by_role("heading", level=1, name="Controlli della demo")).to_be_visible()


def test_short_press_sends_nothing_long_keyboard_press_sends_the_drill(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    controls(page, server)
    assert_accessible(axe, page)
    led = page.locator("#led")
    # The drawn LED plays the real pattern: it lights and goes dark by itself.
    expect(led).to_have_class(re.compile("demo-led-on"), timeout=5000)
    expect(led).not_to_have_class(re.compile("demo-led-on"), timeout=5000)

    hold = page.get_by_role("button", name="Tieni premuto")
    hold.hover()
    page.mouse.down()
    page.wait_for_timeout(500)
    page.mouse.up()
    expect(page.locator("#hold-status")).to_contain_text("troppo presto")

    hold.focus()
    page.keyboard.down("Space")
    expect(page.locator("#hold-status")).to_contain_text("Tieni premuto… ancora 2 s")
    expect(page.locator("#hold-status")).to_contain_text("riconosciuta", timeout=6000)
    page.keyboard.up("Space")
    expect(page.locator("#hold-status")).to_contain_text("il messaggio di emergenza parte")

    # Test mode: the drill (the template alone) reaches the demo phone, drawn with its value
    # as the citizen reads it, below what the phone had before.
    phone(page, server)
    urgent = page.locator(".wa-theirs").last
    expect(urgent).to_contain_text(
        "Comunicazione urgente del Comune: esondazione del torrente Imagna", timeout=20_000
    )
    expect(urgent.locator(".wa-ticks-read")).to_be_visible(timeout=15_000)
    counted = server.rows("SELECT count(*) FROM emergency_presses WHERE counted = 1")[0][0]
    assert counted == 1


def phone(page: Page, server, number: str = GIULIA) -> None:
    page.goto(f"{server.url}/demo/phone?number={number}")


def test_failed_delivery_shows_on_the_phone(page: Page, server):
    log_in(page, server, *DEMO_LOGIN)
    controls(page, server)
    page.get_by_role("listitem").filter(has_text="Rosa Inventata").get_by_role(
        "button", name="Fai fallire la consegna"
    ).click()
    expect(page.get_by_role("button", name="Torna a consegnare")).to_be_visible()
    phone(page, server, ROSA)
    page.get_by_label("Messaggio", exact=True).fill("AIUTO")
    page.keyboard.press("Enter")
    expect(page.locator(".wa-failed").last).to_contain_text("Non consegnato", timeout=20_000)


def test_orange_alert_from_the_recorded_bulletin(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    controls(page, server)
    page.get_by_role("button", name="Simula allerta arancione").click()
    expect(page.get_by_role("heading", level=1, name="Allerte")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Bollettino simulato: 1")
    assert server.rows(
        "SELECT count(*) FROM alert_events WHERE new_level = 2 AND lane = 'auto'"
    ) == [(1,)]
    assert_accessible(axe, page)
