"""Staff pages in Chromium: the dashboard's story, navigation marks, tables, phones, one clock."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from appliance.core import audit
from tests.support.appliance import RunningAppliance, make_config
from tests.support.browser import LiveServer, assert_accessible, live_server, log_in
from tests.support.staff import add_user

pytestmark = pytest.mark.slow

# Words of one piece: a cell holding one of them must show it on a single line.
ONE_LINE_WORDS = """
() => [...document.querySelectorAll("th, td")].filter((cell) => {
  const text = cell.textContent.trim();
  if (!text || /\\s/.test(text) || cell.querySelector("code, a[href^='http']")) return false;
  const range = document.createRange();
  range.selectNodeContents(cell);
  const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
  return lines.size > 1;
}).map((cell) => cell.textContent.trim())
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = RunningAppliance(make_config(tmp_path_factory.mktemp("pages")))
    yield from live_server(running)


@pytest.fixture(scope="module", autouse=True)
def people(server):
    add_user(server.running, "admin", "admin")
    db = server.running.appliance.db
    now = time.time()

    async def seed(conn):
        for n in range(12):
            await conn.execute(
                "INSERT INTO subscribers (wa_id, status, subscribed_at) VALUES (?, 'active',"
                " strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))",
                (f"39333000{n:04d}", f"-{n * 2} days"),
            )
        await conn.execute(
            "INSERT INTO subscribers (wa_id, status, subscribed_at, unsubscribed_at) VALUES"
            " ('393330009999', 'unsubscribed', '2026-01-01T08:00:00.000Z',"
            " strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 days'))"
        )
        for n in range(5):
            await conn.execute(
                "INSERT INTO chat_messages (subscriber_id, direction, at, text)"
                " VALUES (1, 'in', ?, 'Buongiorno')",
                (now - n * 3600,),
            )
        await audit.record_in(conn, "admin", "bot.texts_changed", "welcome", "")

    server.call(db.write(seed))


def test_the_dashboard_tells_subscribers_trend_and_messages(page: Page, server, axe):
    log_in(page, server, "admin")
    figures = page.locator(".figures")
    expect(figures).to_contain_text("12 iscritti ora")
    expect(figures.locator("li").nth(1)).to_contain_text("+4 / −1 negli ultimi 7 giorni")
    chart = page.get_by_role("img", name="Iscritti negli ultimi 30 giorni")
    expect(chart).to_be_visible()
    messages = page.get_by_role("img", name="Messaggi al giorno negli ultimi 30 giorni")
    expect(messages).to_be_visible()
    # Behind each chart, its figures as a table (readable without the picture).
    page.get_by_text("I numeri del grafico dei messaggi").click()
    table = page.get_by_role("table", name="Messaggi al giorno")
    expect(table.get_by_role("row")).to_have_count(31)
    received = table.locator("tbody td:nth-child(3)").all_inner_texts()
    assert sum(int(v) for v in received) == 5
    expect(page.get_by_role("heading", name="Stato del servizio")).to_be_visible()
    assert_accessible(axe, page)


def test_navigation_marks_the_one_entry_the_page_belongs_to(page: Page, server):
    log_in(page, server, "admin")
    nav = page.get_by_role("navigation", name="Navigazione principale")

    def current() -> list[str]:
        return nav.locator("[aria-current]").all_inner_texts()

    page.goto(server.url + "/studio/templates")
    assert current() == ["Modelli"]
    page.goto(server.url + "/studio/segments/new")
    assert current() == ["Segmenti"]
    page.get_by_role("link", name="← Segmenti").click()
    assert current() == ["Segmenti"]
    page.goto(server.url + "/studio")
    page.get_by_label("Nome della nuova campagna").fill("Avviso")
    page.get_by_role("button", name="Componi una campagna").click()
    assert current() == ["Campagne"]  # the wizard is part of the campaigns, not the segments
    steps = page.get_by_role("navigation", name="Passi della composizione")
    expect(steps.locator("[aria-current=step]")).to_have_text("1. Pubblico")
    page.goto(server.url + "/settings/users")
    assert current() == ["Impostazioni"]


def test_phones_get_a_compact_navigation_and_tables_keep_words_whole(page: Page, server, axe):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 120, header  # it took 280 of 844 px before
    page.goto(server.url + "/audit")
    assert page.evaluate(ONE_LINE_WORDS) == []
    expect(page.get_by_role("cell", name="Bot: testi modificati")).to_be_visible()
    page.goto(server.url + "/studio/templates")
    assert page.evaluate(ONE_LINE_WORDS) == []
    assert_accessible(axe, page)


def test_one_clock_labelled_and_in_italian_form(page: Page, server):
    log_in(page, server, "admin")
    page.goto(server.url + "/audit")
    expect(page.get_by_role("columnheader", name="Quando (Europe/Rome)")).to_be_visible()
    stamp = page.locator("tbody time").first.inner_text()
    assert stamp[2] == "/" and stamp[5] == "/", stamp  # 01/12/2026 21:44
    expect(page.get_by_text("Tutti gli orari sono nel fuso Europe/Rome.")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("columnheader", name="When (Europe/Rome)")).to_be_visible()
    expect(page.get_by_role("cell", name="Bot: texts changed")).to_be_visible()
    page.get_by_role("button", name="Italiano").click()


def test_the_audit_filter_names_actions_in_words(page: Page, server: LiveServer):
    log_in(page, server, "admin")
    page.goto(server.url + "/audit")
    action = page.get_by_label("Azione", exact=True)
    action.select_option(label="Segmento salvato")
    action.select_option(label="Modello inviato a Meta per l'approvazione")
    action.select_option(label="Bot: testi modificati")
    page.get_by_role("button", name="Filtra").click()
    expect(page.get_by_role("cell", name="Bot: testi modificati")).to_have_count(1)


def test_the_inbox_thread_puts_the_question_first(page: Page, server, axe):
    db = server.running.appliance.db
    now = time.time()
    notice = "Informativa sulla privacy. " * 100

    async def seed(conn):
        cursor = await conn.execute(
            "INSERT INTO subscribers (wa_id, status, profile_name, last_inbound_at)"
            " VALUES ('393339990001', 'active', 'Maria', ?)",
            (now - 60,),
        )
        sid = cursor.lastrowid
        lines = [
            ("in", now - 600, "Rota", 0, ""),
            ("out", now - 599, notice, 0, ""),
            ("out", now - 598, "Grazie, ora sei iscritta.", 0, ""),
            ("in", now - 60, "A che ora apre l'anagrafe sabato?", 1, ""),
        ]
        await conn.executemany(
            "INSERT INTO chat_messages (subscriber_id, direction, at, text, inbox, staff)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(sid, *line) for line in lines],
        )
        return sid

    sid = server.call(db.write(seed))
    log_in(page, server, "admin")
    nav = page.get_by_role("navigation", name="Navigazione principale")
    expect(nav.get_by_role("link", name="Messaggi 1 in attesa di risposta")).to_be_visible()
    page.goto(server.url + f"/inbox/{sid}")
    question = page.get_by_role("region", name="La domanda in attesa")
    expect(question).to_contain_text("A che ora apre l'anagrafe sabato?")
    # The question comes before the transcript, which has a time on every line.
    first = page.locator("h2").first
    expect(first).to_have_text("La domanda in attesa")
    lines = page.locator(".chat-line")
    expect(lines).to_have_count(4)
    expect(lines.locator("time")).to_have_count(4)
    # The long automatic notice is folded: one line until opened.
    folded = lines.nth(1).locator("details")
    expect(folded.locator(".chat-text")).to_be_hidden()
    folded.locator("summary").click()
    expect(folded.locator(".chat-text")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Segna come gestito").click()
    expect(nav.get_by_role("link", name="Messaggi", exact=True)).to_be_visible()


def test_the_persons_data_as_a_printable_document_in_italian(page: Page, server, axe):
    db = server.running.appliance.db

    async def seed(conn):
        cursor = await conn.execute(
            "INSERT INTO subscribers (wa_id, status, profile_name, subscribed_at, language)"
            " VALUES ('393337770001', 'active', 'Lucia', '2026-03-02T09:15:00.000Z', 'it')"
        )
        sid = cursor.lastrowid
        await conn.execute(
            "INSERT INTO profile_answers (subscriber_id, question_id, value)"
            " SELECT ?, id, '\"fuori\"' FROM profile_questions WHERE key = 'frazione'",
            (sid,),
        )
        await conn.execute(
            "INSERT INTO consents (subscriber_id, at, kind, notice_version)"
            " VALUES (?, '2026-03-02T09:15:00.000Z', 'opted_in', 1)",
            (sid,),
        )
        return sid

    sid = server.call(db.write(seed))
    log_in(page, server, "admin")
    page.get_by_role("button", name="English").click()  # the clerk reads English…
    page.goto(server.url + f"/subscribers/{sid}")
    page.get_by_role("link", name="The person's data, to print").click()
    # …the document is for the citizen, in Italian, in words and the town's clock.
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "I dati che il servizio WhatsApp del Comune conserva su di te"
    )
    facts = page.locator(".document dl").first
    expect(facts).to_contain_text("Iscritto dal")
    expect(facts).to_contain_text("02/03/2026 10:15")  # 09:15 UTC is 10:15 in Rome
    expect(page.locator(".document")).to_contain_text("In quale frazione abiti?")
    expect(page.locator(".document")).to_contain_text("Fuori paese")
    expect(page.locator(".document")).to_contain_text(
        "iscrizione richiesta (opt-in) (informativa, versione 1)"
    )
    assert "active" not in page.locator(".document").inner_text()
    assert_accessible(axe, page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    assert server.rows(
        "SELECT detail FROM audit_log WHERE action = 'subscriber.exported' ORDER BY id DESC LIMIT 1"
    ) == [("documento stampabile",)]
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Italiano").click()
