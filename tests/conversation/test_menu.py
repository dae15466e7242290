"""Keyword and menu end to end: signed webhooks in, answers read back from the simulator."""

from __future__ import annotations

import pytest

from appliance.feeds.alerts import ALERTS
from appliance.feeds.forecast import FORECAST
from tests.support.citizen import button_ids, text_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("keyword", ["Rota", "  rotá ", "ROTA!"])
def test_keyword_opens_the_menu_as_an_interactive_list(citizen, keyword):
    citizen.send(keyword)
    menu = citizen.reply()
    assert menu["type"] == "interactive" and menu["interactive"]["type"] == "list"
    # The subscribe row carries the notice version the menu links: its tap is the opt-in.
    assert button_ids(menu) == ["menu:1", "menu:2", "menu:3", "menu:4:1", "menu:5", "menu:6"]
    assert "dai 14 anni" in text_of(menu) and "scrivi PRIVACY" in text_of(menu)
    assert "Comune di Rota d'Imagna" in text_of(menu)
    assert "1 Previsioni meteo" in text_of(menu)


def test_any_first_message_gets_the_menu_and_a_real_question_reaches_the_inbox(bot, citizen):
    citizen.send("Buongiorno, a che ora apre l'anagrafe?")
    menu = citizen.reply()  # the welcome and the menu as one message, the automatic answer first
    assert text_of(menu).startswith("Grazie, abbiamo ricevuto il tuo messaggio")
    assert "Benvenuto" in text_of(menu) and menu["interactive"]["type"] == "list"
    citizen.quiet(bot)
    rows = bot.call(
        bot.appliance.db.fetchall("SELECT text, inbox FROM chat_messages WHERE direction = 'in'")
    )
    assert [(r["text"], r["inbox"]) for r in rows] == [
        ("Buongiorno, a che ora apre l'anagrafe?", 1)
    ]


def test_typed_numbers_and_list_rows_lead_to_the_same_answer(citizen):
    citizen.send("Rota")
    citizen.reply()
    citizen.send("3")
    typed = citizen.reply()
    citizen.tap("menu:3", "Sito del Comune", kind="list_reply")
    picked = citizen.reply()
    assert typed["text"] == picked["text"]
    assert "https://www.comune.rotadimagna.bg.it" in text_of(typed)
    assert typed["text"].get("preview_url") is True


def test_forecast_and_alerts_answer_even_when_the_sources_are_down(citizen):
    citizen.send("1")
    assert "previsione meteo non è disponibile" in text_of(citizen.reply())
    citizen.send("2")
    assert "allert" in text_of(citizen.reply()).lower()


def test_options_without_a_feed_say_not_available_yet(bot, citizen):
    bot.appliance.parts.remove(FORECAST)
    bot.appliance.parts.remove(ALERTS)
    for option in ("1", "2"):
        citizen.send(option)
        assert "non è ancora disponibile" in text_of(citizen.reply())


def test_privacy_option_shows_summary_and_the_versioned_notice(citizen):
    citizen.send("5")
    text = text_of(citizen.reply())
    assert "titolare" in text and "Meta" in text
    assert "Stati Uniti" in text and "RPD" in text  # no public URL: the full notice in the chat


def test_zero_and_menu_show_the_menu_again_and_unknown_numbers_are_explained(citizen):
    for word in ("0", "menu", "Menù"):
        citizen.send(word)
        assert citizen.reply()["type"] == "interactive"
    citizen.send("9")
    assert "Non c'è un'opzione 9" in text_of(citizen.reply())


def test_help_lists_the_commands_in_both_languages(citizen):
    citizen.send("AIUTO")
    assert "CANCELLA I MIEI DATI" in text_of(citizen.reply())
    citizen.send("english")
    assert "English" in text_of(citizen.reply())
    citizen.send("help")
    assert "DELETE MY DATA" in text_of(citizen.reply())
    citizen.send("menu")
    assert "Weather forecast" in text_of(citizen.reply())
    citizen.send("ITALIANO")
    assert "italiano" in text_of(citizen.reply())


def test_stickers_voice_and_unsupported_types_get_a_helpful_answer(bot, citizen):
    citizen.send("Rota")
    citizen.reply()
    citizen.send(type="sticker", sticker={"id": "5550001", "mime_type": "image/webp"})
    assert "solo messaggi di testo" in text_of(citizen.reply())
    citizen.send(type="audio", audio={"id": "5550002", "mime_type": "audio/ogg", "voice": True})
    assert "vocali" in text_of(citizen.reply())
    citizen.send(type="unsupported", unsupported={}, errors=[{"code": 131051}])
    assert "solo messaggi di testo" in text_of(citizen.reply())
    citizen.send(type="reaction", reaction={"message_id": "wamid.X", "emoji": "👍"})
    citizen.quiet(bot)


@pytest.mark.parametrize(
    "text",
    ["😀🎉", "مرحبا، متى يفتح المكتب؟", "x" * 4096, "", "   "],
    ids=["emoji", "rtl", "4096", "empty", "spaces"],
)
def test_odd_texts_are_answered_and_stored_intact(bot, citizen, text):
    citizen.send("Rota")
    citizen.reply()
    citizen.send(text)
    answer = citizen.reply()
    assert answer["type"] == "text"
    stored = bot.call(
        bot.appliance.db.fetchval(
            "SELECT text FROM chat_messages WHERE direction = 'in' ORDER BY id DESC LIMIT 1"
        )
    )
    assert stored == text


def test_with_a_public_address_the_notice_is_a_versioned_link(tmp_path, simulator):
    from tests.support.citizen import Citizen, conversation_config, start_appliance

    config = conversation_config(
        tmp_path, simulator, server={"public_url": "https://banditore.comune.example.it"}
    )
    app = start_appliance(config, simulator)
    try:
        citizen = Citizen(simulator, "393336660001")
        citizen.send("PRIVACY")
        answer = citizen.reply()
        assert "https://banditore.comune.example.it/privacy/1" in text_of(answer)
        assert answer["text"]["preview_url"] is True
        citizen.send("english")
        citizen.reply()
        citizen.send("5")
        assert "/privacy/1?lang=en" in text_of(citizen.reply())
    finally:
        app.stop()


def test_the_dashboard_counts_citizens_waiting(bot, citizen):
    citizen.send("Una domanda")
    citizen.reply()
    checks = {c.key: c for c in bot.call(bot.appliance.health.snapshot())}
    assert checks["inbox"].status == "ok" and checks["inbox"].value == "1 in attesa"
    bot.call(bot.appliance.db.execute("UPDATE chat_messages SET at = at - 3 * 86400"))
    checks = {c.key: c for c in bot.call(bot.appliance.health.snapshot())}
    assert checks["inbox"].value == "1 in attesa, il primo da 3 giorni"
