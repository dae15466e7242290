"""The campaign studio in Chromium: the whole wizard with an image and a PDF, the preview,
an operator's approval, the campaign detail and its per-recipient log; axe on every step."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from appliance.cloudapi.client import CLOUDAPI
from tests.support.browser import LiveServer, assert_accessible, log_in
from tests.support.staff import add_user
from tests.support.studio import PDF_SCAN, PNG

pytestmark = pytest.mark.slow


def test_the_wizard_from_audience_to_the_per_recipient_log(page: Page, make_engine, axe, tmp_path):
    engine = make_engine()
    server = LiveServer(engine.app)
    for role in ("editor", "operator"):
        add_user(engine.app, role, role)
    engine.app.call(engine.app.appliance.parts[CLOUDAPI].list_templates())
    inside = engine.seed(2, topics=("notizie",), window=True)
    outside = engine.seed(2, topics=("notizie",), first=100)
    image, pdf = tmp_path / "mappa.png", tmp_path / "ordinanza.pdf"
    image.write_bytes(PNG)
    pdf.write_bytes(PDF_SCAN)

    log_in(page, server, "editor")
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Campagne"
    ).click()
    assert_accessible(axe, page)
    page.get_by_label("Nome della nuova campagna").fill("Lavori in via Roma")
    page.get_by_role("button", name="Componi una campagna").click()

    expect(page.get_by_role("heading", name="1. Pubblico")).to_be_visible()
    page.get_by_label("Notizie dal Comune").check()
    page.get_by_role("button", name="Aggiorna il conteggio").click()
    expect(page.get_by_text("Persone raggiunte ora: 4")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Avanti: contenuto").click()

    expect(page.get_by_role("heading", name="2. Contenuto")).to_be_visible()
    page.get_by_label("Testo (i link https:// mostrano l'anteprima)").fill(
        "Via Roma chiusa dal 12 ottobre: https://comune.example.it/lavori"
    )
    page.get_by_role("button", name="Aggiungi il testo").click()
    page.get_by_label("File (JPEG/PNG, PDF, MP3/OGG, MP4)").set_input_files(str(image))
    page.get_by_label("Didascalia (descrivi l'immagine per chi non vede)").fill("Mappa dei lavori")
    page.get_by_role("button", name="Carica e aggiungi").click()
    page.get_by_label("File (JPEG/PNG, PDF, MP3/OGG, MP4)").set_input_files(str(pdf))
    page.get_by_role("button", name="Carica e aggiungi").click()
    expect(page.get_by_role("heading", name="Parti (3)")).to_be_visible()
    expect(page.get_by_text("sembra una scansione senza testo")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Avanti: modello").click()

    page.get_by_label("Modello", exact=True).select_option("avviso_servizio|it")
    page.get_by_role("button", name="Scegli il modello").click()
    page.get_by_label("Valore per la variabile 1").fill("Via Roma")
    page.get_by_label("Valore per la variabile 2").fill("12/10")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Avanti: anteprima").click()

    expect(page.get_by_role("heading", name="4. Anteprima e invio")).to_be_visible()
    expect(page.locator("#pv-inside")).to_have_text("2")
    expect(page.locator("#pv-outside")).to_have_text("2")
    expect(page.get_by_text("Avviso del Comune: Via Roma chiusa il 12/10.")).to_be_visible()
    expect(page.get_by_text("Mappa dei lavori")).to_be_visible()
    expect(page.get_by_role("button", name="Approva e invia")).to_have_count(0)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Chiedi l'approvazione").click()
    expect(page.get_by_role("status").filter(has_text="approvazione")).to_be_visible()
    page.get_by_role("button", name="Esci").click()

    log_in(page, server, "operator")
    page.goto(server.url + "/studio")
    expect(page.get_by_text("In attesa di approvazione")).to_be_visible()
    page.get_by_role("link", name="Lavori in via Roma").click()
    page.get_by_role("button", name="Approva e invia").click()
    expect(page.get_by_role("heading", level=1, name="Lavori in via Roma")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/studio/campaigns/\d+$"))
    for _ in range(60):
        if page.get_by_text("Completata").count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.get_by_text("Stato: Completata")).to_be_visible()
    log = page.get_by_role("table", name="Ogni messaggio, con stato, ora ed errore spiegato")
    for person in inside + outside:
        expect(log.get_by_role("rowheader", name=person).first).to_be_visible()
    expect(log.get_by_role("cell", name="Modello").first).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="← Tutte le campagne").click()
    expect(
        page.get_by_role("progressbar", name="Avanzamento di Lavori in via Roma")
    ).to_be_visible()
    assert_accessible(axe, page)


def test_segment_editor_counts_live_and_the_templates_page_is_accessible(
    page: Page,
    make_engine,
    axe,
):
    engine = make_engine()
    server = LiveServer(engine.app)
    add_user(engine.app, "operator", "operator")
    engine.app.call(engine.app.appliance.parts[CLOUDAPI].list_templates())
    engine.seed(3, topics=("allerte",))
    engine.seed(2, first=100)

    log_in(page, server, "operator")
    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Segmenti"
    ).click()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Nuovo segmento").click()
    group = page.get_by_role("group", name="Condizione 1 del gruppo 1")
    group.get_by_label("Condizione").select_option("topic:has")
    expect(group.get_by_label("Valore")).to_be_hidden()  # a topic is picked, never typed
    group.get_by_label("Scelta").select_option(label="Allerte e protezione civile")
    expect(page.get_by_text("Persone raggiunte ora: 3")).to_be_visible()  # by the script
    assert_accessible(axe, page)
    page.get_by_label("Nome", exact=True).fill("Chi segue le allerte")
    page.get_by_role("button", name="Salva il segmento").click()
    expect(page.get_by_role("status").filter(has_text="Segmento salvato")).to_be_visible()
    expect(page.get_by_text("Persone raggiunte ora: 3")).to_be_visible()

    page.get_by_role("navigation", name="Navigazione principale").get_by_role(
        "link", name="Modelli"
    ).click()
    expect(page.get_by_role("rowheader", name="avviso_servizio")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Invia in revisione avviso_comune").click()
    expect(page.get_by_role("status").filter(has_text="avviso_comune")).to_be_visible()
    assert_accessible(axe, page)


def _answer(engine, wa_prefix: str, question: str, value: str) -> None:
    """Give the seeded people whose number starts with ``wa_prefix`` one stored answer."""
    engine.write(
        "INSERT INTO profile_answers (subscriber_id, question_id, value) SELECT s.id, q.id, ?"
        f" FROM subscribers s, profile_questions q WHERE q.key = '{question}'"
        f" AND s.wa_id LIKE '{wa_prefix}%'",
        (json.dumps(value),),
    )


def test_segment_builder_by_keyboard_with_the_words_the_citizen_saw(page: Page, make_engine, axe):
    engine = make_engine()
    server = LiveServer(engine.app)
    add_user(engine.app, "editor", "editor")
    engine.seed(2, topics=("allerte",))  # 393330000001-2
    engine.seed(3, first=100)  # 393330000100-102
    _answer(engine, "393330000001", "frazione", "centro")
    _answer(engine, "39333000010", "frazione", "centro")

    log_in(page, server, "editor")
    page.goto(server.url + "/studio/segments/new")
    # Only the rows in use: one empty condition, and the count beside it.
    expect(page.get_by_role("group", name=re.compile("Condizione"))).to_have_count(1)
    page.get_by_label("Nome", exact=True).focus()
    page.keyboard.type("Centro e allerte")
    page.keyboard.press("Tab")
    rule = page.get_by_role("group", name="Condizione 1 del gruppo 1").get_by_label("Condizione")
    expect(rule).to_be_focused()
    rule.select_option(label="ha risposto alla domanda con")
    page.keyboard.press("Tab")
    choice = page.get_by_role("group", name="Condizione 1 del gruppo 1").get_by_label("Scelta")
    expect(choice).to_be_focused()
    # The options as the citizen saw them, under the question's text; codes stay inside.
    options = choice.locator("optgroup[label='In quale frazione abiti?'] option")
    expect(options).to_have_text(["Centro", "Una frazione", "Fuori paese"])
    choice.select_option(label="Centro")
    expect(page.get_by_text("Persone raggiunte ora: 4")).to_be_visible()
    assert_accessible(axe, page)

    # Add a second condition by keyboard; focus lands on its rule.
    page.get_by_role("button", name="+ Aggiungi una condizione al gruppo 1").focus()
    page.keyboard.press("Enter")
    second = page.get_by_role("group", name="Condizione 2 del gruppo 1")
    expect(second.get_by_label("Condizione")).to_be_focused()
    second.get_by_label("Condizione").select_option("topic:has")
    second.get_by_label("Scelta").select_option(label="Allerte e protezione civile")
    expect(page.get_by_text("Persone raggiunte ora: 1")).to_be_visible()

    # The button that counts without script keeps the focus where the clerk was.
    page.get_by_role("button", name="Aggiorna il conteggio").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Aggiorna il conteggio")).to_be_focused()
    expect(page.get_by_text("Persone raggiunte ora: 1")).to_be_visible()

    # Remove the second row: one condition left, focus on the add button.
    page.get_by_role("button", name="Togli la condizione 2 del gruppo 1").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name=re.compile("Condizione"))).to_have_count(1)
    expect(page.get_by_role("button", name="+ Aggiungi una condizione al gruppo 1")).to_be_focused()
    page.get_by_role("button", name="Salva il segmento").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Segmento salvato")).to_be_visible()
    expect(
        page.get_by_role("group", name="Condizione 1 del gruppo 1").get_by_label("Scelta")
    ).to_have_value("answer|frazione|centro")
    saved = engine.app.call(
        engine.app.appliance.db.fetchall(
            "SELECT target FROM audit_log WHERE action = 'segment.saved'"
        )
    )
    assert [tuple(r) for r in saved] == [("Centro e allerte",)]
    page.goto(server.url + "/studio/segments")
    expect(page.get_by_role("listitem").filter(has_text="Centro e allerte")).to_contain_text(
        "4 persone"
    )


def test_the_compose_wizard_by_keyboard_only(page: Page, make_engine):
    engine = make_engine()
    server = LiveServer(engine.app)
    add_user(engine.app, "editor", "editor")
    engine.app.call(engine.app.appliance.parts[CLOUDAPI].list_templates())
    engine.seed(3, topics=("notizie",))

    log_in(page, server, "editor")
    page.goto(server.url + "/studio")
    page.get_by_label("Nome della nuova campagna").focus()
    page.keyboard.type("Festa del paese")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1. Pubblico")).to_be_visible()
    steps = page.get_by_role("navigation", name="Passi della composizione")
    expect(steps.locator("[aria-current=step]")).to_have_text("1. Pubblico")
    topic = page.get_by_label("Notizie dal Comune")
    topic.focus()
    page.keyboard.press("Space")
    expect(topic).to_be_checked()
    page.get_by_role("button", name="Aggiorna il conteggio").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Persone raggiunte ora: 3")).to_be_visible()
    # The focus stays on the count button, one Tab from "Avanti" (it went to the top before).
    expect(page.get_by_role("button", name="Aggiorna il conteggio")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Avanti: contenuto")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="2. Contenuto")).to_be_visible()
    expect(steps.locator("[aria-current=step]")).to_have_text("2. Contenuto")
    page.get_by_label("Testo (i link https:// mostrano l'anteprima)").focus()
    page.keyboard.type("Sabato la festa in piazza.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Aggiungi il testo")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Parti (1)")).to_be_visible()
    page.get_by_role("link", name="Avanti: modello").focus()
    page.keyboard.press("Enter")

    expect(steps.locator("[aria-current=step]")).to_have_text("3. Modello")
    chooser = page.get_by_label("Modello", exact=True)
    chooser.focus()
    for _ in range(10):
        if chooser.input_value() == "avviso_servizio|it":
            break
        page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Scegli il modello").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Valore per la variabile 1").focus()
    page.keyboard.type("piazza Roma")
    page.keyboard.press("Tab")
    page.keyboard.type("sabato")
    page.get_by_role("button", name="Avanti: anteprima").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="4. Anteprima e invio")).to_be_visible()
    expect(steps.locator("[aria-current=step]")).to_have_text("4. Anteprima e invio")
    expect(page.get_by_text("Sabato la festa in piazza.")).to_be_visible()
    # The preview's figures are whole sentences (no missing number, no "0.2 minuti").
    expect(page.get_by_text("meno di un minuto")).to_be_visible()
