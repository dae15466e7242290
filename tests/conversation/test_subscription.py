"""Subscribing with consent and profile questions, STOP anywhere, my data, erasure, languages."""

from __future__ import annotations

import json
import re

import pytest

from appliance.audience.retention import RETENTION
from appliance.audience.suppression import SUPPRESSION
from appliance.cloudapi.deliveries import DELIVERIES
from tests.support.citizen import button_ids, text_of
from tests.support.db import rows
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow


def subscriber(bot, citizen):
    found = rows(bot, "SELECT * FROM subscribers WHERE wa_id = ?", (citizen.wa_id,))
    return found[0] if found else None


def test_full_subscription_with_answers_and_skips(bot, citizen):
    eta = citizen.consent()
    assert "3 domande facoltative" in text_of(eta)
    assert eta["interactive"]["type"] == "list"
    ids = button_ids(eta)
    assert ids[-1].endswith(":skip") and len(ids) == 5
    citizen.tap(ids[1], "30-49", kind="list_reply")  # age band 30-49
    frazione = citizen.reply()
    citizen.send("salta")
    interests = citizen.reply()
    assert "1 Allerte e protezione civile" in text_of(interests)
    citizen.send("1, 3")
    done = text_of(citizen.reply())
    assert "Iscrizione completata" in done
    assert "Allerte e protezione civile, Eventi" in done
    assert frazione["interactive"]["type"] == "list"

    sub = subscriber(bot, citizen)
    assert sub["status"] == "active" and sub["subscribed_at"]
    [granted] = rows(bot, "SELECT * FROM consents WHERE subscriber_id = ?", (sub["id"],))
    assert granted["kind"] == "opted_in" and granted["notice_version"] == 1
    assert granted["wamid"].startswith("wamid.IN") and granted["at"]
    answers = rows(
        bot,
        "SELECT q.key, a.value FROM profile_answers a JOIN profile_questions q"
        " ON q.id = a.question_id WHERE subscriber_id = ?",
        (sub["id"],),
    )
    assert {a["key"]: json.loads(a["value"]) for a in answers} == {
        "eta": "30-49",
        "interessi": ["allerte", "eventi"],
    }


def test_invalid_answers_are_asked_again_and_typed_options_work(citizen):
    citizen.consent()
    citizen.send("duecento")
    invalid, again = citizen.replies(2)
    assert "Non ho capito" in text_of(invalid)
    citizen.send("2")  # typed number for the list question
    citizen.send("Centro")  # typed label
    interests = citizen.reply(), citizen.reply()
    assert "argomenti" in text_of(interests[1])
    citizen.send("SALTA")
    assert "Allerte e protezione civile, Notizie dal Comune, Eventi" in text_of(citizen.reply())


@pytest.mark.parametrize("where", ["optin", "question"])
def test_stop_at_any_step_ends_the_flow_and_unsubscribes(bot, citizen, where):
    optin = citizen.ask_to_subscribe()
    if where == "question":
        citizen.tap(button_ids(optin)[0])
        citizen.reply()
    citizen.send("STOP")
    answer = text_of(citizen.reply())
    sub = subscriber(bot, citizen)
    if where == "question":
        assert "annullato l'iscrizione" in answer and sub["status"] == "unsubscribed"
        assert bot.call(bot.appliance.parts[SUPPRESSION].is_suppressed(citizen.wa_id, None))
    else:
        assert "Non risulti iscritto" in answer and sub["status"] == "pending"
    assert not rows(bot, "SELECT * FROM conversation_state")
    citizen.tap(button_ids(optin)[0])  # the old opt-in button is no longer valid
    assert "messaggio precedente" in text_of(citizen.reply())


def test_annulla_cancels_only_the_current_step(bot, citizen):
    citizen.consent()
    citizen.send("annulla")
    assert "Operazione annullata" in text_of(citizen.reply())
    assert subscriber(bot, citizen)["status"] == "active"
    citizen.send("ANNULLA")
    assert "nessuna operazione" in text_of(citizen.reply())


def test_refusals_of_age_and_consent_subscribe_nobody(bot, citizen):
    optin = citizen.ask_to_subscribe()
    citizen.tap(button_ids(optin)[1], "Ho meno di 14 anni")
    assert "almeno 14 anni" in text_of(citizen.reply())
    citizen.ask_to_subscribe()
    citizen.send("no")
    assert "non ti abbiamo iscritto" in text_of(citizen.reply())
    sub = subscriber(bot, citizen)
    assert sub["status"] == "pending"
    assert [c["kind"] for c in rows(bot, "SELECT kind FROM consents")] == ["declined"]


def test_resubscribing_after_stop_asks_for_consent_again(bot, citizen):
    citizen.consent()
    citizen.send("stop")
    citizen.reply()
    citizen.consent()
    kinds = [c["kind"] for c in rows(bot, "SELECT kind FROM consents ORDER BY id")]
    assert kinds == ["opted_in", "opted_out", "opted_in"]
    assert not bot.call(bot.appliance.parts[SUPPRESSION].is_suppressed(citizen.wa_id, None))


def test_my_data_lists_what_is_stored(citizen):
    citizen.consent()
    citizen.send("1")
    citizen.reply()
    citizen.send("I miei dati")
    text = text_of(citizen.reply())
    assert citizen.wa_id in text and "Maria Rossi" in text and "Stato: iscritto agli avvisi" in text
    assert "In quale fascia di età sei? 14-29" in text and "Lingua: italiano" in text
    assert re.search(r"Adesione agli avvisi: data il \d\d/\d\d/20\d\d \d\d:\d\d", text)
    assert "(informativa versione 1)" in text
    assert "Allerte e protezione civile, Notizie dal Comune, Eventi" in text
    # No internal code or English word reaches the citizen.
    for code in ("active", "granted", "opted_in", "pending", "(v1)", "allerte,", "notizie"):
        assert code not in text, code
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # dates as the town reads them


def settled(bot, simulator, wa_id: str) -> None:
    """Every message sent to ``wa_id`` has its read status processed (they come after)."""
    wamids = [m["wamid"] for m in simulator.messages(wa_id)]
    marks = ",".join("?" * len(wamids))
    wait_until(
        lambda: (
            rows(
                bot,
                f"SELECT count(*) AS n FROM message_statuses WHERE status = 'read' AND wamid IN ({marks})",
                wamids,
            )[0]["n"]
            == len(wamids)
        ),
        20,
    )
    deliveries = bot.appliance.parts[DELIVERIES]
    wait_until(lambda: bot.call(deliveries.event_counts()).get("pending", 0) == 0)


def test_erasure_after_confirmation_keeps_only_an_anonymous_trace(bot, citizen, simulator):
    citizen.consent()
    citizen.send("annulla")
    citizen.reply()
    citizen.send("Una domanda per l'ufficio tributi")
    citizen.reply()
    citizen.send("cancella i miei dati")
    confirm = citizen.reply()
    citizen.tap(button_ids(confirm)[1], "No")
    assert "non sono stati cancellati" in text_of(citizen.reply())
    citizen.send("CANCELLA I MIEI DATI")
    confirm = citizen.reply()
    citizen.tap(button_ids(confirm)[0], "Sì, cancella")
    assert "cancellati" in text_of(citizen.reply())

    wait_until(
        lambda: not rows(bot, "SELECT id FROM subscribers WHERE wa_id = ?", (citizen.wa_id,))
    )
    settled(bot, simulator, citizen.wa_id)  # statuses of the confirmation come after the erasure
    [erased] = rows(bot, "SELECT * FROM subscribers")
    assert erased["status"] == "erased" and erased["wa_id"] is None and not erased["profile_name"]
    for table in ("chat_messages", "profile_answers", "consents", "subscriber_topics"):
        assert not rows(bot, f"SELECT * FROM {table}"), table
    assert bot.call(bot.appliance.parts[SUPPRESSION].is_suppressed(citizen.wa_id, None))
    for row in rows(bot, "SELECT body FROM webhook_deliveries"):
        assert citizen.wa_id.encode() not in row["body"]
    for row in rows(bot, "SELECT record, dedupe_key FROM webhook_events WHERE kind = 'message'"):
        assert citizen.wa_id not in row["record"] and row["dedupe_key"].startswith("m:wamid")
    for row in rows(bot, "SELECT recipient_id FROM message_statuses"):
        assert row["recipient_id"].startswith("erased-")
    assert not rows(bot, "SELECT 1 FROM outbox WHERE recipient = ?", (citizen.wa_id,))
    audit = rows(bot, "SELECT action, target FROM audit_log WHERE action = 'subscriber.erased'")
    assert audit == [("subscriber.erased", f"erased-{erased['id']}")]


def test_english_subscription(citizen):
    citizen.send("ENGLISH")
    citizen.reply()
    citizen.send("4")
    summary, optin = citizen.replies(2)
    assert "controller" in text_of(summary) and "aged 14 or more" in text_of(optin)
    citizen.send("yes")
    first = citizen.reply()
    assert "optional questions" in text_of(first) and "Which age group" in text_of(first)
    for _ in range(3):
        citizen.send("skip")
        last = citizen.reply()
    assert "You are subscribed" in text_of(last)


def test_profilo_changes_the_answers_and_the_topics(bot, citizen):
    citizen.consent()
    for _ in range(3):
        citizen.send("salta")
        last = citizen.reply()
    assert "Notizie dal Comune" in text_of(last)
    citizen.send("PROFILO")
    citizen.reply()
    citizen.send("4")  # 65 and over
    citizen.reply()
    citizen.send("salta")
    topics = text_of(citizen.reply())
    assert "Risposta attuale: Allerte e protezione civile, Notizie dal Comune, Eventi" in topics
    citizen.send("Notizie")  # a topic by its name, not only by its number
    assert text_of(citizen.reply()) == "Profilo aggiornato. Riceverai: Notizie dal Comune."
    text = text_of((citizen.send("i miei dati"), citizen.reply())[1])
    assert "65 e oltre" in text and "Argomenti: Notizie dal Comune" in text
    citizen.send("profilo")
    assert "Risposta attuale: 65 e oltre" in text_of(citizen.reply())


def test_profile_and_my_data_for_people_not_subscribed(citizen):
    citizen.send("profilo")
    assert "Non risulti iscritto" in text_of(citizen.reply())
    citizen.send("I MIEI DATI")
    text = text_of(citizen.reply())
    assert "Stato: non iscritto" in text and "Adesione agli avvisi: —" in text


def test_stop_promotions_in_whatsapp_marks_the_subscriber(bot, citizen, simulator):
    citizen.consent()
    simulator.control("user_preferences", {"wa_id": citizen.wa_id, "value": "stop"})
    wait_until(lambda: subscriber(bot, citizen)["marketing_opt_out"] == 1)
    simulator.control("user_preferences", {"wa_id": citizen.wa_id, "value": "resume"})
    wait_until(lambda: subscriber(bot, citizen)["marketing_opt_out"] == 0)
    assert subscriber(bot, citizen)["status"] == "active"


def test_rows_written_after_an_erasure_are_pseudonymised_by_the_daily_job(bot, citizen):
    bot.appliance.parts[DELIVERIES]._handlers[:] = [  # as if the status follow-up had missed them
        h for h in bot.appliance.parts[DELIVERIES]._handlers if h[0] != "erasure-followup"
    ]
    citizen.send("Rota")
    citizen.reply()
    citizen.send("cancella i miei dati")
    citizen.tap(button_ids(citizen.reply())[0])
    assert "cancellati" in text_of(citizen.reply())
    sent = len(citizen.all())

    def every_status_in():
        # Statuses come back sent → delivered → read: a late one written after the purge
        # would be a new row, so the job runs once each message has reached "read".
        found = rows(
            bot, "SELECT status FROM message_statuses WHERE recipient_id = ?", (citizen.wa_id,)
        )
        return len(found) >= sent and all(r["status"] == "read" for r in found)

    wait_until(every_status_in, timeout=30)
    bot.call(bot.appliance.parts[RETENTION].run_once())
    for table, column in (("outbox", "recipient"), ("message_statuses", "recipient_id")):
        assert not rows(bot, f"SELECT 1 FROM {table} WHERE {column} = ?", (citizen.wa_id,)), table


def test_from_the_menu_a_subscription_with_two_answers_takes_four_messages(tmp_path, simulator):
    """The menu links the notice and its subscribe row is the opt-in: welcome, first question
    (with the confirmation), second question, done — half of the eight it took before."""
    from tests.support.citizen import Citizen, conversation_config, start_appliance

    config = conversation_config(
        tmp_path, simulator, server={"public_url": "https://banditore.comune.example.it"}
    )
    app = start_appliance(config, simulator)
    try:
        app.call(
            app.appliance.db.execute("UPDATE profile_questions SET active = key != 'frazione'")
        )
        citizen = Citizen(simulator, "393336670001")
        citizen.send("Rota")
        menu = citizen.reply()
        assert "https://banditore.comune.example.it/privacy/1" in text_of(menu)
        citizen.tap("menu:4:1", "Iscriviti (14+ anni)", kind="list_reply")
        first = citizen.reply()
        assert "Sei iscritto" in text_of(first) and "2 domande" in text_of(first)
        citizen.tap(button_ids(first)[0], kind="list_reply")
        topics = citizen.reply()
        citizen.send("1, 3")
        assert "Iscrizione completata" in text_of(citizen.reply())
        citizen.quiet(app)
        assert len(citizen.all()) == 4
        sub = subscriber(app, citizen)
        [optin] = rows(app, "SELECT * FROM consents WHERE subscriber_id = ?", (sub["id"],))
        assert sub["status"] == "active" and optin["notice_version"] == 1
        assert "argomenti" in text_of(topics)
    finally:
        app.stop()


def test_a_menu_showing_an_older_notice_asks_for_the_opt_in_again(bot, citizen):
    bot.call(bot.appliance.db.execute("UPDATE notice_versions SET version = 2 WHERE version = 1"))
    citizen.tap("menu:4:1", "Iscriviti (14+ anni)", kind="list_reply")
    notice, optin = citizen.replies(2)
    assert (
        "WhatsApp ci chiede" in text_of(optin) and subscriber(bot, citizen)["status"] == "pending"
    )


def test_two_answers_to_one_citizen_leave_one_after_the_other(simulator, citizen):
    # Meta keeps the order it accepts messages in, not the order of requests sent at once.
    simulator.control("faults", {"latency": 0.3})
    optin = citizen.ask_to_subscribe()
    summary, question = simulator.messages(citizen.wa_id)[-2:]
    assert question["body"] == optin
    assert question["at"] - summary["at"] >= 0.25  # asked only once the first was accepted
