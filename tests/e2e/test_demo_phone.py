"""The demo in Chromium: login hint, five-minute guide, the WhatsApp-like phone, axe clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from appliance.cloudapi.client import CLOUDAPI
from appliance.cloudapi.messages import Media
from appliance.demo import DEMO_LOGIN
from appliance.demo.parts import SIMULATOR
from tests.support.appliance import RunningAppliance
from tests.support.browser import assert_accessible, log_in
from tests.support.demo import GIULIA, MARCO, demo_config, ready_demo
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

HOSTILE = (
    '*Grassetto* _corsivo_ <script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
)
MEDIA = Path(__file__).resolve().parents[2] / "appliance" / "demo" / "data" / "media"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("demo-phone")
    yield from ready_demo(RunningAppliance(demo_config(data)))


def phone(page: Page, server, number: str) -> None:
    page.goto(f"{server.url}/demo/phone?number={number}")
    expect(page.get_by_role("heading", level=1, name="Telefono dimostrativo")).to_be_visible()


def test_login_page_shows_the_demo_login_and_the_dashboard_the_guide(page: Page, server, axe):
    page.goto(server.url + "/login")
    hint = page.locator("#demo-login")
    expect(hint).to_contain_text(DEMO_LOGIN[0])
    expect(hint).to_contain_text(DEMO_LOGIN[1])
    assert_accessible(axe, page)
    log_in(page, server, *DEMO_LOGIN)
    guide = page.get_by_role("region", name="Prova in cinque minuti")
    links = guide.get_by_role("link")
    expect(links).to_have_count(4)
    # The sample town is green except the drill mode shown on purpose.
    expect(page.get_by_text("5 approvati")).to_be_visible()
    expect(page.get_by_text("aggiornato ora")).to_be_visible()
    # Green except the drill mode of the armed emergency, shown on purpose (and the LED saying so).
    titles = page.locator(".checks > li:not(.check-ok) .check-title").all_inner_texts()
    assert [t.split()[0] for t in titles] == ["Pulsante", "Spia"], titles
    assert_accessible(axe, page)
    links.first.click()
    expect(page.get_by_role("heading", name=re.compile("Comune di Rota"))).to_be_visible()


def test_chat_bubbles_formatting_escaping_lists_and_ticks(page: Page, server, axe):
    log_in(page, server, *DEMO_LOGIN)
    phone(page, server, GIULIA)
    menu = page.locator(".wa-theirs .wa-text", has_text="Benvenuto").first
    # Line breaks kept: the menu reads one option per line.
    assert re.search(r"\n\s*1 Previsioni meteo", menu.inner_text())
    assert_accessible(axe, page)

    page.get_by_label("Messaggio", exact=True).fill(HOSTILE)
    page.keyboard.press("Enter")
    mine = page.locator(".wa-mine .wa-text").last
    expect(mine).to_contain_text("<script>window.pwned=1</script>")
    expect(mine.locator("strong")).to_have_text("Grassetto")
    expect(mine.locator("em")).to_have_text("corsivo")
    assert page.evaluate("window.pwned") is None
    assert mine.locator("img, script").count() == 0

    # The list message: its button opens the rows, a row answers as a list reply.
    page.locator(".wa-list summary").last.click()
    page.locator(".wa-sheet .wa-row-choice").filter(has_text="meteo").first.click()
    forecast = page.locator(".wa-theirs .wa-text", has_text="Meteo a Rota").last
    expect(forecast).to_be_visible(timeout=15_000)
    # A screen reader hears the new answer once, not the whole redrawn chat.
    expect(page.get_by_role("status").filter(has_text="Meteo a Rota")).to_have_count(1)
    # Ticks follow the real statuses: the simulator reports read after a moment.
    expect(page.locator(".wa-theirs").last.locator(".wa-ticks-read")).to_be_visible(timeout=15_000)
    assert_accessible(axe, page)


def test_media_location_and_the_citizens_voice_note_and_photo(page: Page, server):
    log_in(page, server, *DEMO_LOGIN)
    client = server.running.appliance.parts[CLOUDAPI]
    pdf_id = server.call(client.upload_media(PDF, "application/pdf", "calendario.pdf"))
    video_id = server.call(client.upload_media(b"\0" * 2048, "video/mp4", "festa.mp4"))
    server.call(
        client.send_media(GIULIA, Media(kind="document", id=pdf_id, filename="calendario.pdf"))
    )
    server.call(client.send_media(GIULIA, Media(kind="video", id=video_id, caption="La festa")))
    server.call(
        client.send_location(GIULIA, 45.8297, 9.5108, name="Municipio", address="Via Roma 1")
    )
    phone(page, server, GIULIA)
    card = page.locator(".wa-file").last
    expect(card.locator(".wa-file-name")).to_have_text("calendario.pdf")
    expect(card.locator(".wa-file-size")).to_have_text("1 kB")
    expect(page.locator(".wa-video").last).to_have_attribute("controls", "")
    place = page.locator(".wa-location").last
    expect(place).to_contain_text("Municipio")
    expect(place).to_contain_text("Via Roma 1")
    expect(place).to_contain_text("45.8297, 9.5108")

    page.get_by_role("button", name="Un messaggio vocale").click()
    audio = page.locator(".wa-mine audio").last
    expect(audio).to_be_visible()
    # Playable: the browser reads the voice note's length (about 2.6 s).
    duration = audio.evaluate(
        "a => new Promise(done => a.readyState >= 1 ? done(a.duration)"
        " : a.addEventListener('loadedmetadata', () => done(a.duration)))"
    )
    assert 2 < duration < 4
    page.get_by_role("button", name="Una foto di una buca").click()
    photo = page.locator(".wa-mine img.wa-image").last
    expect(photo).to_be_visible()
    wait_until(lambda: photo.evaluate("img => img.complete && img.naturalWidth") == 480)


def test_without_javascript_a_refresh_shows_the_same_chat(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, server, *DEMO_LOGIN)
        phone(page, server, MARCO)
        page.get_by_label("Messaggio", exact=True).fill("AIUTO")
        page.get_by_role("button", name="Invia").click()
        expect(page.locator(".wa-mine .wa-text").last).to_have_text("AIUTO")
        before = page.locator(".wa-chat").inner_text()
        page.reload()
        assert page.locator(".wa-chat").inner_text() == before
        # Several citizens: the list switches between their chats.
        page.get_by_role("link", name=re.compile("Giulia Esempio")).click()
        expect(page.get_by_text(f"telefono di +{GIULIA}")).to_be_visible()
    finally:
        context.close()


def test_phone_width_fits_and_passes_axe(browser, server, axe):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, server, *DEMO_LOGIN)
        phone(page, server, GIULIA)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator(".wa-phone").bounding_box()
        assert box["width"] <= 390 and box["height"] > 400
        assert_accessible(axe, page)
    finally:
        context.close()


def test_template_drawn_with_header_values_footer_and_usable_buttons(page: Page, server, axe):
    appliance = server.running.appliance
    appliance.parts[SIMULATOR].state.put_template(
        "lavori_strada",
        "it",
        "UTILITY",
        "APPROVED",
        [
            {"type": "HEADER", "format": "IMAGE"},
            {"type": "BODY", "text": "Lavori in *{{1}}* da lunedì: seguite la deviazione."},
            {"type": "FOOTER", "text": "Comune di Rota d'Imagna"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Ricevuto"},
                    {"type": "URL", "text": "Sito del Comune", "url": "https://example.org/"},
                ],
            },
        ],
    )
    client = appliance.parts[CLOUDAPI]
    server.call(client.list_templates())
    png = (MEDIA / "festa.png").read_bytes()
    image = server.call(client.upload_media(png, "image/png", "festa.png"))
    server.call(
        client.send_template(
            MARCO, "lavori_strada", body=["via Roma"], header=Media(kind="image", id=image)
        )
    )
    log_in(page, server, *DEMO_LOGIN)
    phone(page, server, MARCO)
    card = page.locator(".wa-theirs", has_text="Lavori in").last
    expect(card.locator(".wa-text strong")).to_have_text("via Roma")
    expect(card.locator("img.wa-image")).to_be_visible()
    expect(card.locator(".wa-footer")).to_have_text("Comune di Rota d'Imagna")
    expect(card.get_by_role("link", name="Sito del Comune")).to_have_attribute(
        "href", "https://example.org/"
    )
    assert_accessible(axe, page)
    card.get_by_role("button", name="Ricevuto").click()
    expect(page.locator(".wa-mine .wa-text").last).to_have_text("Ricevuto")
    tapped = server.rows(
        "SELECT body FROM demo_phone_messages WHERE wa_id = ? AND direction = 'in'"
        " ORDER BY id DESC LIMIT 1",
        (MARCO,),
    )
    assert '"button"' in tapped[0][0]
