"""One person whatever identifiers arrive: the STOP of issue 15 in every order, over real sockets."""

from __future__ import annotations

import pytest

from appliance.audience.suppression import SUPPRESSION
from appliance.cloudapi.events import Identity
from tests.support.identity_town import UNSUBSCRIBED_TEXT, play
from tests.support.payloads import Person
from tests.support.waiting import wait_until

pytestmark = pytest.mark.slow

ORDERS = {
    # Subscribed by phone; a username message (user id only), then STOP naming both.
    "phone, user id, stop": ("phone", ["user_only", "stop_both"]),
    "phone, stop, user id": ("phone", ["stop_both", "user_only"]),
    "phone, user id, id change, stop": ("phone", ["user_only", "changed_user_id", "stop_both"]),
    "phone, id change, user id, stop": ("phone", ["changed_user_id", "user_only", "stop_both"]),
    "phone, user id, stop, id change": ("phone", ["user_only", "stop_both", "changed_user_id"]),
    # The reverse: subscribed as a username user, then a message by number, then STOP.
    "user id, phone, stop": ("user_id", ["phone_only", "stop_both"]),
    "user id, stop, phone": ("user_id", ["stop_both", "phone_only"]),
    "user id, phone, id change, stop": ("user_id", ["phone_only", "changed_user_id", "stop_both"]),
}


@pytest.mark.parametrize("order", list(ORDERS), ids=list(ORDERS))
def test_one_person_unsubscribed_confirmed_and_skipped_in_every_order(town, order):
    first, steps = ORDERS[order]
    person = Person(wa_id="393471234567", user_id="IT.13491208655302741918")
    ever = {person.user_id}
    town.subscribe(
        Identity(wa_id=person.wa_id) if first == "phone" else Identity(user_id=person.user_id)
    )
    for step in steps:
        play(town, person, step)
        ever.add(person.user_id)

    assert town.dead_letters() == []
    (row,) = town.people({person.wa_id}, ever)
    assert (row["wa_id"], row["user_id"], row["status"]) == (
        person.wa_id,
        person.user_id,
        "unsubscribed",
    )
    kinds = [
        c["kind"]
        for c in town.sql("SELECT kind FROM consents WHERE subscriber_id = ?", (row["id"],))
    ]
    assert kinds[0] == "opted_in" and "opted_out" in kinds  # the opt-in history survived
    assert any(UNSUBSCRIBED_TEXT in t for t in town.texts_to(person.wa_id, *ever))
    suppression = town.bot.appliance.parts[SUPPRESSION]
    for ident in (Identity(wa_id=person.wa_id), Identity(user_id=person.user_id)):
        assert town.bot.call(suppression.is_suppressed(ident.wa_id, ident.user_id))
    queued, reached = town.campaign_reaches(person.wa_id, *ever)
    assert queued == 1 and reached == set()  # the neighbour only


def test_a_username_citizen_is_answered_by_user_id(town):
    person = Person(wa_id="393479990000", user_id="IT.555")
    play(town, person, "user_only")
    assert town.texts_to("IT.555")  # the menu, to the user id: no number is known
    (row,) = town.people({"-"}, {"IT.555"})
    assert (row["wa_id"], row["username"]) == (None, "@realsheenanelson")


def test_system_notices_are_never_answered_and_move_the_number(town):
    person = Person(wa_id="393471112222", user_id="IT.777")
    sid = town.subscribe(Identity(wa_id=person.wa_id, user_id=person.user_id))
    town.post(person.changed_number("393473334444", town.tick()))
    town.post(person.changed_user_id("IT.778", town.tick()))
    assert town.texts_to("393471112222", "393473334444", "IT.777", "IT.778") == []
    (row,) = town.sql("SELECT wa_id, user_id, status FROM subscribers WHERE id = ?", (sid,))
    assert dict(row) == {"wa_id": "393473334444", "user_id": "IT.778", "status": "active"}
    assert town.dead_letters() == []


def test_a_marketing_stop_by_user_id_reaches_the_phone_subscriber(town):
    person = Person(wa_id="393475556666", user_id="IT.888")
    sid = town.subscribe(Identity(wa_id=person.wa_id))
    # A message sent by number: Meta's delivered status names the user id beside it.
    town.post(person.delivered("wamid.OUT1", town.tick()))
    town.post(person.marketing_stop_user_only(town.tick()))
    (row,) = town.sql("SELECT user_id, marketing_opt_out FROM subscribers WHERE id = ?", (sid,))
    assert dict(row) == {"user_id": "IT.888", "marketing_opt_out": 1}
    assert town.dead_letters() == []


def test_a_status_naming_only_the_user_id_links_it_to_the_number_we_sent_to(town):
    person = Person(wa_id="393475557777", user_id="IT.999")
    sid = town.subscribe(Identity(wa_id=person.wa_id))
    town.open_window(person.wa_id)
    town.campaign_reaches(person.wa_id)
    sent = wait_until(
        lambda: town.sql(
            "SELECT id, wamid FROM outbox WHERE subscriber_id = ? AND wamid IS NOT NULL", (sid,)
        ),
        20,
    )
    status = person.delivered(sent[0]["wamid"], town.tick(), with_number=False)
    value = status["entry"][0]["changes"][0]["value"]
    value["statuses"][0]["biz_opaque_callback_data"] = str(sent[0]["id"])
    town.post(status)
    (row,) = town.sql("SELECT wa_id, user_id FROM subscribers WHERE id = ?", (sid,))
    assert dict(row) == {"wa_id": "393475557777", "user_id": "IT.999"}


def test_a_late_status_with_the_previous_user_id_does_not_move_the_person_back(town):
    person = Person(wa_id="393475558888", user_id="IT.111")
    sid = town.subscribe(Identity(wa_id=person.wa_id, user_id=person.user_id))
    earlier = Person(wa_id=person.wa_id, user_id=person.user_id)
    play(town, person, "user_id_update")
    # Meta does not keep webhooks in order: a status sent before the change arrives after it.
    town.post(earlier.delivered("wamid.LATE", town.tick()))
    assert town.dead_letters() == []
    (row,) = town.sql("SELECT wa_id, user_id FROM subscribers WHERE id = ?", (sid,))
    assert dict(row) == {"wa_id": "393475558888", "user_id": "IT.1118"}
