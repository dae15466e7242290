import json

import pytest

from appliance.cloudapi import limits, messages
from appliance.cloudapi.limits import LimitError, validate_message, validate_upload
from appliance.cloudapi.messages import ListRow, ListSection, Media
from tests.support.meta import FIXTURES

pytestmark = pytest.mark.fast

REQUESTS = sorted((FIXTURES / "requests").glob("*.json"))
OK = [p for p in REQUESTS if p.name.startswith("ok_")]
BAD = [p for p in REQUESTS if p.name.startswith("bad_")]
TO = "+393331234567"


def fixture(name):
    return json.loads((FIXTURES / "requests" / name).read_text())


@pytest.mark.parametrize("path", OK, ids=lambda p: p.stem)
def test_ok_fixtures_pass(path):
    validate_message(json.loads(path.read_text())["body"])


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_fixtures_refused_with_the_documented_codes(path):
    data = json.loads(path.read_text())
    with pytest.raises(LimitError) as caught:
        validate_message(data["body"])
    assert caught.value.graph_code in data["expect"]["error_code_in"]
    assert caught.value.status == 400


def build(message, **options):
    kind, content = message
    return messages.envelope(TO, kind, content, **options)


LIST_ROWS = [
    ListRow("menu_1", "Previsioni meteo"),
    ListRow("menu_2", "Allerte meteo Lombardia"),
    ListRow("menu_3", "Sito del Comune"),
    ListRow("menu_4", "Iscriviti agli avvisi"),
    ListRow("menu_5", "Informativa privacy"),
    ListRow("menu_6", "Cancella iscrizione", "Non riceverai più messaggi"),
]

BUILT = {
    "ok_text": messages.text(
        "Avviso: chiusura di via Roma il 12/10. Dettagli: https://www.comune.example.it/avvisi/12",
        preview_url=True,
    ),
    "ok_text_max": messages.text("a" * 4096),
    "ok_image_id": messages.media(
        Media("image", id="1234567891", caption="Distribuzione mascherine in piazza")
    ),
    "ok_image_link": messages.media(
        Media("image", link="https://www.comune.example.it/img/avviso.jpg")
    ),
    "ok_document": messages.media(
        Media(
            "document",
            id="1234567892",
            filename="autocertificazione.pdf",
            caption="Modulo aggiornato",
        )
    ),
    "ok_audio_voice": messages.media(Media("audio", id="1234567893", voice=True)),
    "ok_video": messages.media(Media("video", id="1234567894", caption="Messaggio del sindaco")),
    "ok_location": messages.location(
        45.8323, 9.5134, name="Municipio", address="Via Roma 1, Rota d'Imagna"
    ),
    "ok_buttons": messages.buttons(
        "Acconsenti a ricevere gli avvisi del Comune?",
        [("consent_yes", "Sì, acconsento"), ("consent_no", "No")],
    ),
    "ok_list": messages.list_message(
        "Scegli un servizio",
        "Servizi",
        [ListSection("Servizi", LIST_ROWS)],
        header="Comune di Rota d'Imagna",
        footer="Rispondi anche con il numero",
    ),
    "ok_template_utility": messages.template("avviso_servizio", "it", body=["Via Roma", "12/10"]),
    "ok_template_marketing": messages.template("festa_paese", "it"),
    "ok_template_media_header": messages.template(
        "ordinanza",
        "it",
        body=["n. 12/2026"],
        header=Media("document", id="1234567890", filename="ordinanza_12.pdf"),
    ),
}


def test_every_ok_fixture_has_a_builder_case():
    assert {p.stem for p in OK} == set(BUILT)


@pytest.mark.parametrize("name", sorted(BUILT))
def test_builders_match_ok_fixtures(name):
    body = build(BUILT[name])
    assert body == fixture(f"{name}.json")["body"]
    validate_message(body)


def test_callback_data_reply_context_and_bsuid_recipient():
    body = messages.envelope(
        "393331234567", *messages.text("x"), callback_data="outbox:7", reply_to="wamid.X"
    )
    assert body["to"] == "+393331234567"
    assert body["biz_opaque_callback_data"] == "outbox:7"
    assert body["context"] == {"message_id": "wamid.X"}
    assert messages.envelope("IT.123456", *messages.text("x"))["recipient"] == "IT.123456"
    assert "to" not in messages.envelope("IT.123456", *messages.text("x"))
    named = messages.template("t", body={"via": "Roma"})[1]
    assert named["components"][0]["parameters"] == [
        {"type": "text", "parameter_name": "via", "text": "Roma"}
    ]


def refused(message, code=None, **options):
    with pytest.raises(LimitError) as caught:
        validate_message(build(message, **options))
    if code is not None:
        assert caught.value.graph_code == code
    return caught.value


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (messages.text(""), "text.body"),
        (messages.text("a" * 4097), "text.body"),
        (messages.media(Media("image", id="1", caption="c" * 1025)), "image.caption"),
        (messages.media(Media("audio", id="1", caption="c")), "audio.caption"),
        (messages.media(Media("image", id="1", link="https://x.it/a.jpg")), "image.id"),
        (messages.media(Media("image", link="ftp://x.it/a.jpg")), "image.link"),
        (messages.media(Media("image", id="1", filename="a.pdf")), "image.filename"),
        (messages.buttons("b" * 1025, [("a", "A")]), "interactive.body.text"),
        (
            messages.buttons("b", [("a", "A"), ("b", "A")]),
            "interactive.action.buttons[1].reply.title",
        ),
        (messages.buttons("b", [("a" * 257, "A")]), "interactive.action.buttons[0].reply.id"),
        (messages.buttons("b", [("a", "A")], footer="f" * 61), "interactive.footer.text"),
        (messages.buttons("b", [("a", "A")], header="h" * 61), "interactive.header.text"),
        (messages.buttons("b", []), "interactive.action.buttons"),
        (
            messages.list_message("b", "x" * 21, [ListSection("S", [ListRow("r", "R")])]),
            "interactive.action.button",
        ),
        (
            messages.list_message("b", "M", [ListSection("S", [ListRow("r", "R", "d" * 73)])]),
            "interactive.action.sections[0].rows[0].description",
        ),
        (
            messages.list_message("b", "M", [ListSection("s" * 25, [ListRow("r", "R")])]),
            "interactive.action.sections[0].title",
        ),
        (
            messages.list_message(
                "b",
                "M",
                [ListSection("A", [ListRow("r", "R")]), ListSection("B", [ListRow("r", "Q")])],
            ),
            "interactive.action.sections[1].rows[0].id",
        ),
        (
            messages.list_message(
                "b", "M", [ListSection(str(i), [ListRow(str(i), "R")]) for i in range(11)]
            ),
            "interactive.action.sections",
        ),
        (messages.location(91, 9), "location.latitude"),
        (messages.location(45, "east"), "location.longitude"),
        (messages.template("Avviso-Servizio"), "template.name"),
        (messages.template("t" * 513), "template.name"),
        (messages.template("avviso", body=[""]), "template.components[0].parameters[0].text"),
        (messages.template("avviso", ""), "template.language.code"),
    ],
)
def test_documented_limits_refused(message, field):
    assert refused(message).field == field


def test_callback_data_limit():
    refused(messages.text("x"), callback_data="c" * 513)
    validate_message(build(messages.text("x"), callback_data="c" * 512))


def test_mark_read_body_is_valid():
    validate_message(messages.mark_read("wamid.X"))


@pytest.mark.parametrize(
    ("mime", "size", "kind"),
    [
        ("image/jpeg", 5 * limits.MB, "image"),
        ("application/pdf", 100 * limits.MB, "document"),
        ("audio/ogg; codecs=opus", 1000, "audio"),
        ("video/mp4", 16 * limits.MB, "video"),
    ],
)
def test_uploads_within_limits(mime, size, kind):
    assert validate_upload(mime, size) == kind


@pytest.mark.parametrize(
    ("mime", "size"),
    [
        ("image/jpeg", 5 * limits.MB + 1),
        ("image/gif", 100),
        ("audio/ogg", 0),
        ("image/webp", 500 * 1024 + 1),
        ("application/zip", 10),
    ],
)
def test_uploads_refused(mime, size):
    with pytest.raises(LimitError) as caught:
        validate_upload(mime, size)
    assert caught.value.graph_code == 131053
