"""The Emergency page in Chromium, in demo mode: arm by keyboard, virtual presses, LED, axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appliance.box.launcher import LAUNCHER
from appliance.core.config import load_config
from appliance.demo import DEMO_LOGIN, prepare_demo_config
from appliance.demo.parts import SIMULATOR
from tests.support.appliance import RunningAppliance
from tests.support.browser import assert_accessible, live_server, log_in
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

HOLD = 1.0
STAFF = ["+393331234567", "+393337654321"]
# Every Graph answer of the simulator waits this long: the send stays visible as "sending".
LATENCY = 4.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("emergency-demo")
    plain = load_config(
        None,
        environ={},
        overrides={
            "server": {"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0"},
            "database": {"path": str(data / "demo.db")},
            "zeroconf": {"enabled": False},
            "feeds": {"alerts_enabled": False, "weather_url": "http://127.0.0.1:9/f"},
            "gpio": {"hold_seconds": HOLD},
            "emergency": {"test_numbers": STAFF},
        },
    )
    yield from live_server(RunningAppliance(prepare_demo_config(plain, str(data))))


def wait_for_text(
    page: Page, url: str, pattern: str, where: str = "#led", timeout: float = 45.0
) -> str:
    """Reload ``url`` until the section ``where`` matches ``pattern``; return its text."""

    # The button's events reach the loop after the press: the page may render just before.
    def shown() -> str | None:
        page.goto(url)
        text = page.locator(where).inner_text()
        return text if re.search(pattern, text) else None

    return wait_until(shown, timeout, what=f"{where} to show {pattern!r}", interval=0.5)


def presses(server) -> list[tuple]:
    return server.rows("SELECT outcome, counted FROM emergency_presses ORDER BY id")


def test_arm_by_keyboard_then_short_and_long_virtual_presses(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Emergenza"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Emergenza")).to_be_visible()
    expect(page.get_by_text("Nessun messaggio pronto: premendo il pulsante")).to_be_visible()
    # No template yet: the page leads to the ready-made one instead of "Meta's panel".
    expect(
        page.get_by_role("link", name=re.compile("modello pronto «emergenza_comune»"))
    ).to_have_attribute("href", "/studio/templates")
    # The LED is drawn, with the pattern's name for screen readers.
    expect(page.locator("#led svg[role=img]")).to_have_attribute("aria-label", re.compile(".+"))
    assert_accessible(axe, page)

    # The demo's simulator knows the default approved templates once the list is read.
    page.get_by_role("button", name="Aggiorna l'elenco dei modelli da Meta").click()
    expect(page.get_by_role("status").filter(has_text="Modelli letti da Meta")).to_be_visible()

    # Arm with the keyboard only: the select, the parameters, the drill box, then Enter.
    template = page.get_by_label("Modello approvato (categoria UTILITY)")
    template.focus()
    for _ in range(10):
        if template.input_value() == "emergenza|it":
            break
        page.keyboard.press("ArrowDown")
    assert template.input_value() == "emergenza|it"
    page.keyboard.press("Tab")
    expect(page.get_by_label("Valori dei segnaposto")).to_be_focused()
    page.keyboard.type("esercitazione di protezione civile")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Messaggio di seguito (facoltativo)")).to_be_focused()
    page.keyboard.press("Tab")
    drill = page.get_by_label(re.compile("Modalità prova: invia solo"))
    expect(drill).to_be_focused()
    page.keyboard.press("Space")
    expect(drill).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Prepara il messaggio", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("Messaggio di emergenza pronto: il pulsante ora lo invia.")
    ).to_be_visible()
    expect(
        page.get_by_text("attiva: invio solo ai 2 numeri di prova del personale")
    ).to_be_visible()
    # The exact text the citizen will get, placeholders filled in.
    expect(page.locator(".bubble-exact").first).to_have_text(
        "Comunicazione urgente del Comune: esercitazione di protezione civile"
    )
    assert_accessible(axe, page)

    # A short press is recorded and ignored: nothing is launched.
    url = server.url + "/emergency"
    # The virtual button is pressed and held (here by keyboard): let go early, a short press.
    hold = page.get_by_role("button", name="Tieni premuto per inviare")
    expect(page.get_by_role("button", name="Pressione breve")).to_be_hidden()
    hold.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    wait_for_text(page, url, "pressione breve, ignorata", where="#presses")
    assert presses(server) == [("short", 0)]
    assert server.rows("SELECT COUNT(*) FROM campaigns") == [(0,)]

    launcher = LAUNCHER in server.running.appliance.parts
    if launcher:
        server.running.appliance.parts[SIMULATOR].state.faults.latency = LATENCY
        try:
            _hold_long(page)
            wait_for_text(page, url, "lampeggio veloce")
            assert_accessible(axe, page)
        finally:
            server.running.appliance.parts[SIMULATOR].state.faults.latency = 0.0
        text = wait_for_text(page, url, "tre lampi lunghi")
        assert "Emergenza inviata: 2 consegnati" in text
        expect(page.get_by_text(re.compile("Pulsante in pausa per altri"))).to_be_visible()
        assert presses(server)[-1] == ("finished", 1)
        sent = [e["to"] for e in server.running.appliance.parts[SIMULATOR].state.accepted]
        assert sorted(sent) == sorted(n.lstrip("+") for n in STAFF)
    else:
        _hold_long(page)
        text = wait_for_text(page, url, "triplo lampo breve")
        assert "non è disponibile" in text
        assert presses(server)[-1] == ("unavailable", 1)
    assert_accessible(axe, page)
    page.goto(server.url + "/audit")
    expect(page.get_by_role("cell", name="Emergenza: messaggio preparato")).to_be_visible()
    # The press's details in words, as the clerk reads them (stored as a key and values).
    expect(
        page.get_by_role("cell", name=re.compile(r"^pressione breve, ignorata, tenuto premuto"))
    ).to_be_visible()
    expect(
        page.get_by_role("cell", name="lingua it, un segnaposto, modalità prova")
    ).to_be_visible()


def _hold_long(page: Page) -> None:
    """Hold the virtual button down until its progress completes and the page sends."""
    page.get_by_role("button", name="Tieni premuto per inviare").focus()
    with page.expect_navigation():
        page.keyboard.down("Space")  # the script submits once the hold time has passed
    page.keyboard.up("Space")


def test_english_page_and_phone_width_pass_axe(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    page.goto(server.url + "/emergency")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1, name="Emergency")).to_be_visible()
    page.set_viewport_size({"width": 360, "height": 740})
    assert_accessible(axe, page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Italiano").click()


def test_test_numbers_are_added_and_removed_on_the_page_by_keyboard(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    page.goto(server.url + "/emergency#test-numbers")
    section = page.locator("section.test-numbers")
    expect(section.get_by_text("Elenco dal file di configurazione")).to_be_visible()
    for number in STAFF:
        expect(section.get_by_role("listitem").filter(has_text=number)).to_be_visible()
    field = page.get_by_label("Nuovo numero di prova")
    field.fill("12 ab")
    field.press("Enter")
    expect(page.get_by_text("«12 ab» non sembra un numero italiano").first).to_be_visible()
    expect(page.get_by_label("Nuovo numero di prova")).to_have_attribute("aria-invalid", "true")
    assert_accessible(axe, page)
    field = page.get_by_label("Nuovo numero di prova")
    field.fill("347 000 0042")
    field.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Numero di prova aggiunto.")).to_be_visible()
    expect(section.get_by_text("Elenco salvato in questa pagina")).to_be_visible()
    expect(section.get_by_role("listitem").filter(has_text="+393470000042")).to_be_visible()
    assert len(section.get_by_role("listitem").all()) == 3
    section.get_by_role("button", name=f"Togli {STAFF[0]}").press("Enter")
    expect(page.get_by_role("status").filter(has_text="Numero di prova tolto.")).to_be_visible()
    expect(section.get_by_role("listitem").filter(has_text=STAFF[0])).to_have_count(0)
    assert_accessible(axe, page)
    page.get_by_role("button", name="English").click()
    expect(section.get_by_text("List saved on this page")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Italiano").click()
    numbers = server.rows("SELECT value FROM settings WHERE key = 'emergency.test_numbers'")
    assert numbers == [(f'["{STAFF[1]}", "+393470000042"]',)]
    server.call(
        server.running.appliance.db.execute(
            "DELETE FROM settings WHERE key = 'emergency.test_numbers'"
        )
    )
