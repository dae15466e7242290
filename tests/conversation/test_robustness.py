"""Duplicates, late taps, restarts, citizens coming back days later, floods."""

from __future__ import annotations

import time

import pytest

from appliance.conversation.engine import CONVERSATION
from tests.support.citizen import Citizen, button_ids, conversation_config, start_appliance, text_of
from tests.support.db import rows
from tests.support.settled import settled
from tests.support.waiting import wait_until
from tests.support.webhooks import post_webhook

pytestmark = pytest.mark.slow


def tap_payload(wa_id: str, wamid: str, reply_id: str, timestamp: int) -> dict:
    """A signed-webhook body with one button reply, as Meta sends it."""
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp),
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": "Sì"}},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "390612345678", "phone_number_id": "200000000000002"},
        "contacts": [{"profile": {"name": "Maria"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "100000000000001", "changes": [{"field": "messages", "value": value}]}],
    }


def test_duplicate_and_late_deliveries_of_the_same_reply_act_once(bot, citizen):
    optin = citizen.ask_to_subscribe()
    yes = button_ids(optin)[0]
    now = int(time.time())
    first = tap_payload(citizen.wa_id, "wamid.TAP.OPTIN", yes, now)
    for _ in range(3):
        assert post_webhook(bot.public_url, first).status_code == 200
    citizen.reply()  # subscribed, with the first question
    citizen.quiet(bot)
    # The same tap again, later: deduplicated by wamid.
    assert post_webhook(bot.public_url, first).status_code == 200
    citizen.quiet(bot)
    # A second tap on the opt-in button (a new message) is recognised as an old prompt.
    post_webhook(bot.public_url, tap_payload(citizen.wa_id, "wamid.TAP.AGAIN", yes, now + 9))
    old, again = citizen.replies(2)
    assert "messaggio precedente" in text_of(old) and "fascia di età" in text_of(again)
    assert [c["kind"] for c in rows(bot, "SELECT kind FROM consents")] == ["opted_in"]


def test_a_restart_in_the_middle_of_a_subscription_continues_it(tmp_path, simulator):
    config = conversation_config(tmp_path, simulator)
    app = start_appliance(config, simulator)
    citizen = Citizen(simulator, "393339990001")
    try:
        optin = citizen.ask_to_subscribe()
    finally:
        app.stop()
    app = start_appliance(config, simulator)
    try:
        citizen.tap(button_ids(optin)[0])
        citizen.reply()
        assert rows(app, "SELECT status FROM subscribers") == [("active",)]
    finally:
        app.stop()


def test_a_citizen_back_days_later_is_not_asked_a_stale_question(bot, citizen):
    age = citizen.ask_to_subscribe()
    conversation = bot.appliance.parts[CONVERSATION]
    conversation.clock = lambda: time.time() + 3 * 86400
    citizen.tap(button_ids(age)[0])
    menu = citizen.reply()  # one message: the old button explained, welcome back, the menu
    assert "messaggio precedente" in text_of(menu)
    assert "Bentornato" in text_of(menu) and menu["interactive"]["type"] == "list"
    assert not rows(bot, "SELECT * FROM conversation_state")
    age = citizen.ask_to_subscribe()
    conversation.clock = lambda: time.time() + 6 * 86400
    citizen.send("sì")
    menu = citizen.reply()
    assert "Bentornato" in text_of(menu) and menu["interactive"]["type"] == "list"
    assert rows(bot, "SELECT status FROM subscribers") == [("pending",)]


def test_a_tap_on_an_earlier_question_is_not_taken_as_an_answer(bot, citizen):
    eta = citizen.consent()
    citizen.tap(button_ids(eta)[1], "30-49", kind="list_reply")
    frazione = citizen.reply()
    citizen.tap(button_ids(eta)[2], "50-64", kind="list_reply")  # the list one step back
    old, again = citizen.replies(2)
    assert "messaggio precedente" in text_of(old) and text_of(again) == text_of(frazione)
    # Asked again with new buttons: the first copy of the question is now an old one too.
    assert button_ids(again) != button_ids(frazione)
    citizen.tap(button_ids(frazione)[0], kind="list_reply")
    old, latest = citizen.replies(2)
    assert "messaggio precedente" in text_of(old)
    citizen.tap(button_ids(latest)[-1], kind="list_reply")  # skip, on the current list
    assert "argomenti" in text_of(citizen.reply())
    answers = rows(bot, "SELECT value FROM profile_answers")
    assert answers == [('"30-49"',)]


def test_back_days_later_in_the_middle_of_the_questions(bot, citizen):
    eta = citizen.consent()
    bot.appliance.parts[CONVERSATION].clock = lambda: time.time() + 4 * 86400
    citizen.tap(button_ids(eta)[1], "30-49", kind="list_reply")
    menu = citizen.reply()
    assert "messaggio precedente" in text_of(menu) and "Bentornato" in text_of(menu)
    assert not rows(bot, "SELECT * FROM profile_answers")
    assert not rows(bot, "SELECT * FROM conversation_state")
    # The consent was given: leaving the questions halfway keeps the subscription.
    assert rows(bot, "SELECT status FROM subscribers") == [("active",)]
    # Rows of a menu sent days ago still work: they belong to no step.
    citizen.tap(button_ids(menu)[3], kind="list_reply")
    assert "Sei già iscritto" in text_of(citizen.reply())


def test_an_erasure_confirmed_days_later_is_asked_again(bot, citizen):
    citizen.consent()
    citizen.send("CANCELLA I MIEI DATI")
    question = citizen.reply()
    conversation = bot.appliance.parts[CONVERSATION]
    conversation.clock = lambda: time.time() + 2 * 86400
    citizen.tap(button_ids(question)[0])
    menu = citizen.reply()
    assert "messaggio precedente" in text_of(menu) and "Bentornato" in text_of(menu)
    assert rows(bot, "SELECT status FROM subscribers") == [("active",)]
    citizen.send("CANCELLA I MIEI DATI")
    citizen.tap(button_ids(citizen.reply())[0])
    assert "sono stati cancellati" in text_of(citizen.reply())
    assert rows(bot, "SELECT status FROM subscribers") == [("erased",)]


def test_a_flood_from_one_number_gets_slowed_answers(bot, citizen, new_citizen):
    started = time.monotonic()
    for _ in range(40):
        citizen.send("0")
    refilled = (time.monotonic() - started) * 12 / 60  # the bucket refills 12 a minute
    wait_until(lambda: settled(bot), what="the bot to answer the flood")
    answers = [m["body"] for m in citizen.all()]
    floods = [a for a in answers if a["type"] == "text" and "molti messaggi" in text_of(a)]
    menus = [a for a in answers if a["type"] == "interactive"]
    assert len(floods) == 1
    assert 12 <= len(menus) <= 12 + int(refilled) + 1
    assert len(rows(bot, "SELECT id FROM chat_messages WHERE direction = 'in'")) == 40
    assert not rows(bot, "SELECT id FROM chat_messages WHERE inbox = 1")  # no noise for staff
    other = new_citizen()
    other.send("Rota")
    assert other.reply()["type"] == "interactive"
    citizen.seen = len(citizen.all())
    citizen.send("STOP")  # urgent commands get through even now
    assert "Non risulti iscritto" in text_of(citizen.reply())


def test_the_automatic_answer_comes_at_most_once_per_period(bot, citizen):
    bot.call(
        bot.appliance.db.execute(
            "INSERT INTO settings (key, value) VALUES ('town_data.office_hours', 'lun-ven 9-12')"
        )
    )
    citizen.send("Rota")
    citizen.reply()
    citizen.send("Prima domanda")
    assert "Orari dell'ufficio: lun-ven 9-12" in text_of(citizen.reply())
    citizen.send("Seconda domanda")
    citizen.quiet(bot)
    bot.appliance.parts[CONVERSATION].clock = lambda: time.time() + 25 * 3600
    citizen.send("Terza domanda, il giorno dopo")
    assert "abbiamo ricevuto il tuo messaggio" in text_of(citizen.reply())
    inbox = rows(bot, "SELECT text FROM chat_messages WHERE inbox = 1 ORDER BY id")
    assert [r["text"] for r in inbox] == [
        "Prima domanda",
        "Seconda domanda",
        "Terza domanda, il giorno dopo",
    ]
