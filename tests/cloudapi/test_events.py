import json
from pathlib import Path

import pytest

from appliance.cloudapi import events as ev
from tests.support.meta import FIXTURES

pytestmark = pytest.mark.fast

OWN = Path(__file__).parent / "fixtures"


def parse(payload):
    return [ev.to_event(key, kind, record) for key, kind, record in ev.split(payload)]


def load(name):
    folder = FIXTURES if (FIXTURES / name).exists() else OWN
    return json.loads((folder / name).read_text())


def only(name):
    (event,) = parse(load(name))
    return event


def test_text_from_meta_fixture():
    event = only("inbound_text.json")
    assert isinstance(event, ev.TextMessage)
    assert event.body == "Ciao, orari ufficio anagrafe?"
    assert event.wamid == "wamid.TEST_TEXT_0001"
    assert event.key == "m:wamid.TEST_TEXT_0001"
    assert event.sender == ev.Identity("393331234567", None, "Mario Rossi")
    assert event.timestamp == 1760000000  # Meta's time, as an int
    assert event.phone_number_id == "200000000000002"
    assert event.account_id == "100000000000001"


def test_list_reply_with_context():
    event = only("inbound_list_reply.json")
    assert isinstance(event, ev.ListReply)
    assert (event.reply_id, event.title) == ("topic_rifiuti", "Raccolta rifiuti")
    assert event.description == "Calendario e centri di raccolta"
    assert event.reply_to == "wamid.TEST_OUTBOUND_LIST_0001"


def test_button_reply_and_quick_reply():
    button = only("message_button_reply.json")
    assert isinstance(button, ev.ButtonReply)
    assert (button.reply_id, button.title, button.reply_to) == (
        "consent_yes",
        "Sì, acconsento",
        "wamid.OUT_BTN",
    )
    quick = only("message_quick_reply.json")
    assert isinstance(quick, ev.QuickReply)
    assert (quick.payload, quick.text, quick.reply_to) == ("leggi", "Leggi", "wamid.OUT_TPL")


@pytest.mark.parametrize(
    ("name", "cls", "extra"),
    [
        ("message_image.json", ev.ImageMessage, {"caption": "Buca in via Roma"}),
        ("message_document.json", ev.DocumentMessage, {"filename": "modulo.pdf"}),
        ("message_voice.json", ev.AudioMessage, {"voice": True}),
        ("message_video.json", ev.VideoMessage, {"mime_type": "video/mp4"}),
        ("message_sticker.json", ev.StickerMessage, {"animated": False}),
    ],
)
def test_media_messages(name, cls, extra):
    event = only(name)
    assert type(event) is cls
    assert event.media_id
    for key, value in extra.items():
        assert getattr(event, key) == value


def test_location_contacts_reactions():
    location = only("message_location.json")
    assert isinstance(location, ev.LocationMessage)
    assert (location.latitude, location.longitude, location.name) == (45.8297, 9.5108, "Municipio")
    contacts = only("message_contacts.json")
    assert isinstance(contacts, ev.ContactsMessage)
    assert contacts.contacts[0]["phones"][0]["wa_id"] == "393331112222"
    reaction = only("message_reaction.json")
    assert isinstance(reaction, ev.ReactionMessage)
    assert reaction.emoji == "\U0001f44d" and not reaction.removed
    assert only("message_reaction_removed.json").removed


def test_unsupported_referral_forwarded():
    unsupported = only("message_unsupported.json")
    assert isinstance(unsupported, ev.UnsupportedMessage)
    assert unsupported.errors[0].code == 131051
    assert "not supported" in unsupported.errors[0].details
    referral = only("message_referral.json")
    assert isinstance(referral, ev.TextMessage) and referral.referral["source_type"] == "ad"
    assert only("message_forwarded.json").forwarded


def test_unknown_message_type_and_fields_become_unsupported():
    event = only("message_future_type.json")
    assert isinstance(event, ev.UnsupportedMessage)
    assert event.message_type == "hologram"
    assert event.key == "m:wamid.T_FUTURE"


def test_username_only_citizen_has_user_id_without_phone():
    event = only("message_username_only.json")
    payload = load("message_username_only.json")
    del payload["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    (no_phone,) = parse(payload)
    assert event.sender.user_id == "IT.1234567890"
    assert no_phone.sender == ev.Identity(None, "IT.1234567890", "anna_v")


def test_statuses_each_one_of_a_batch():
    events = parse(load("status_sent_read_played.json"))
    assert [e.status for e in events] == ["sent", "read", "played"]
    assert [e.key for e in events] == [
        "s:wamid.OUT_VOICE:sent",
        "s:wamid.OUT_VOICE:read",
        "s:wamid.OUT_VOICE:played",
    ]
    sent = events[0]
    assert sent.callback_data == "outbox:42"
    assert sent.recipient == ev.Identity("393331234567", "IT.1234567890")
    assert sent.pricing["type"] == "free_customer_service"
    assert [e.rank for e in events] == [1, 3, 4]


def test_status_fixtures_delivered_and_failed():
    delivered = only("status_delivered.json")
    assert isinstance(delivered, ev.StatusUpdate) and delivered.status == "delivered"
    assert delivered.pricing["category"] == "utility"
    failed = only("status_failed.json")
    assert failed.status == "failed" and failed.rank == max(ev.STATUS_RANK.values())
    assert failed.errors[0].code == 131026
    assert failed.errors[0].details == "Message Undeliverable."


def test_account_webhooks():
    status = only("template_status_approved.json")
    assert isinstance(status, ev.TemplateStatusUpdate)
    assert (status.name, status.language, status.event, status.template_id) == (
        "avviso_servizio",
        "it",
        "APPROVED",
        "12345678",
    )
    completed = only("template_category_completed.json")
    assert isinstance(completed, ev.TemplateCategoryUpdate) and completed.completed
    assert (completed.previous_category, completed.new_category) == ("UTILITY", "MARKETING")
    impending = only("template_category_impending.json")
    assert not impending.completed and impending.correct_category == "MARKETING"
    prefs = only("user_preferences_stop.json")
    assert isinstance(prefs, ev.UserPreferences)
    assert (prefs.identity.wa_id, prefs.category, prefs.value) == (
        "393331234567",
        "marketing_messages",
        "stop",
    )
    errors = only("system_errors.json")
    assert isinstance(errors, ev.AccountErrors) and errors.errors[0].code == 131000
    unknown = only("unknown_field.json")
    assert isinstance(unknown, ev.UnsupportedChange) and unknown.field_name == "account_alerts"


def test_many_entries_changes_and_items_are_all_split():
    text = load("inbound_text.json")["entry"][0]
    status = load("status_delivered.json")["entry"][0]
    extra = json.loads(json.dumps(text))
    extra["changes"][0]["value"]["messages"].append(
        {**extra["changes"][0]["value"]["messages"][0], "id": "wamid.SECOND"}
    )
    payload = {"object": "whatsapp_business_account", "entry": [text, status, extra]}
    keys = [key for key, _, _ in ev.split(payload)]
    assert keys == [
        "m:wamid.TEST_TEXT_0001",
        "s:wamid.TEST_OUTBOUND_TPL_0001:delivered",
        "m:wamid.TEST_TEXT_0001",
        "m:wamid.SECOND",
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"entry": "x"},
        {"entry": [None, 1, {"changes": [None, {"field": "messages", "value": []}]}]},
        {
            "entry": [
                {"changes": [{"field": "messages", "value": {"messages": [{"type": "text"}]}}]}
            ]
        },
        {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{"id": 5}]}}]}]},
        {"entry": [{"changes": [{"field": "message_template_status_update", "value": {}}]}]},
        {
            "entry": [
                {
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messages": [
                                    {"id": "w", "type": "location", "location": {"latitude": "x"}}
                                ]
                            },
                        }
                    ]
                }
            ]
        },
    ],
)
def test_malformed_payloads_never_crash(payload):
    for key, kind, record in ev.split(payload):
        event = ev.to_event(key, kind, record)
        assert isinstance(event, ev.Event) and event.key == key


def test_records_survive_json_round_trip():
    for key, kind, record in ev.split(load("message_document.json")):
        again = ev.to_event(key, kind, json.loads(json.dumps(record)))
        assert again == ev.to_event(key, kind, record)
