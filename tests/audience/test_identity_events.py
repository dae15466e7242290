"""Identity fields and notices read from Meta's real payloads (tests/fixtures/meta/identity)."""

from __future__ import annotations

import pytest

from appliance.cloudapi.events import (
    StatusUpdate,
    SystemChange,
    TextMessage,
    UserPreferences,
    split,
    to_event,
)
from tests.support.payloads import fixture

pytestmark = pytest.mark.fast


def events(payload):
    return [to_event(key, kind, record) for key, kind, record in split(payload)]


def test_a_username_user_has_user_ids_and_no_number():
    (message,) = events(fixture("meta-docs/bsuid_incoming_text_username_no_phone"))
    assert isinstance(message, TextMessage)
    who = message.sender
    assert (who.wa_id, who.user_id, who.parent_user_id, who.username) == (
        None,
        "US.13491208655302741918",
        "US.ENT.11815799212886844830",
        "@realsheenanelson",
    )


def test_a_user_id_placed_in_from_is_not_taken_for_a_number():
    (message,) = events(fixture("courier/hello_bsuid_in_from"))
    assert (message.sender.wa_id, message.sender.user_id) == (None, "US.1234")


def test_a_lone_contact_of_someone_else_is_not_attached():
    payload = fixture("pywa/message__text")
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = "972000000000"
    (message,) = events(payload)
    # The contact's user id belongs to another number: it would merge two people.
    assert (message.sender.wa_id, message.sender.user_id) == ("972987654321", None)


def test_system_notices_are_identity_events_not_messages():
    (number,) = events(fixture("pywa/system__phone_number_change"))
    assert isinstance(number, SystemChange) and number.kind == "system"
    assert (number.change, number.sender.wa_id, number.new.wa_id) == (
        "user_changed_number",
        "972987654321",
        "972912345678",
    )
    (user_id,) = events(fixture("meta-docs/bsuid_system_user_changed_user_id__syntax"))
    assert user_id.change == "user_changed_user_id"
    # The old user id is only in Meta's text; the number stays where it is.
    assert (user_id.sender.wa_id, user_id.sender.user_id) == (
        "16505551234",
        "US.13491208655302741918",
    )
    assert (user_id.new.wa_id, user_id.new.user_id) == (None, "US.99991208655302741918")
    (other,) = events(fixture("pywa/system__identity_change"))
    assert isinstance(other, SystemChange) and other.change == "customer_identity_changed"


def test_the_user_id_update_webhook_names_previous_and_current():
    (update,) = events(fixture("meta-docs/bsuid_user_id_update__syntax"))
    assert isinstance(update, SystemChange) and update.change == "user_id_update"
    assert (update.sender.wa_id, update.sender.user_id, update.new.user_id) == (
        "16505551234",
        "US.13491208655302741918",
        "US.99991208655302741918",
    )


def test_statuses_and_preferences_carry_every_identifier():
    (status,) = events(fixture("meta-docs/bsuid_status_delivered_to_phone_parent"))
    assert isinstance(status, StatusUpdate)
    assert (status.recipient.wa_id, status.recipient.user_id, status.recipient.parent_user_id) == (
        "16505551234",
        "US.13491208655302741918",
        "US.ENT.11815799212886844830",
    )
    (stop,) = events(fixture("meta-docs/bsuid_user_preferences_stop__syntax"))
    assert isinstance(stop, UserPreferences)
    assert (stop.identity.wa_id, stop.identity.user_id, stop.value) == (
        None,
        "US.13491208655302741918",
        "stop",
    )
