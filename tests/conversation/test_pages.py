"""Staff pages over real HTTP: bot editor, notice versions, questions and topics, the inbox with
the 24-hour window, subscriber detail and counter requests, and the demo phone."""

from __future__ import annotations

import time

import httpx
import pytest

from appliance.audience.suppression import SUPPRESSION
from appliance.core.config import load_config
from appliance.demo import prepare_demo_config
from tests.support.appliance import RunningAppliance
from tests.support.citizen import text_of
from tests.support.db import rows
from tests.support.staff import add_user, login
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

HOSTILE = '<script>window.__xss=1</script>"><img src=x onerror=alert(1)>'


@pytest.fixture
def staff(bot):
    for role in ("admin", "operator", "editor", "viewer"):
        add_user(bot, role, role)
    return {role: login(bot, role) for role in ("admin", "operator", "editor", "viewer")}


def test_bot_editor_saves_checked_texts_that_the_bot_then_uses(bot, staff, citizen):
    editor = staff["editor"]
    assert editor.get("/bot").status_code == 200
    too_long = editor.post("/bot/texts", data={"t-menu_1-it": "x" * 25})
    assert too_long.status_code == 400 and "Al massimo 24 caratteri" in too_long.text
    saved = editor.post(
        "/bot/texts", data={"t-welcome-it": "Ciao dal {comune}! Scegli:", "t-menu_1-it": "Meteo"}
    )
    assert saved.status_code == 303
    citizen.send("Rota")
    menu = citizen.reply()
    assert text_of(menu).startswith("Ciao dal Comune di Rota d'Imagna! Scegli:\n\nCon «Iscriviti»")
    assert menu["interactive"]["action"]["sections"][0]["rows"][0]["title"] == "Meteo"
    assert staff["viewer"].get("/bot").status_code == 403


def test_bot_editor_refusals_are_in_the_staff_users_language(bot, staff):
    editor = staff["editor"]
    editor.post("/language", data={"language": "en", "next": "/bot"})
    too_long = editor.post("/bot/texts", data={"t-menu_1-it": "x" * 25})
    assert too_long.status_code == 400
    assert "At most 24 characters (WhatsApp refuses longer texts)." in too_long.text
    unknown = editor.post("/bot/texts", data={"t-subscribed-it": "Fatto {nome}"})
    assert unknown.status_code == 400 and "Unexpected placeholders: nome" in unknown.text
    assert "Segnaposto" not in unknown.text


def test_only_admins_publish_a_new_notice_version(bot, staff, citizen):
    draft = {"notice_it": "Nuova informativa del {comune}.", "notice_en": ""}
    assert staff["editor"].post("/bot/notice", data=draft).status_code == 303
    assert staff["editor"].post("/bot/notice/publish").status_code == 403
    assert staff["admin"].post("/bot/notice/publish").status_code == 303
    page = httpx.get(bot.public_url + "/privacy")
    assert "Versione 2" in page.text and "Nuova informativa del Comune di Rota" in page.text
    assert "Versione 1" in httpx.get(bot.public_url + "/privacy/1").text
    citizen.send("4")
    notice, optin = citizen.replies(2)
    assert "Nuova informativa del Comune di Rota" in text_of(notice)
    citizen.tap(optin["interactive"]["action"]["buttons"][0]["reply"]["id"])
    citizen.reply()
    assert rows(bot, "SELECT kind, notice_version FROM consents") == [("opted_in", 2)]


def test_questions_and_topics_are_edited_by_editors(bot, staff):
    editor = staff["editor"]
    added = editor.post(
        "/bot/questions",
        data={"key": "figli", "kind": "number", "prompt_it": "Quanti figli hai?", "options": ""},
    )
    assert added.status_code == 303
    keys = [r["key"] for r in rows(bot, "SELECT key FROM profile_questions ORDER BY position")]
    assert "figli" not in keys  # refused: a question must say what the answer is for
    added = editor.post(
        "/bot/questions",
        data={
            "key": "figli",
            "kind": "number",
            "prompt_it": "Quanti figli hai?",
            "purpose_it": "avvisarti delle iscrizioni a scuola",
            "options": "",
        },
    )
    assert added.status_code == 303
    editor.post("/bot/topics", data={"key": "scuola", "name_it": "Scuola", "name_en": "School"})
    keys = [r["key"] for r in rows(bot, "SELECT key FROM profile_questions ORDER BY position")]
    assert keys[-1] == "figli"
    assert rows(bot, "SELECT name_en FROM topics WHERE key = 'scuola'") == [("School",)]
    [q] = rows(bot, "SELECT id FROM profile_questions WHERE key = 'eta'")
    editor.post(
        f"/bot/questions/{q['id']}",
        data={"prompt_it": "Età?", "purpose_it": "avvisi per età", "position": "1"},
    )
    assert rows(bot, "SELECT active FROM profile_questions WHERE key = 'eta'") == [(0,)]


def test_inbox_reply_inside_the_window_and_template_outside(bot, staff, citizen, simulator):
    citizen.send("Quando passa lo scuolabus?")
    citizen.reply()
    [sub] = rows(bot, "SELECT id FROM subscribers")
    sid = sub["id"]
    inbox = staff["operator"].get("/inbox")
    assert "Quando passa lo scuolabus?" in inbox.text and "Aperta" in inbox.text
    assert staff["viewer"].post(f"/inbox/{sid}/reply", data={"text": "x"}).status_code == 403
    sent = staff["operator"].post(
        f"/inbox/{sid}/reply", data={"text": "Alle 7:40, fermata in piazza."}
    )
    assert sent.status_code == 303
    assert text_of(citizen.reply()) == "Alle 7:40, fermata in piazza."
    assert "Nessun messaggio in attesa" in staff["operator"].get("/inbox").text
    # Two days later the window is closed: the page explains and offers a template.
    bot.call(
        bot.appliance.db.execute(
            "UPDATE subscribers SET last_inbound_at = ? WHERE id = ?",
            (time.time() - 2 * 86400, sid),
        )
    )
    simulator.control("windows", {"wa_id": citizen.wa_id, "open": False})
    bot.call(
        bot.appliance.db.execute(
            "INSERT INTO wa_templates (name, language, category, status, updated_at)"
            " VALUES ('avviso_servizio', 'it', 'UTILITY', 'APPROVED', 0)"
        )
    )
    thread = staff["operator"].get(f"/inbox/{sid}")
    assert "Finestra di 24 ore chiusa" in thread.text and "avviso_servizio" in thread.text
    refused = staff["operator"].post(f"/inbox/{sid}/reply", data={"text": "Ciao"})
    assert refused.status_code == 303
    staff["operator"].post(
        f"/inbox/{sid}/template",
        data={"template": "avviso_servizio|it", "parameters": "Via Roma\n12/10"},
    )
    assert citizen.reply()["type"] == "template"
    actions = [
        r["action"] for r in rows(bot, "SELECT action FROM audit_log WHERE action LIKE 'inbox.%'")
    ]
    assert actions == ["inbox.replied", "inbox.template_sent"]


def test_subscriber_detail_escapes_hostile_names_and_staff_requests_work(bot, staff, simulator):
    from tests.support.citizen import Citizen

    hostile = Citizen(simulator, "393338880001", name=HOSTILE)
    hostile.send("Rota")
    hostile.reply()
    [sub] = rows(bot, "SELECT id, profile_name FROM subscribers")
    assert sub["profile_name"] == HOSTILE
    page = staff["viewer"].get(f"/subscribers/{sub['id']}")
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    listing = staff["viewer"].get("/subscribers", params={"q": "<script>"})
    assert "&lt;script&gt;" in listing.text and "<script>window" not in listing.text
    export = staff["operator"].get(f"/subscribers/{sub['id']}/export.json")
    assert export.json()["subscriber"]["profile_name"] == HOSTILE
    assert (
        staff["operator"]
        .post(f"/subscribers/{sub['id']}/erase", data={"confirm": "yes"})
        .status_code
        == 403
    )
    staff["admin"].post(f"/subscribers/{sub['id']}/erase", data={})
    assert rows(bot, "SELECT status FROM subscribers") == [("pending",)]
    staff["admin"].post(f"/subscribers/{sub['id']}/erase", data={"confirm": "yes"})
    assert rows(bot, "SELECT status FROM subscribers") == [("erased",)]
    assert bot.call(bot.appliance.parts[SUPPRESSION].is_suppressed("393338880001", None))
    retention = staff["viewer"].get("/subscribers/retention")
    assert "180 giorni" in retention.text


def test_demo_phone_page_talks_through_the_simulator(tmp_path):
    plain = load_config(
        None,
        environ={},
        overrides={
            "server": {"public_bind": "127.0.0.1:0", "lan_bind": "127.0.0.1:0"},
            "database": {"path": str(tmp_path / "demo.db")},
            "zeroconf": {"enabled": False},
            "feeds": {"alerts_enabled": False, "weather_url": "http://127.0.0.1:9/f"},
        },
    )
    app = RunningAppliance(prepare_demo_config(plain, str(tmp_path))).start()
    try:
        add_user(app, "phone-viewer", "viewer")
        http = login(app, "phone-viewer")
        answer = http.post("/demo/phone", data={"number": "393330001111", "text": "Rota"})
        assert answer.status_code == 303
        phone = "/demo/phone?number=393330001111"
        page = wait_until(
            lambda: "Benvenuto" in (text := http.get(phone).text) and text, what="the menu"
        )
        assert "Previsioni meteo" in page and 'name="reply_id" value="menu:1"' in page
        http.post(
            "/demo/phone",
            data={"number": "393330001111", "reply_id": "menu:3", "title": "Sito", "list": "1"},
        )
        wait_until(lambda: "rotadimagna" in http.get(phone).text, what="the website's answer")
    finally:
        app.stop()
